import { describe, expect, it } from 'vitest';
import type { FileTree } from '../io/file-tree';
import { memoryTree } from '../io/file-tree';
import { nodeFileTree } from '../io/fs-node';
import { loadDataset } from './load';
import { DatasetError } from './stream';
import { fixture } from './test-fixtures-node';
import type { AsrRecord } from './types';

const mini = (): FileTree => nodeFileTree(fixture('librispeech-mini'));
const bad = (): FileTree => nodeFileTree(fixture('librispeech-bad'));

describe('openasr (LibriSpeech tree)', () => {
  it('reads speaker/chapter folders in numeric order with paths relative to the root', async () => {
    const ds = loadDataset({ format: 'openasr', tree: mini(), split: 'test.clean' });
    const recs = await ds.toArray();
    expect(recs.map((r) => r.id)).toEqual(['61-70968-0000', '61-70968-0001', '61-70968-0002', '1089-134686-0000', '1089-134686-0001']);
    expect(recs[0]).toEqual<AsrRecord>({
      kind: 'asr',
      id: '61-70968-0000',
      audio: 'LibriSpeech/test-clean/61/70968/61-70968-0000.flac',
      text: 'HE BEGAN A CONFUSED COMPLAINT AGAINST THE WIZARD',
      speaker: '61',
      chapter: '70968',
      src: { file: 'LibriSpeech/test-clean/61/70968/61-70968.trans.txt', line: 1 },
    });
    expect(ds.summary).toMatchObject({ format: 'openasr', read: 5, kept: 5, skipped: 0, done: true });
  });

  it('finds the split under either spelling, or walks the whole root without one', async () => {
    const a = await loadDataset({ format: 'openasr', tree: mini(), split: 'test-clean' }).toArray();
    const b = await loadDataset({ format: 'openasr', tree: mini() }).toArray();
    expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
    await expect(loadDataset({ format: 'openasr', tree: mini(), split: 'dev.clean' }).toArray())
      .rejects.toThrow(/split 'dev.clean' not found \(looked for dev.clean, dev-clean, LibriSpeech\/dev-clean.*the root has: LibriSpeech/);
  });

  it('turns missing audio, orphan audio, empty and duplicate lines into counted errors (CRLF transcript)', async () => {
    const ds = loadDataset({ format: 'openasr', tree: bad(), split: 'test.clean' });
    const recs = await ds.toArray();
    expect(recs.map((r) => [r.id, r.text])).toEqual([['121-121726-0000', 'ALSO A POPULAR CONTRIVANCE'], ['121-121726-0003', 'BUT NOT STOPPED']]);
    const t = 'test-clean/121/121726/121-121726.trans.txt';
    expect(ds.summary.errors.map((e) => `${e.file}${e.line ? `:${e.line}` : ''}: ${e.field}: ${e.message} [${e.reason}]`)).toEqual([
      `${t}:2: audio: no audio file 121-121726-0001.flac next to the transcript [missing-file]`,
      `${t}:3: text: empty transcript for 121-121726-0002 [field]`,
      `${t}:4: id: duplicate utterance id 121-121726-0000 [duplicate]`,
      `${t}:5: id: utterance id 999-1-0003 does not belong to 121-121726 (expected 121-121726-NNNN) [field]`,
      `test-clean/121/121726/121-121726-0009.flac: audio: no transcript line for utterance 121-121726-0009 in ${t} [orphan-audio]`,
      'test-clean/237/126133/237-126133-0000.flac: audio: no transcript line for utterance 237-126133-0000 (no .trans.txt file in test-clean/237/126133) [orphan-audio]',
    ]);
    expect(ds.summary).toMatchObject({ read: 8, kept: 2, skipped: 6, skippedByReason: { 'missing-file': 1, field: 2, duplicate: 1, 'orphan-audio': 2 } });
  });

  it('throws the first error with stopOnError', async () => {
    const ds = loadDataset({ format: 'openasr', tree: bad(), stopOnError: true });
    const got: string[] = [];
    const run = async (): Promise<void> => { for await (const r of ds) got.push(r.id); };
    await expect(run()).rejects.toThrow(DatasetError);
    expect(got).toEqual(['121-121726-0000']);
    expect(ds.summary.errors[0]).toMatchObject({ line: 2, field: 'audio', reason: 'missing-file' });
  });

  it('stops walking folders at the limit (num_egs)', async () => {
    const inner = mini();
    const listed: string[] = [];
    const tree: FileTree = { ...inner, list: (dir) => { listed.push(dir); return inner.list(dir); } };
    const ds = loadDataset({ format: 'openasr', tree, split: 'test.clean', limit: 2 });
    expect((await ds.toArray()).map((r) => r.id)).toEqual(['61-70968-0000', '61-70968-0001']);
    expect(ds.summary.stoppedEarly).toBe(true);
    expect(listed.some((d) => d.includes('1089'))).toBe(false);
  });

  it('works on an in-memory tree (what a browser folder pick gives)', async () => {
    const tree = memoryTree({
      '7/9/7-9.trans.txt': '7-9-0001 HELLO\n7-9-0002   SPACED   OUT  \n',
      '7/9/7-9-0001.flac': new Uint8Array([1]),
      '7/9/7-9-0002.flac': new Uint8Array([1]),
    }, 'picked');
    const recs = await loadDataset({ format: 'openasr', tree }).toArray();
    expect(recs.map((r) => [r.audio, r.text, r.speaker, r.chapter])).toEqual([['7/9/7-9-0001.flac', 'HELLO', '7', '9'], ['7/9/7-9-0002.flac', 'SPACED   OUT', '7', '9']]);
  });
});
