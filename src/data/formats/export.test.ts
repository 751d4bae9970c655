import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../io/byte-source';
import { nodeFileSink, nodeFileSource, nodeFileTree } from '../io/fs-node';
import { memorySink } from '../io/jsonl-writer';
import { ExportError, toTrlRow, writeTrlJsonl } from './export';
import { loadDataset } from './load';
import { fixture } from './test-fixtures-node';
import type { AsrRecord } from './types';

describe('TRL JSONL export', () => {
  it('round-trips preference records: explicit prompts, media paths and ids survive', async () => {
    const tree = nodeFileTree(fixture());
    const original = await loadDataset({ format: 'preference', source: nodeFileSource(fixture('preference-good.jsonl'), 'in.jsonl'), tree }).toArray();
    const sink = memorySink();
    expect(await writeTrlJsonl(original, sink)).toEqual({ written: 5 });
    const lines = sink.text().trimEnd().split('\n');
    expect(JSON.parse(lines[1])).toEqual({ id: 'std-implicit', prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' });
    expect(JSON.parse(lines[4])).toMatchObject({ id: 'with-media', audio: 'media/a.flac', images: ['media/red.png'] });
    const back = await loadDataset({ format: 'preference', source: memorySource(sink.text(), 'out.jsonl'), tree }).toArray();
    const strip = (rs: typeof original) => rs.map(({ src: _s, implicitPrompt: _i, ...r }) => r);
    expect(strip(back)).toEqual(strip(original));
    expect(back.every((r) => !r.implicitPrompt)).toBe(true);
    expect(await sink.blob().text()).toBe(sink.text());
  });

  it('writes seed-003 records with an explicit empty prompt, so no shared prefix is cut', async () => {
    const recs = await loadDataset({ format: 'asr-preference', source: nodeFileSource(fixture('asr-preference.json'), 'a.json') }).toArray();
    const sink = memorySink();
    await writeTrlJsonl(recs, sink);
    expect(JSON.parse(sink.text().split('\n')[0])).toEqual({ prompt: '', chosen: 'first {bracket] "quoted" text', rejected: 'first', audio: 'media/a.flac', duration: 1.5, language: 'Chinese' });
    const back = await loadDataset({ format: 'preference', source: memorySource(sink.text(), 'b.jsonl') }).toArray();
    expect(back[1]).toMatchObject({ prompt: '', chosen: 'second', rejected: 'secant', audio: ['media/b.flac'] });
  });

  it('writes ADPO records in the seed-002 layout', async () => {
    const recs = await loadDataset({ format: 'adpo', source: nodeFileSource(fixture('adpo.jsonl'), 'adpo.jsonl') }).toArray();
    expect(toTrlRow(recs[0])).toEqual({ response: 'This is a red apple.', chosen: 'What fruit is shown in this image?', chosen_images: ['media/red.png'], rejected: 'What fruit is shown in this image?', rejected_images: ['media/green.png'] });
  });

  it('refuses records without a preference form', () => {
    const asr: AsrRecord = { kind: 'asr', id: 'u1', audio: 'a.flac', text: 'x', src: { file: 'f.tsv', line: 3 } };
    expect(() => toTrlRow(asr)).toThrow(ExportError);
    expect(() => toTrlRow(asr)).toThrow('f.tsv:3: an ASR example (u1) has no chosen/rejected yet: simulate preferences first');
  });

  it('writes a Node file through the buffered sink', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prefstudio-export-'));
    try {
      const path = join(dir, 'out.jsonl');
      const recs = Array.from({ length: 3000 }, (_, i) => ({ kind: 'prompt' as const, format: 'standard' as const, prompt: `p${i} ${'x'.repeat(100)}`, src: { file: 'm', line: i + 1 } }));
      expect(await writeTrlJsonl(recs, nodeFileSink(path))).toEqual({ written: 3000 });
      const lines = (await readFile(path, 'utf8')).split('\n');
      expect(lines).toHaveLength(3001);
      expect(JSON.parse(lines[2999])).toEqual({ prompt: `p2999 ${'x'.repeat(100)}` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
