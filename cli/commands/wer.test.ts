import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../flags';
import { run } from './wer';

const fx = (name: string) => `tests/fixtures/sim/${name}`;

async function wer(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await run(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('prefstudio wer', () => {
  it('scores two text files line by line, with alignments and totals', async () => {
    // ref.txt / hyp.txt: (1) S + D in 6 words, (2) one insertion in 2 words, (3) empty reference
    // against "surprise". Totals: H 6, S 1, D 1, I 2 over 8 reference words and 9 hypothesis words.
    const r = await wer(fx('ref.txt'), fx('hyp.txt'));
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toBe([
      'utterance 1: WER 33.33%  H=4 S=1 D=1 I=0  (6 ref words)',
      'REF: the cat sat on the mat',
      'HYP: the cat sit on *** mat',
      '               S      D',
      '',
      'utterance 2: WER 50.00%  H=2 S=0 D=0 I=1  (2 ref words)',
      'REF: hello *** world',
      'HYP: hello big world',
      '             I',
      '',
      // jiwer 4: an empty reference has WER = insertions (here 1, printed as 100 %).
      'utterance 3: WER 100.00%  H=0 S=0 D=0 I=1  (0 ref words)',
      'REF: ********',
      'HYP: surprise',
      '            I',
      '',
      'total: 3 utterances, 8 reference words, 9 hypothesis words',
      // WER 4/8, MER 4/10, WIP (6/8)(6/9) = 0.5; CER (1 S + 4 D) + 4 I + 8 I = 17 over 22 + 11 chars.
      'WER 50.00%  MER 40.00%  WIL 50.00%  WIP 50.00%  CER 51.52%',
      'hits 6  substitutions 1  deletions 1  insertions 2',
    ].join('\n'));
  });

  it('reads one JSONL file of reference/hypothesis pairs and normalizes on request', async () => {
    const plain = await wer(fx('pairs.jsonl'), '--json');
    expect(plain.code).toBe(0);
    const p = JSON.parse(plain.out) as { utterances: { id: string; wer: number; chunks: unknown[] }[]; total: { wer: number; substitutions: number; deletions: number } };
    expect(p.utterances.map((u) => [u.id, u.wer])).toEqual([['a', 1], ['2', 1 / 3]]);
    expect(p.total).toMatchObject({ wer: 3 / 5, substitutions: 2, deletions: 1 });
    expect(p.utterances[1].chunks).toEqual([
      { type: 'equal', ref_start: 0, ref_end: 2, hyp_start: 0, hyp_end: 2 },
      { type: 'delete', ref_start: 2, ref_end: 3, hyp_start: 2, hyp_end: 2 },
    ]);
    const norm = JSON.parse((await wer(fx('pairs.jsonl'), '--json', '--normalize')).out) as { total: { wer: number } };
    expect(norm.total.wer).toBeCloseTo(1 / 5, 12);
  });

  it('omits the alignments with --no-alignment and prints help', async () => {
    const r = await wer(fx('ref.txt'), fx('hyp.txt'), '--no-alignment');
    expect(r.out).not.toContain('REF:');
    expect(r.out).toContain('WER 50.00%');
    const h = await wer('--help');
    expect(h.code).toBe(0);
    expect(h.out).toContain('usage: prefstudio wer [flags] REF [HYP]');
    expect(h.out).toContain('--normalize');
  });

  it('fails with one clear line and a non-zero code on bad input', async () => {
    const cases: [string[], number, string][] = [
      [[fx('missing.txt'), fx('hyp.txt')], 1, `prefstudio wer: cannot read ${fx('missing.txt')}: no such file`],
      [[fx('ref.txt'), fx('hyp-short.txt')], 1, `prefstudio wer: ${fx('hyp-short.txt')}: has 1 lines but ${fx('ref.txt')} has 3; they must pair line for line`],
      [[fx('bad-field.jsonl')], 1, `prefstudio wer: ${fx('bad-field.jsonl')}:2: hypothesis: expected a string, got 3`],
      [[], 2, 'prefstudio wer: missing argument REF'],
      [[fx('ref.txt'), fx('hyp.txt'), '--normalise'], 2, 'prefstudio wer: unknown flag --normalise (did you mean --normalize?)'],
      [[fx('ref.txt'), fx('hyp.txt'), '--json=perhaps'], 2, "prefstudio wer: --json: expected true or false, got 'perhaps'"],
    ];
    for (const [argv, code, line] of cases) {
      const r = await wer(...argv);
      expect(r.code).toBe(code);
      expect(r.err).toBe(line);
      expect(r.out).toBe('');
    }
    const bad = await wer(fx('bad-json.jsonl'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(new RegExp(`^prefstudio wer: ${fx('bad-json.jsonl')}:2: not valid JSON \\(`));
    expect(bad.err.includes('\n')).toBe(false);
  });
});
