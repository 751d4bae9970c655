import { describe, expect, it } from 'vitest';
import { blobSource, countingSource, memorySource } from '../io/byte-source';
import { fileListTree } from '../io/file-tree';
import { nodeFileSource, nodeFileTree } from '../io/fs-node';
import { parseDatasetConfigText } from '../config/dataset-config';
import { readFileSync } from 'node:fs';
import { detectFormat, LoadError, loadDataset, loadFromConfig } from './load';
import { loadDatasetFromPath } from './load-node';
import { fixture } from './test-fixtures-node';

const src = (name: string) => nodeFileSource(fixture(name), name);

describe('format detection', () => {
  it('tells formats apart by extension and the first record', async () => {
    expect(await detectFormat(src('tsv-good.tsv'))).toBe('tsv');
    expect(await detectFormat(src('preference-good.jsonl'))).toBe('preference');
    expect(await detectFormat(src('asr-preference.jsonl'))).toBe('asr-preference');
    expect(await detectFormat(src('asr-preference.json'))).toBe('asr-preference');
    expect(await detectFormat(src('prompts.jsonl'))).toBe('prompt');
    expect(await detectFormat(src('adpo.jsonl'))).toBe('adpo');
    expect(await detectFormat(undefined, nodeFileTree(fixture('librispeech-mini')))).toBe('openasr');
  });

  it('says so when it cannot tell', async () => {
    await expect(detectFormat(src('parent-rows.jsonl'))).rejects.toThrow(new LoadError("parent-rows.jsonl: cannot tell the format from the first record's keys (text, lang); pass format explicitly"));
    await expect(detectFormat(memorySource('{"a": ', 'x.jsonl'))).rejects.toThrow(/x\.jsonl:1: invalid JSON/);
    await expect(detectFormat(memorySource('x', 'a/61-7.trans.txt'))).rejects.toThrow(/load its folder tree as format 'openasr'/);
  });

  it('loads with format auto and reports the detected format', async () => {
    const ds = loadDataset({ source: src('prompts.jsonl') });
    expect((await ds.toArray()).length).toBe(2);
    expect(ds.summary.format).toBe('prompt');
  });
});

describe('the browser path', () => {
  it('reads a picked File against a webkitdirectory folder pick', async () => {
    const picked = (rel: string) => Object.assign(new Blob([readFileSync(fixture(rel))]), { name: rel.split('/').pop() as string, webkitRelativePath: `data/${rel}` });
    const tree = fileListTree(['preference-good.jsonl', 'media/a.flac'].map(picked), 'data');
    const file = picked('preference-good.jsonl');
    const ds = loadDataset({ source: blobSource(file, file.name), tree });
    const recs = await ds.toArray();
    expect(ds.summary.format).toBe('preference');
    expect(recs.map((r) => r.kind === 'preference' && r.id)).toEqual(['std-explicit', 'std-implicit', 'conv-explicit', 'conv-implicit']);
    // media/red.png was not picked: the record with it is reported, not crashed on
    expect(ds.summary.errors.map((e) => `${e.line} ${e.field} ${e.reason}`)).toEqual(['6 images[0] missing-file']);
  });
});

describe('early stop (num_egs / max_train_samples)', () => {
  it('stops reading the file once the limit is reached', async () => {
    const line = JSON.stringify({ prompt: 'p'.repeat(200), chosen: ' a', rejected: ' b' }) + '\n';
    const { source, stats } = countingSource(memorySource(line.repeat(40_000), 'big.jsonl', 64 * 1024)); // ~9 MB
    const ds = loadDataset({ format: 'preference', source, limit: 5 });
    expect((await ds.toArray()).length).toBe(5);
    expect(ds.summary).toMatchObject({ kept: 5, stoppedEarly: true, done: true });
    expect(stats.chunks).toBe(1);
    expect(stats.bytes).toBeLessThan((source.size ?? 0) / 100);
  });

  it('counts kept records, so bad lines do not eat into the limit', async () => {
    const ds = loadDataset({ format: 'preference', source: src('preference-bad.jsonl'), limit: 2 });
    expect((await ds.toArray()).map((r) => r.src.line)).toEqual([1, 9]);
  });
});

describe('loading from a config and from a path', () => {
  it('reads the tsv files of a config, stopping at num_egs', async () => {
    const { config } = parseDatasetConfigText(readFileSync(fixture('dataset-config-typos.json'), 'utf8'), 'cfg.json');
    const ds = loadFromConfig(config, { tree: nodeFileTree(fixture()) });
    expect((await ds.toArray()).map((r) => r.kind === 'asr' && r.id)).toEqual(['utt-1', 'utt-2']);
    const all = loadFromConfig(config, { tree: nodeFileTree(fixture()) }, { maxTrainSamples: 1 });
    expect((await all.toArray()).length).toBe(1);
  });

  it('opens a folder as a LibriSpeech tree and a file with its folder as the media root', async () => {
    const tree = await loadDatasetFromPath(fixture('librispeech-mini'), { split: 'test.clean' });
    expect((await tree.toArray()).length).toBe(5);
    const file = await loadDatasetFromPath(fixture('asr-preference.jsonl'), { format: 'asr-preference' });
    const recs = await file.toArray();
    expect(recs.map((r) => r.audio)).toEqual(['media/a.flac', 'media/sub/c.flac', 'media/b.flac', 'media/b.flac']);
    expect(file.summary.skippedByReason).toEqual({ 'missing-file': 1, path: 1, field: 3 });
  });

  it('can be iterated only once', async () => {
    const ds = loadDataset({ format: 'prompt', source: src('prompts.jsonl') });
    await ds.toArray();
    expect(() => ds[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});
