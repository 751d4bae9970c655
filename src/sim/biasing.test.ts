import { describe, expect, it } from 'vitest';
import {
  ASR_PROMPT, BIASING_PROMPT, buildWordStats, createBiaser, isRare, normWords, resolveBiasing, splitPieces,
} from './biasing';
import { createRng } from './random';
import { synthUtterances } from './synth';

const config = (over: Parameters<typeof resolveBiasing>[0] = {}) => resolveBiasing(over);

describe('word statistics', () => {
  it('normalizes words like the seed text_norm', () => {
    expect(normWords("Hello, World! It's self-driving... (ok)")).toEqual(['hello', 'world', "it's", 'self-driving', 'ok']);
  });

  it('splits common from rare by token coverage, never calling a word seen once common', () => {
    // the 3, cat 2, sat 2, on/mat/dog/a 1: 11 tokens. Half (5.5) is first reached with count 2.
    const texts = ['the cat sat on the mat', 'the dog sat', 'a cat'];
    const half = buildWordStats(texts, 0.5);
    expect(half.total).toBe(11);
    expect(half.commonThreshold).toBe(2);
    expect(half.rareWords).toEqual(['a', 'dog', 'mat', 'on']);
    expect(isRare(half, 'cat')).toBe(false);
    expect(isRare(half, 'unseen')).toBe(true);
    // 20 % (2.2 tokens) is reached by "the" alone.
    expect(buildWordStats(texts, 0.2).rareWords).toEqual(['a', 'cat', 'dog', 'mat', 'on', 'sat']);
    // Full coverage would reach count 1, but the threshold is at least 2.
    expect(buildWordStats(texts, 1).commonThreshold).toBe(2);
    // Coverage 0: nothing is common.
    expect(buildWordStats(texts, 0).rareWords).toHaveLength(7);
  });

  it('uses a fixed common-word list instead of counts when given one (the seed common_word_file)', () => {
    const s = buildWordStats(['the cat sat on the mat', 'the dog sat', 'a cat'], 0.5, ['The', 'a', 'on']);
    expect(s.commonThreshold).toBeNull();
    expect(s.rareWords).toEqual(['cat', 'dog', 'mat', 'sat']);
  });

  it('splits an utterance into pieces of at most max_piece_len words, covering every word once', () => {
    const words = 'one two, three four five six seven'.split(' ');
    const stats = buildWordStats([words.join(' ')], 0);
    const one = splitPieces(words, 1, createRng(1), stats);
    expect(one.map((p) => p.display)).toEqual(['one', 'two', 'three', 'four', 'five', 'six', 'seven']);
    expect(one[1]).toMatchObject({ start: 1, end: 2, display: 'two', key: 'two', rare: true });
    for (let seed = 0; seed < 20; seed++) {
      const ps = splitPieces(words, 3, createRng(seed), stats);
      expect(ps.every((p) => p.end - p.start >= 1 && p.end - p.start <= 3)).toBe(true);
      expect(ps.map((p) => `${p.start}-${p.end}`).join(' ')).toMatch(/^0-/);
      for (let i = 1; i < ps.length; i++) expect(ps[i].start).toBe(ps[i - 1].end);
      expect(ps[ps.length - 1].end).toBe(words.length);
    }
  });
});

