// The `openasr` format as a local LibriSpeech tree: `<split>/<speaker>/<chapter>/` holding
// `<speaker>-<chapter>.trans.txt` (lines `UTT-ID TRANSCRIPT`) and one `<UTT-ID>.flac` per line.
// The seed streams LibriSpeech from the HF hub (ESB `librispeech`, split `test.clean`); here the
// same examples come from a folder the user has, read through the FileTree interface (a Node
// folder, or a folder picked in the browser). Folders are walked lazily in numeric order, so a
// limit (`num_egs`) stops the walk too.
import type { FileTree } from '../io/file-tree';
import { readLineBatches } from '../io/line-reader';
import { EventStream } from './events';
import type { AsrRecord, Parsed, RecordError } from './types';

/** Options of the LibriSpeech tree reader. */
export interface OpenAsrOptions {
  /** The split folder (`test.clean` as the seed names it, or `test-clean`); default: the root itself. */
  split?: string;
  /** Audio file extensions, in order of preference. Default `['.flac']`. */
  audioExtensions?: string[];
}

const byNumber = new Intl.Collator('en', { numeric: true }).compare;
const TRANS = '.trans.txt';

async function findSplit(tree: FileTree, split: string): Promise<string> {
  const dashed = split.replace(/\./g, '-');
  const candidates = [...new Set([split, dashed, `LibriSpeech/${dashed}`, `LibriSpeech/${split}`])];
  for (const c of candidates) {
    try { await tree.list(c); return c; } catch { /* try the next spelling */ }
  }
  const top = await tree.list('').then((es) => es.filter((e) => e.kind === 'directory').map((e) => e.name).sort(byNumber).join(', ')).catch(() => '');
  throw new Error(`${tree.label}: split '${split}' not found (looked for ${candidates.join(', ')}); the root has: ${top || 'no folders'}`);
}

/** Examples of a LibriSpeech-style tree; a transcript line without audio, or audio without a line, is an error record. */
export function parseOpenAsr(tree: FileTree, opts: OpenAsrOptions = {}): EventStream<AsrRecord> {
  return new EventStream(async function* () {
    const exts = opts.audioExtensions ?? ['.flac'];
    const base = opts.split ? await findSplit(tree, opts.split) : '';
    yield* walk(tree, base, exts);
  });
}

// Depth-first over folders; one batch per chunk of transcript lines.
async function* walk(tree: FileTree, dir: string, exts: string[]): AsyncGenerator<Parsed<AsrRecord>[], void, undefined> {
  const entries = (await tree.list(dir)).sort((a, b) => byNumber(a.name, b.name));
  const join = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
  const transcripts = entries.filter((e) => e.kind === 'file' && e.name.endsWith(TRANS)).map((e) => e.name);
  // utterance id -> audio file name, preferring earlier extensions
  const audio = new Map<string, string>();
  for (const ext of [...exts].reverse()) {
    for (const e of entries) if (e.kind === 'file' && e.name.endsWith(ext) && !e.name.endsWith(TRANS)) audio.set(e.name.slice(0, -ext.length), e.name);
  }
  const used = new Set<string>();
  for (const t of transcripts) {
    const path = join(t);
    const stem = t.slice(0, -TRANS.length);
    const m = /^([^-]+)-([^-]+)$/.exec(stem);
    const parts = dir.split('/');
    const speaker = m ? m[1] : parts[parts.length - 2] ?? '';
    const chapter = m ? m[2] : parts[parts.length - 1] ?? '';
    if (!m) yield [{ kind: 'warning', key: 'openasr-name', message: `${path}: transcript name is not <speaker>-<chapter>${TRANS}; speaker and chapter taken from the folders` }];
    const seen = new Set<string>();
    const err = (line: number, field: string, message: string, reason: RecordError['reason']): Parsed<AsrRecord> => ({ kind: 'error', error: { file: path, line, field, message, reason } });
    for await (const batch of readLineBatches(tree.file(path))) {
      const out: Parsed<AsrRecord>[] = [];
      for (const item of batch) {
        const line = item.lineNo;
        if (item.line === null) { out.push(err(line, 'record', item.error, 'encoding')); continue; }
        if (item.line.trim() === '') continue;
        const sp = /^\s*(\S+)\s*(.*)$/.exec(item.line);
        if (!sp) continue;
        const id = sp[1];
        const text = sp[2].trim();
        if (m && !id.startsWith(`${stem}-`)) { out.push(err(line, 'id', `utterance id ${id} does not belong to ${stem} (expected ${stem}-NNNN)`, 'field')); continue; }
        if (seen.has(id)) { out.push(err(line, 'id', `duplicate utterance id ${id}`, 'duplicate')); continue; }
        seen.add(id);
        const file = audio.get(id);
        if (file === undefined) { out.push(err(line, 'audio', `no audio file ${id}${exts[0]} next to the transcript`, 'missing-file')); continue; }
        used.add(id);
        if (text === '') { out.push(err(line, 'text', `empty transcript for ${id}`, 'field')); continue; }
        out.push({ kind: 'record', record: { kind: 'asr', id, audio: join(file), text, speaker, chapter, src: { file: path, line } } });
      }
      if (out.length) yield out;
    }
  }
  const orphans: Parsed<AsrRecord>[] = [];
  for (const [id, file] of audio) {
    if (used.has(id)) continue;
    const where = transcripts.length ? `in ${transcripts.map(join).join(', ')}` : `(no ${TRANS} file in ${dir || 'the root'})`;
    orphans.push({ kind: 'error', error: { file: join(file), line: 0, field: 'audio', message: `no transcript line for utterance ${id} ${where}`, reason: 'orphan-audio' } });
  }
  if (orphans.length) yield orphans;
  for (const e of entries) if (e.kind === 'directory') yield* walk(tree, join(e.name), exts);
}
