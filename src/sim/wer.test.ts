import { describe, expect, it } from 'vitest';
import {
  alignTokens, alignmentView, basicNormalize, countEdits, measuresOf, processCorpus, processUtterance,
  toWords, type AlignmentChunk,
} from './wer';

// Every expected alignment below was worked out by hand from the rule in wer.ts's header:
// backtrace from the end, preferring diagonal, then deletion, then insertion.
const chunk = (type: AlignmentChunk['type'], refStart: number, refEnd: number, hypStart: number, hypEnd: number): AlignmentChunk =>
  ({ type, refStart, refEnd, hypStart, hypEnd });
const align = (ref: string, hyp: string) => alignTokens(toWords(ref), toWords(hyp));

describe('alignTokens', () => {
  it('aligns a substitution and a deletion', () => {
    // the cat [sat->sit] on [the] mat
    expect(align('the cat sat on the mat', 'the cat sit on mat')).toEqual([
      chunk('equal', 0, 2, 0, 2), chunk('substitute', 2, 3, 2, 3), chunk('equal', 3, 4, 3, 4),
      chunk('delete', 4, 5, 4, 4), chunk('equal', 5, 6, 4, 5),
    ]);
  });

  it('handles an empty reference, an empty hypothesis and both empty', () => {
    expect(align('', 'hello world')).toEqual([chunk('insert', 0, 0, 0, 2)]);
    expect(align('a b c', '')).toEqual([chunk('delete', 0, 3, 0, 0)]);
    expect(align('', '')).toEqual([]);
  });

  it('matches repeated words to their last copies', () => {
    expect(align('the the cat', 'the cat')).toEqual([chunk('delete', 0, 1, 0, 0), chunk('equal', 1, 3, 0, 2)]);
    expect(align('go now', 'go go now')).toEqual([chunk('insert', 0, 0, 0, 1), chunk('equal', 0, 2, 1, 3)]);
  });

  it('prefers a substitution over a deletion plus an insertion of equal cost', () => {
    // "a b" -> "b c": S S (cost 2) ties with D(a) =b I(c) (cost 2); substitutions win.
    expect(align('a b', 'b c')).toEqual([chunk('substitute', 0, 2, 0, 2)]);
    // The substitution lands as late as possible: D(a) S(b->c), not S(a->c) D(b).
    expect(align('a b', 'c')).toEqual([chunk('delete', 0, 1, 0, 0), chunk('substitute', 1, 2, 0, 1)]);
    expect(align('a', 'b c')).toEqual([chunk('insert', 0, 0, 0, 1), chunk('substitute', 0, 1, 1, 2)]);
  });

  it('uses deletion plus insertion when it is cheaper than substitutions', () => {
    // "a b c" -> "b c d": D(a) = = I(d) costs 2, three substitutions cost 3.
    expect(align('a b c', 'b c d')).toEqual([
      chunk('delete', 0, 1, 0, 0), chunk('equal', 1, 3, 0, 2), chunk('insert', 3, 3, 2, 3),
    ]);
  });

  it('prefers a deletion over an insertion when both tie (walking back from the end)', () => {
    // "a b a" -> "b a b": at the end both D(a) and I(b) are optimal; D is taken there.
    expect(align('a b a', 'b a b')).toEqual([
      chunk('insert', 0, 0, 0, 1), chunk('equal', 0, 2, 1, 3), chunk('delete', 2, 3, 3, 3),
    ]);
  });

  it('puts runs of insertions at the start and the end in one chunk each', () => {
    expect(align('b c', 'a a b c d d')).toEqual([
      chunk('insert', 0, 0, 0, 2), chunk('equal', 0, 2, 2, 4), chunk('insert', 2, 2, 4, 6),
    ]);
    expect(align('x y b c z', 'b c')).toEqual([
      chunk('delete', 0, 2, 0, 0), chunk('equal', 2, 4, 0, 2), chunk('delete', 4, 5, 2, 2),
    ]);
  });

  it('always finds the minimum edit count (checked against a brute-force recursion)', () => {
    const brute = (a: string[], b: string[]): number => {
      if (a.length === 0) return b.length;
      if (b.length === 0) return a.length;
      const cost = a[a.length - 1] === b[b.length - 1] ? 0 : 1;
      return Math.min(
        brute(a.slice(0, -1), b.slice(0, -1)) + cost,
        brute(a.slice(0, -1), b) + 1,
        brute(a, b.slice(0, -1)) + 1,
      );
    };
    const words = ['a', 'b', 'c'];
    let seed = 1;
    const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: next() % 6 }, () => words[next() % 3]);
      const b = Array.from({ length: next() % 6 }, () => words[next() % 3]);
      const c = countEdits(alignTokens(a, b));
      expect(c.substitutions + c.deletions + c.insertions).toBe(brute(a, b));
      expect(c.hits + c.substitutions + c.deletions).toBe(a.length);
      expect(c.hits + c.substitutions + c.insertions).toBe(b.length);
    }
  });
});