describe('createBiaser', () => {
  // the/cat/saw are common (count 3 each), Zelda is the only rare word.
  const texts = ['the cat saw Zelda,', 'the cat saw', 'the  cat saw'];

  it('lists and tags the true rare piece when hit_prob is 1', () => {
    const b = createBiaser(texts, config({ bias_prob: 1, hit_prob: 1, max_num: 1 }), 0);
    expect(b.pool.map((p) => p.key)).toEqual(['zelda']);
    expect(b.apply(0)).toEqual({
      text: 'the cat saw *Zelda*,',
      biasList: ['*Zelda*'],
      hits: ['Zelda'],
      distractors: [],
      candidates: 1,
      prompt: `${BIASING_PROMPT} *Zelda*`,
    });
  });

  it('pads with distractors from other utterances, never tagging them in the transcript', () => {
    const b = createBiaser(texts, config({ bias_prob: 1, hit_prob: 1, max_num: 1 }), 0);
    expect(b.apply(2)).toEqual({
      text: 'the cat saw', biasList: ['*Zelda*'], hits: [], distractors: ['Zelda'], candidates: 0,
      prompt: `${BIASING_PROMPT} *Zelda*`,
    });
  });

  it('honours tag_all, an empty tag, hit_prob 0 and bias_prob 0', () => {
    expect(createBiaser(texts, config({ bias_prob: 1, hit_prob: 1, max_num: 1, tag_all: false }), 0).apply(0))
      .toMatchObject({ text: 'the cat saw *Zelda*,', biasList: ['Zelda'] });
    expect(createBiaser(texts, config({ bias_prob: 1, hit_prob: 1, max_num: 1, tag: '' }), 0).apply(0))
      .toMatchObject({ text: 'the cat saw Zelda,', biasList: ['Zelda'], prompt: `${BIASING_PROMPT} Zelda` });
    // hit_prob 0: the drawn piece is dropped; the only pool piece occurs here, so the list is empty.
    expect(createBiaser(texts, config({ bias_prob: 1, hit_prob: 0, max_num: 1 }), 0).apply(0))
      .toEqual({ text: 'the cat saw Zelda,', biasList: [], hits: [], distractors: [], candidates: 1, prompt: ASR_PROMPT });
    expect(createBiaser(texts, config({ bias_prob: 0 }), 0).apply(2))
      .toEqual({ text: 'the cat saw', biasList: [], hits: [], distractors: [], candidates: 0, prompt: ASR_PROMPT });
  });

  it('keeps list sizes, hit rates and list rates at their configured values over many utterances', () => {
    const data = synthUtterances(3000, 9);
    const cfg = config({ bias_prob: 0.8, hit_prob: 0.7, max_piece_len: 3, max_num: 4 });
    const b = createBiaser(data, cfg, 123);
    let lists = 0, kept = 0, candidates = 0;
    for (let i = 0; i < data.length; i++) {
      const u = b.apply(i);
      const norm = ` ${normWords(data[i]).join(' ')} `;
      expect(u.biasList.length).toBeLessThanOrEqual(4);
      expect(u.hits.length + u.distractors.length).toBe(u.biasList.length);
      for (const h of u.hits) expect(norm).toContain(` ${normWords(h).join(' ')} `);
      for (const d of u.distractors) expect(norm).not.toContain(` ${normWords(d).join(' ')} `);
      for (const e of u.biasList) expect(e.split(' ').length).toBeLessThanOrEqual(3);
      // Removing the tags gives back the transcript.
      expect(u.text.replaceAll('*', '')).toBe(data[i]);
      if (u.biasList.length > 0) lists++;
      kept += u.hits.length;
      candidates += u.candidates;
    }
    // bias_prob 0.8 over 3000 (sd 0.7 %): lists can only be missing where no piece is available.
    expect(lists / data.length).toBeGreaterThan(0.76);
    expect(lists / data.length).toBeLessThan(0.84);
    expect(Math.abs(kept / candidates - 0.7)).toBeLessThan(0.03);
  });

  it('is deterministic in the seed and changes with it', () => {
    const data = synthUtterances(50, 2);
    const run = (seed: number) => { const b = createBiaser(data, config({ bias_prob: 1, max_num: 3 }), seed); return data.map((_, i) => b.apply(i)); };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });
});

describe('resolveBiasing', () => {
  it('fills seed defaults and rejects bad values with the field name', () => {
    expect(resolveBiasing({ max_num: 2 })).toMatchObject({ bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2, tag: '*' });
    expect(() => resolveBiasing({ hit_prob: 2 })).toThrow('biasing.hit_prob: expected a number in [0, 1], got 2');
    expect(() => resolveBiasing({ max_num: 0 })).toThrow('biasing.max_num: expected an integer >= 1, got 0');
    expect(() => resolveBiasing({ max_piece_len: 1.5 })).toThrow('biasing.max_piece_len');
    expect(() => resolveBiasing({ tag: 'a b' })).toThrow('biasing.tag');
  });
});
