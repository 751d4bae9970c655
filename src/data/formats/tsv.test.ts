import { describe, expect, it } from 'vitest';
import { memorySource } from '../io/byte-source';
import { nodeFileSource, nodeFileTree } from '../io/fs-node';
import { loadDataset } from './load';
import { fixture } from './test-fixtures-node';
import { formatRecordError } from './types';

const src = (name: string) => nodeFileSource(fixture(name), name);

describe('tsv (seed 000)', () => {
  it('reads id, the Python path list and the messages; the text is the last message', async () => {
    const ds = loadDataset({ format: 'tsv', source: src('tsv-good.tsv'), tree: nodeFileTree(fixture()), remap: [{ from: '/root/data/LibriSpeech', to: '' }] });
    const recs = await ds.toArray();
    expect(recs.map((r) => [r.id, r.audio, r.text])).toEqual([
      ['utt-1', 'media/a.flac', 'Hello world'],
      ['utt-2', 'media/b.flac', "It's a été day"],
      ['utt-3', 'media/a.flac', 'flat messages'],
    ]);
    expect(recs[1].audioPaths).toEqual(['media/b.flac', 'media/sub/c.flac']);
    expect(recs[0].messages?.[0]).toEqual({ role: 'user', content: '<|audio_1|>Transcribe the audio clip into text.' });
    expect(ds.summary).toMatchObject({ kept: 3, skipped: 0 });
  });

  it('skips a header line with a warning and reports each bad row', async () => {
    const ds = loadDataset({ format: 'tsv', source: src('tsv-bad.tsv'), tree: nodeFileTree(fixture()) });
    expect((await ds.toArray()).map((r) => r.id)).toEqual(['ok-1', 'ok-2']);
    expect(ds.summary.warnings.map((w) => w.message)).toEqual(['tsv-bad.tsv:1: skipped a header line (id, paths, msgs)']);
    expect(ds.summary.errors.map(formatRecordError)).toEqual([
      "tsv-bad.tsv:3: paths: invalid Python literal: column 16: expected ',' or ']' in list, found end of input",
      'tsv-bad.tsv:4: record: expected 3 tab-separated columns (id, paths, msgs), found 2',
      'tsv-bad.tsv:5: msgs[0].messages[1].content: empty transcript',
      "tsv-bad.tsv:6: paths: invalid Python literal: column 1: name 'media' is not a literal (only strings, numbers, True, False, None, lists, tuples, dicts and sets are)",
      'tsv-bad.tsv:7: msgs[0].messages[0].role: missing',
      'tsv-bad.tsv:8: paths[0]: path "../../etc/passwd" escapes the dataset root',
      `tsv-bad.tsv:9: paths[0]: file "media/nope.flac" not found in ${fixture()}`,
    ]);
    expect(ds.summary.skippedByReason).toEqual({ syntax: 3, field: 2, path: 1, 'missing-file': 1 });
  });

  it('treats every line as data with header: false, and unquotes CSV-quoted fields', async () => {
    const text = 'id\tpaths\tmsgs\n"q-1"\t"[""a.wav""]"\t"[{""role"": ""assistant"", ""content"": ""quoted""}]"\n';
    const ds = loadDataset({ format: 'tsv', source: memorySource(text, 'q.tsv'), header: false });
    expect((await ds.toArray()).map((r) => [r.id, r.audio, r.text])).toEqual([['q-1', 'a.wav', 'quoted']]);
    expect(ds.summary.errors.map(formatRecordError)).toEqual([expect.stringMatching(/^q\.tsv:1: paths: invalid Python literal: column 1: name 'paths'/)]);
  });
});