describe('measures', () => {
  it('computes wer, mer, wil and wip for one utterance', () => {
    const u = processUtterance('the cat sat on the mat', 'the cat sit on mat');
    expect([u.hits, u.substitutions, u.deletions, u.insertions]).toEqual([4, 1, 1, 0]);
    expect(u.wer).toBeCloseTo(2 / 6, 12);
    expect(u.mer).toBeCloseTo(2 / 6, 12);
    expect(u.wip).toBeCloseTo((4 / 6) * (4 / 5), 12);
    expect(u.wil).toBeCloseTo(1 - (4 / 6) * (4 / 5), 12);
  });

  it('follows jiwer 4 for empty references: wer = insertions, no error', () => {
    const one = processUtterance('', 'hello');
    expect([one.insertions, one.wer, one.mer, one.wip, one.wil]).toEqual([1, 1, 1, 0, 1]);
    const three = processUtterance('', 'a b c');
    expect([three.insertions, three.wer, three.mer, three.wip, three.wil]).toEqual([3, 3, 1, 0, 1]);
    const none = processUtterance('', '');
    expect([none.wer, none.mer, none.wip, none.wil, none.cer]).toEqual([0, 0, 1, 0, 0]);
    const emptyHyp = processUtterance('hello', '');
    expect([emptyHyp.deletions, emptyHyp.wer, emptyHyp.mer, emptyHyp.wip, emptyHyp.wil]).toEqual([1, 1, 1, 0, 1]);
  });

  it('takes corpus totals as sums of edits over the sum of reference words', () => {
    // jiwer: ["hello world", ""] vs ["hello world", "done"] -> I = 1, wer 1/2, mer 1/3, wip 2/3.
    const c = processCorpus([
      { reference: 'hello world', hypothesis: 'hello world' },
      { reference: '', hypothesis: 'done' },
    ]);
    expect(c.insertions).toBe(1);
    expect(c.wer).toBeCloseTo(1 / 2, 12);
    expect(c.mer).toBeCloseTo(1 / 3, 12);
    expect(c.wip).toBeCloseTo(2 / 3, 12);
    expect(c.wil).toBeCloseTo(1 / 3, 12);
    // Not the mean of per-utterance rates: 1 error in 4 words and 0 in 1 gives 1/5, not 1/8.
    const d = processCorpus([
      { reference: 'a b c d', hypothesis: 'a b c x' },
      { reference: 'e', hypothesis: 'e' },
    ]);
    expect(d.wer).toBeCloseTo(1 / 5, 12);
    expect(d.utterances.map((u) => u.wer)).toEqual([0.25, 0]);
  });

  it('computes CER over code points of the stripped text, spaces included', () => {
    // "abc de" -> "abd de": one substitution in 6 characters.
    expect(processUtterance('abc de', 'abd de').cer).toBeCloseTo(1 / 6, 12);
    // jiwer: cer("abc", "") = 1, cer("", "abd") = 3.
    expect(processUtterance('abc', '').cer).toBe(1);
    expect(processUtterance('', 'abd').cer).toBe(3);
    // "ab" vs "a b": one inserted space.
    const u = processUtterance(' ab ', 'a b');
    expect(u.charCounts).toMatchObject({ insertions: 1, refLength: 2, hypLength: 3 });
    expect(processUtterance('héllo', 'hello').cer).toBeCloseTo(1 / 5, 12);
  });

  it('derives measures from counts alone', () => {
    expect(measuresOf({ hits: 2, substitutions: 1, deletions: 1, insertions: 2 })).toMatchObject({
      refLength: 4, hypLength: 5, wer: 1, mer: 4 / 6,
    });
  });
});

describe('alignmentView', () => {
  it('renders REF/HYP columns with S, D and I marks like jiwer', () => {
    const u = processUtterance('the cat sat on the mat', 'the cat sit on mat');
    expect(alignmentView(u.reference, u.hypothesis, u.chunks)).toBe(
      'REF: the cat sat on the mat\n' +
      'HYP: the cat sit on *** mat\n' +
      '               S      D',
    );
  });

  it('pads columns to the longer word and stars missing words', () => {
    const u = processUtterance('b c', 'aa b c dddd');
    expect(alignmentView(u.reference, u.hypothesis, u.chunks)).toBe(
      'REF: ** b c ****\n' +
      'HYP: aa b c dddd\n' +
      '      I        I',
    );
    const v = processUtterance('hello big world', 'hi world');
    expect(alignmentView(v.reference, v.hypothesis, v.chunks)).toBe(
      'REF: hello big world\n' +
      'HYP: *****  hi world\n' +
      '         D   S',
    );
  });
});

describe('basicNormalize (Whisper BasicTextNormalizer)', () => {
  it('lowercases, drops bracketed and parenthesized text, and spaces out punctuation', () => {
    expect(basicNormalize('Hello, World! [NOISE] (laughs) <unk> ok')).toBe('hello world ok');
    expect(basicNormalize("It's 5$ - really?")).toBe('it s 5 really ');
    expect(basicNormalize('  a\t\tb\n')).toBe(' a b ');
  });

  it('keeps diacritics by default and drops them on request', () => {
    expect(basicNormalize('Café Ærø straße')).toBe('café ærø straße');
    expect(basicNormalize('Café Ærø straße', { removeDiacritics: true })).toBe('cafe aero strasse');
  });

  it('applies NFKC before replacing symbols (full-width letters become ASCII)', () => {
    expect(basicNormalize('ＡＢＣ！')).toBe('abc ');
  });

  it('makes WER ignore case and punctuation when asked', () => {
    expect(processUtterance('Hello, world.', 'hello world').wer).toBe(1);
    expect(processUtterance('Hello, world.', 'hello world', { normalize: true }).wer).toBe(0);
  });
});
