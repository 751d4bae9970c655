// `prefstudio wer REF HYP` (two text files, one utterance per line) or `prefstudio wer PAIRS.jsonl`
// (objects with `reference` and `hypothesis`, optional `id`): per-utterance and total measures
// with jiwer's semantics and the REF/HYP alignment view; `--json` for machine-readable output.
import { readFileSync } from 'node:fs';
import { type UtteranceResult, alignmentView, processCorpus } from '../../src/sim/wer';
import { type CommandIo, CommandError, defineFlags, guard, helpText, parseFlags, stdio } from '../flags';

/** One line for `prefstudio --help`. */
export const summary = 'word/character error rates and alignments of hypotheses against references (jiwer semantics)';

const flags = defineFlags({
  normalize: { type: 'boolean', help: "apply Whisper's BasicTextNormalizer to both sides first" },
  remove_diacritics: { type: 'boolean', help: 'with --normalize: also drop diacritics (é -> e, ß -> ss)' },
  json: { type: 'boolean', help: 'print one JSON object (utterances and totals) instead of text' },
  alignment: { type: 'boolean', default: true, help: 'print the REF/HYP alignment of each utterance' },
});
const positionals = [
  { name: 'REF', help: 'reference text file (one utterance per line), or a JSONL file of {reference, hypothesis}' },
  { name: 'HYP', help: 'hypothesis text file, line for line with REF', optional: true },
] as const;

interface Pair { id?: string; reference: string; hypothesis: string }

/** Run with the arguments after `wer`; resolves to the exit code. */
export function run(argv: string[], io: CommandIo = stdio): Promise<number> {
  return guard('wer', io, async () => {
    const { flags: f, positionals: pos, help } = parseFlags(flags, argv, { positionals, config: false });
    if (help) { io.out(helpText('wer', summary, flags, { positionals, config: false })); return 0; }
    const pairs = pos.length === 2 ? readTextPair(pos[0], pos[1]) : readJsonl(pos[0]);
    const normalizer = f.normalize ? { normalize: true, removeDiacritics: f.remove_diacritics } : {};
    const res = processCorpus(pairs, normalizer);
    if (f.json) {
      io.out(JSON.stringify({
        utterances: res.utterances.map((u, i) => ({ index: i + 1, ...(pairs[i].id !== undefined ? { id: pairs[i].id } : {}), ...utteranceJson(u) })),
        total: measuresJson(res),
      }));
      return 0;
    }
    res.utterances.forEach((u, i) => {
      const name = pairs[i].id !== undefined ? `${i + 1} (${pairs[i].id})` : `${i + 1}`;
      io.out(`utterance ${name}: WER ${pct(u.wer)}  H=${u.hits} S=${u.substitutions} D=${u.deletions} I=${u.insertions}  (${u.refLength} ref words)`);
      if (f.alignment) io.out(`${alignmentView(u.reference, u.hypothesis, u.chunks)}\n`);
    });
    io.out(`total: ${res.utterances.length} utterances, ${res.refLength} reference words, ${res.hypLength} hypothesis words`);
    io.out(`WER ${pct(res.wer)}  MER ${pct(res.mer)}  WIL ${pct(res.wil)}  WIP ${pct(res.wip)}  CER ${pct(res.cer)}`);
    io.out(`hits ${res.hits}  substitutions ${res.substitutions}  deletions ${res.deletions}  insertions ${res.insertions}`);
    return 0;
  });
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function measuresJson(m: Omit<UtteranceResult, 'reference' | 'hypothesis' | 'chunks'>) {
  return {
    wer: m.wer, mer: m.mer, wil: m.wil, wip: m.wip, cer: m.cer,
    hits: m.hits, substitutions: m.substitutions, deletions: m.deletions, insertions: m.insertions,
    reference_words: m.refLength, hypothesis_words: m.hypLength,
  };
}

function utteranceJson(u: UtteranceResult) {
  return {
    reference: u.reference.join(' '), hypothesis: u.hypothesis.join(' '), ...measuresJson(u),
    chunks: u.chunks.map((c) => ({ type: c.type, ref_start: c.refStart, ref_end: c.refEnd, hyp_start: c.hypStart, hyp_end: c.hypEnd })),
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CommandError(`cannot read ${path}${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': is a directory' : code ? ` (${code})` : ''}`);
  }
}

/** Lines of a text file; a final newline does not start another utterance. */
function lines(text: string): string[] {
  const ls = text.split(/\r?\n/);
  if (ls.length > 0 && ls[ls.length - 1] === '') ls.pop();
  return ls;
}

function readTextPair(refPath: string, hypPath: string): Pair[] {
  const refs = lines(readText(refPath));
  const hyps = lines(readText(hypPath));
  if (refs.length !== hyps.length) {
    throw new CommandError(`${hypPath}: has ${hyps.length} lines but ${refPath} has ${refs.length}; they must pair line for line`);
  }
  return refs.map((reference, i) => ({ reference, hypothesis: hyps[i] }));
}

function readJsonl(path: string): Pair[] {
  const out: Pair[] = [];
  lines(readText(path)).forEach((line, i) => {
    if (line.trim() === '') return; // blank lines separate nothing in JSONL
    const at = `${path}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new CommandError(`${at}: not valid JSON (${e instanceof Error ? e.message : String(e)}); with one file, wer reads JSONL of {"reference", "hypothesis"}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CommandError(`${at}: expected an object with "reference" and "hypothesis"`);
    const o = v as Record<string, unknown>;
    for (const k of ['reference', 'hypothesis'] as const) {
      if (!(k in o)) throw new CommandError(`${at}: ${k}: missing`);
      if (typeof o[k] !== 'string') throw new CommandError(`${at}: ${k}: expected a string, got ${JSON.stringify(o[k])}`);
    }
    if (o.id !== undefined && typeof o.id !== 'string' && typeof o.id !== 'number') throw new CommandError(`${at}: id: expected a string or number, got ${JSON.stringify(o.id)}`);
    out.push({ reference: o.reference as string, hypothesis: o.hypothesis as string, ...(o.id !== undefined ? { id: String(o.id) } : {}) });
  });
  if (out.length === 0) throw new CommandError(`${path}: no utterances`);
  return out;
}
