import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignTokens, countEdits, toWords } from '../../src/sim/wer';
import type { CommandIo } from '../flags';
import { run } from './simulate';

const fx = (name: string) => `tests/fixtures/sim/${name}`;
const out = mkdtempSync(join(tmpdir(), 'simulate-'));
const LIBRI = fx('librispeech');
const TRANS = readFileSync(fx('librispeech/test-clean/1089/134686/1089-134686.trans.txt'), 'utf8');

async function simulate(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const o: string[] = [];
  const e: string[] = [];
  const io: CommandIo = { out: (t) => o.push(t), err: (t) => e.push(t) };
  const code = await run(argv, io);
  return { code, out: o.join('\n'), err: e.join('\n') };
}

interface Row { id: string; prompt: string; chosen: string; rejected: string; audio: string; bias_list: string[]; hits: string[]; error_rate: number }
const rows = (path: string): Row[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

describe('prefstudio simulate', () => {
  it('turns a LibriSpeech tree into TRL preference JSONL with a summary', async () => {
    const pairs = join(out, 'libri.jsonl');
    const summaryPath = join(out, 'libri-summary.json');
    const r = await simulate('--dataset_name', 'openasr', '--dataset_path', LIBRI, '--dataset_config_path', fx('config.json'),
      '--seed', '7', '--output', pairs, '--summary_json', summaryPath);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // 8 transcript lines, the last has no .flac: 7 pairs and one skipped record, named.
    expect(r.out).toContain('dataset: 8 records read, 7 kept, 1 skipped (missing-file 1)');
    expect(r.out).toContain(`skipped: ${LIBRI}/test-clean/1089/134686/1089-134686.trans.txt:8: audio: no audio file 1089-134686-0007.flac`);
    expect(r.out).toContain(`pairs: 7 written to ${pairs}`);
    const got = rows(pairs);
    expect(got).toHaveLength(7);
    for (const row of got) {
      expect(Object.keys(row)).toEqual(['id', 'prompt', 'chosen', 'rejected', 'audio', 'bias_list', 'hits', 'error_rate']);
      // chosen is the transcript with bias hits tagged; rejected differs from it.
      const line = TRANS.split('\n').find((l) => l.startsWith(`${row.id} `));
      expect(row.chosen.replaceAll('*', '')).toBe(line?.slice(row.id.length + 1));
      expect(row.rejected).not.toBe(row.chosen);
      for (const h of row.hits) expect(row.chosen).toContain(`*${h}*`);
      expect(existsSync(resolve(out, row.audio))).toBe(true);
      expect(row.prompt.startsWith('<|user|><|audio_1|>Transcribe the audio clip into text.')).toBe(true);
      expect(row.error_rate).toBeGreaterThanOrEqual(0.1);
      expect(row.error_rate).toBeLessThanOrEqual(0.25);
    }
    // The summary's measured edits are an alignment of the rows it wrote.
    const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as { dataset: { skipped: number }; measured: { substitutions: number; deletions: number; insertions: number }; bias: { hits: number } };
    const edits = got.map((x) => countEdits(alignTokens(toWords(x.chosen), toWords(x.rejected))));
    expect(s.measured).toMatchObject({
      substitutions: edits.reduce((a, e) => a + e.substitutions, 0),
      deletions: edits.reduce((a, e) => a + e.deletions, 0),
      insertions: edits.reduce((a, e) => a + e.insertions, 0),
    });
    expect(s.bias.hits).toBe(got.reduce((a, x) => a + x.hits.length, 0));
    expect(s.dataset.skipped).toBe(1);
  });

  it('writes byte-identical output for the same seed and different output for another', async () => {
    const go = async (seed: string, name: string) => {
      const p = join(out, name);
      expect((await simulate('--dataset_path', LIBRI, '--seed', seed, '--output', p)).code).toBe(0);
      return readFileSync(p, 'utf8');
    };
    const a = await go('1', 'a.jsonl');
    expect(await go('1', 'b.jsonl')).toBe(a);
    expect(await go('2', 'c.jsonl')).not.toBe(a);
  });

  it('reads the seed TSV format and JSONL with text fields, skipping bad records by name', async () => {
    const tsv = await simulate('--dataset_name', 'tsv', '--dataset_path', fx('asr.tsv'), '--output', join(out, 'tsv.jsonl'));
    expect(tsv.code).toBe(0);
    expect(tsv.out).toContain('dataset: 4 records read, 3 kept, 1 skipped (syntax 1)');
    expect(tsv.out).toContain('asr.tsv:4: paths: invalid Python literal');
    expect(rows(join(out, 'tsv.jsonl')).map((x) => x.id)).toEqual(['utt_a', 'utt_b', 'utt_c']);

    const jl = await simulate('--dataset_name', 'jsonl', '--dataset_path', fx('asr.jsonl'), '--output', join(out, 'jl.jsonl'), '--conversation');
    expect(jl.code).toBe(0);
    expect(jl.out).toContain('3 kept, 1 skipped (field 1)');
    expect(jl.out).toContain('asr.jsonl:3: text: missing');
    const conv = JSON.parse(readFileSync(join(out, 'jl.jsonl'), 'utf8').split('\n')[0]) as { prompt: { role: string; content: string }[]; chosen: { role: string }[]; audio: string };
    expect(conv.prompt[0].role).toBe('user');
    expect(conv.prompt[0].content.startsWith('Transcribe the audio clip')).toBe(true);
    expect(conv.chosen[0].role).toBe('assistant');
    expect(existsSync(resolve(out, conv.audio))).toBe(true);
  });

  it('stops after --num_egs examples and can run without biasing noise in the prompt', async () => {
    const p = join(out, 'few.jsonl');
    expect((await simulate('--dataset_path', LIBRI, '--output', p, '--num_egs', '3', '--prompt_format', '{}')).code).toBe(0);
    const got = rows(p);
    expect(got).toHaveLength(3);
    expect(got.every((x) => x.prompt.startsWith('Transcribe the audio clip into text.'))).toBe(true);
  });

  it('takes common words from the seed common_word_file (top common_word_num lines) and warns on ignored keys', async () => {
    // common-words.txt lists THE, AND, HE; common_word_num 2 keeps THE and AND only.
    const p = join(out, 'common.jsonl');
    const r = await simulate('--dataset_path', LIBRI, '--dataset_config_path', fx('config-common.json'), '--output', p);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`warning: ${fx('config-common.json')}: biasing.buffer_size: ignored (distractors come from the whole dataset, not a buffer)`);
    const listed = new Set(rows(p).flatMap((x) => x.bias_list));
    expect(listed.has('*THE*') || listed.has('*AND*')).toBe(false);
    expect(listed.has('*HE*')).toBe(true); // bias_prob 1, hit_prob 1, max_num 50: every rare word of utterance 0 is listed
  });

  it('prints help', async () => {
    const h = await simulate('--help');
    expect(h.code).toBe(0);
    for (const f of ['--dataset_name {openasr,tsv,jsonl}', '--dataset_path', '--dataset_config_path', '--seed', '--output', '--num_egs', '--summary_json']) expect(h.out).toContain(f);
  });

  it('fails with one clear line and a non-zero code on bad input', async () => {
    const o = join(out, 'x.jsonl');
    const cases: [string[], number, string][] = [
      [['--dataset_path', fx('nope'), '--output', o], 1, `prefstudio simulate: --dataset_path: ${fx('nope')}: no such file or folder`],
      [['--dataset_path', LIBRI, '--output', o, '--seed', 'abc'], 2, "prefstudio simulate: --seed: expected an integer, got 'abc'"],
      [['--dataset_path', LIBRI, '--output', o, '--dataset_name', 'csv'], 2, "prefstudio simulate: --dataset_name: expected one of openasr, tsv, jsonl, got 'csv'"],
      [['--dataset_path', LIBRI], 2, 'prefstudio simulate: --output: required'],
      [['--dataset_path', LIBRI, '--output', o, '--dataset_config_path', fx('missing.json')], 1, `prefstudio simulate: --dataset_config_path: cannot read ${fx('missing.json')}: no such file`],
      [['--dataset_path', LIBRI, '--output', o, '--dataset_config_path', fx('config-zero.json')], 1, `prefstudio simulate: ${fx('config-zero.json')}: biasing.max_num: expected an integer >= 1, got 0`],
      [['--dataset_path', LIBRI, '--output', o, '--split', 'test.other'], 1, `prefstudio simulate: ${LIBRI}: split 'test.other' not found (looked for test.other, test-other, LibriSpeech/test-other, LibriSpeech/test.other); the root has: test-clean`],
      [['--dataset_name', 'tsv', '--dataset_path', LIBRI, '--output', o], 1, `prefstudio simulate: --dataset_path: ${LIBRI}: tsv reads a file, not a folder`],
      [['--dataset_path', LIBRI, '--output', join(out, 'no', 'such', 'x.jsonl')], 1, `prefstudio simulate: cannot write ${join(out, 'no', 'such', 'x.jsonl')}: no such folder`],
    ];
    for (const [argv, code, line] of cases) {
      const r = await simulate(...argv);
      expect(r.err).toBe(line);
      expect(r.code).toBe(code);
      expect(r.out).toBe('');
    }
    const bad = await simulate('--dataset_path', LIBRI, '--output', o, '--dataset_config_path', fx('config-bad.json'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^prefstudio simulate: .*config-bad\.json: biasing\.hit_prob: /);
    expect(bad.err.includes('\n')).toBe(false);
  });
});
