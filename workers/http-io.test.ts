// The worker's HTTP side of a training job, against the headless runner's real loopback server.
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../cli/headless/server';
import { LM_PAIRS, writeLmRun, writeWhisperRun } from '../cli/headless/fixtures';
import { toneAmplitude } from '../src/data/audio/testing';
import { audioLoader, httpSink, httpTree, loadExamples, toExample } from './http-io';

const dir = mkdtempSync(join(tmpdir(), 'http-io-'));
let origin = '';
let close: () => Promise<void> = async () => {};
let lmData = '';
let asrData = '';
const out = join(dir, 'out');

beforeAll(async () => {
  lmData = (await writeLmRun(dir)).data;
  asrData = (await writeWhisperRun(dir, { n: 2, sampleRate: 22050 })).data;
  writeFileSync(join(dir, 'secret.wav'), 'RIFF');
  symlinkSync(join(dir, 'secret.wav'), join(dirname(asrData), 'wav', 'link.wav'));
  const s = await serve({ appDir: dir, mounts: { lm: dirname(lmData), asr: dirname(asrData) }, outputDir: out });
  ({ origin, close } = s);
});
afterAll(() => close());

describe('worker HTTP I/O', () => {
  it('parses TRL preference JSONL from the dataset mount into trainer examples', async () => {
    const { examples, summary } = await loadExamples({ root: `${origin}/mount/lm`, file: 'pairs.jsonl' }, 'auto');
    expect(summary.format).toBe('preference');
    expect(examples).toEqual(LM_PAIRS.map((p, i) => ({ id: `p${i}`, ...p })));
  });

  it('seed-003 records keep their audio as a path; the loader fetches, decodes and resamples it to 16 kHz', async () => {
    const { examples, summary } = await loadExamples({ root: `${origin}/mount/asr`, file: 'train.jsonl' }, 'auto');
    expect(summary.format).toBe('asr-preference');
    expect(examples.map((e) => e.audio)).toEqual(['wav/utt0.wav', 'wav/utt1.wav']);
    expect(examples[0]).toMatchObject({ chosen: 'the cat sat on the mat', rejected: 'the hat sat in the mat', id: 'u0' });
    const samples = await audioLoader(`${origin}/mount/asr`)('wav/utt1.wav');
    expect(samples.length).toBe(Math.round(0.8 * 16000));
    // utt1 is a 330 Hz tone at 0.4: it survives the 22.05 -> 16 kHz resampling.
    expect(toneAmplitude(samples, 16000, 330, 1600, 11200)).toBeCloseTo(0.4, 1);
    await expect(audioLoader(`${origin}/mount/asr`)('../secret.wav')).rejects.toThrow(/escapes the dataset root/);
  });

  it('refuses record paths that leave the dataset folder: relative, absolute, or through a link', async () => {
    const root = dirname(asrData);
    const write = (name: string, path: string) => writeFileSync(join(root, name), `${JSON.stringify({ audio: { path }, chosen: 'a', rejected: 'b' })}\n`);
    write('up.jsonl', '../secret.wav');
    await expect(loadExamples({ root: `${origin}/mount/asr`, file: 'up.jsonl' }, 'auto')).rejects.toThrow('up.jsonl:1: audio.path: path "../secret.wav" escapes the dataset root');
    write('abs.jsonl', join(dir, 'secret.wav'));
    await expect(loadExamples({ root: `${origin}/mount/asr`, file: 'abs.jsonl', rootPath: root }, 'auto')).rejects.toThrow(/abs\.jsonl:1: audio\.path: absolute path .* is outside the dataset root/);
    // An absolute path under the root is fine when the worker knows the root's local path.
    write('abs-in.jsonl', join(root, 'wav', 'utt0.wav'));
    const ok = await loadExamples({ root: `${origin}/mount/asr`, file: 'abs-in.jsonl', rootPath: root }, 'auto');
    expect(ok.examples[0].audio).toBe('wav/utt0.wav');
    write('link.jsonl', 'wav/link.wav');
    await expect(loadExamples({ root: `${origin}/mount/asr`, file: 'link.jsonl' }, 'auto')).rejects.toThrow(/HTTP 403 .*leads outside .* through a link/);
    write('gone.jsonl', 'wav/gone.wav');
    await expect(loadExamples({ root: `${origin}/mount/asr`, file: 'gone.jsonl' }, 'auto')).rejects.toThrow(/gone\.jsonl:1: audio\.path: file "wav\/gone\.wav" not found/);
  });

  it('the tree streams files and answers exists()', async () => {
    const tree = httpTree(`${origin}/mount/lm`, 'lm');
    expect(await tree.exists('pairs.jsonl')).toBe(true);
    expect(await tree.exists('nope.jsonl')).toBe(false);
    const chunks: Uint8Array[] = [];
    for await (const c of tree.file('pairs.jsonl').stream()) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe(readFileSync(lmData, 'utf8'));
    await expect((async () => { for await (const _ of tree.file('nope.jsonl').stream()) { /* */ } })()).rejects.toThrow(/file 'nope\.jsonl' not found/);
  });

  it('the sink writes and appends in call order; a failed write surfaces on flush', async () => {
    const sink = httpSink(`${origin}/output`);
    void sink.write('checkpoint-1/a.bin', Uint8Array.of(1, 2, 3));
    for (let i = 1; i <= 5; i++) void sink.append('metrics.jsonl', `{"step":${i}}\n`);
    await sink.write('trainer_state.json', '{"global_step":5}');
    await sink.flush();
    expect([...readFileSync(join(out, 'checkpoint-1/a.bin'))]).toEqual([1, 2, 3]);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe([1, 2, 3, 4, 5].map((i) => `{"step":${i}}\n`).join(''));
    const bad = httpSink(`${origin}/nowhere`);
    bad.append('x.txt', 'x').catch(() => {});
    await expect(bad.flush()).rejects.toThrow(/writing x\.txt: HTTP 404/);
  });

  it('ADPO text records become response + two contexts; images and chat contexts are refused by name; chat preference records keep their messages', () => {
    const src = { file: 'a.jsonl', line: 3 };
    expect(toExample({ kind: 'adpo', response: 'r', chosen: 'c', chosenImages: [], rejected: 'x', rejectedImages: [], src })).toEqual({ response: 'r', chosen: 'c', rejected: 'x' });
    expect(() => toExample({ kind: 'adpo', response: 'r', chosen: 'c', chosenImages: ['i.png'], rejected: 'x', rejectedImages: [], src })).toThrow('a.jsonl:3: ADPO with images');
    const m = [{ role: 'user', content: 'hi' }];
    const a = [{ role: 'assistant', content: 'hello' }];
    expect(toExample({ kind: 'preference', format: 'conversational', implicitPrompt: false, prompt: m, chosen: a, rejected: m, id: 'c', src })).toEqual({ prompt: m, chosen: a, rejected: m, id: 'c' });
    expect(() => toExample({ kind: 'adpo', response: 'r', chosen: m, chosenImages: [], rejected: m, rejectedImages: [], src })).toThrow('a.jsonl:3: conversational ADPO contexts need a chat template');
    expect(() => toExample({ kind: 'asr', id: 'x', audio: 'a.flac', text: 't', src })).toThrow("a.jsonl:3: a 'asr' record is not a preference pair");
  });
});
