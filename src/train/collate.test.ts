import { describe, expect, it } from 'vitest';
import { collatePreference, collateRows, contextRows, lengthBucket } from './collate';
import { tokenizeContextsForCausalLm, tokenizeContextsForWhisper, tokenizeForCausalLm, tokenizeForWhisper, type TextTokenizer } from './tokenize';

// A word-level tokenizer over a fixed vocabulary: enough to check the bookkeeping.
const vocab = ['<pad>', '<eos>', 'the', 'cat', 'sat', 'dog', 'ran', 'q:', 'a:'];
const tok: TextTokenizer = {
  encode: (s) => s.split(/\s+/).filter(Boolean).map((w) => { const i = vocab.indexOf(w); if (i < 0) throw new Error(w); return i; }),
  eosTokenId: 1,
};

describe('TRL-style tokenization', () => {
  it('tokenizes prompt and completions apart and appends EOS to completions only', () => {
    const t = tokenizeForCausalLm(tok, { prompt: 'q: the', chosen: 'cat sat', rejected: 'dog' });
    expect(t).toEqual({ promptIds: [7, 2], chosenIds: [3, 4, 1], rejectedIds: [5, 1] });
  });

  it('keeps the end of long prompts and the start of long completions', () => {
    const t = tokenizeForCausalLm(tok, { prompt: 'q: the cat sat', chosen: 'the dog ran', rejected: 'dog' }, { maxPromptLength: 2, maxCompletionLength: 2 });
    expect(t).toEqual({ promptIds: [3, 4], chosenIds: [2, 5], rejectedIds: [5, 1] });
  });

  it('builds the Whisper decoder prompt with an optional previous-text bias prompt', () => {
    const prompt = { prefixIds: [50, 51, 52, 53], startOfPrevId: 40, eotId: 49 };
    const plain = tokenizeForWhisper(tok, prompt, { chosen: 'the cat', rejected: 'the dog' });
    expect(plain).toEqual({ promptIds: [50, 51, 52, 53], chosenIds: [2, 3, 49], rejectedIds: [2, 5, 49] });
    const biased = tokenizeForWhisper(tok, prompt, { prompt: 'cat dog', chosen: 'the cat', rejected: 'sat' });
    expect(biased.promptIds).toEqual([40, 3, 5, 50, 51, 52, 53]);
    expect(() => tokenizeForWhisper(tok, { ...prompt, startOfPrevId: null }, { prompt: 'cat', chosen: 'the', rejected: 'the' })).toThrow(/startofprev/);
  });
});

describe('ADPO and BOS tokenization', () => {
  it('prepends BOS to LM prompts when the tokenizer has one, and starts an empty prompt with EOS otherwise', () => {
    const withBos = { ...tok, bosTokenId: 0 };
    expect(tokenizeForCausalLm(withBos, { prompt: 'q: the', chosen: 'cat', rejected: 'dog' }).promptIds).toEqual([0, 7, 2]);
    expect(tokenizeForCausalLm(tok, { prompt: '', chosen: 'cat', rejected: 'dog' }).promptIds).toEqual([1]);
  });

  it('tokenizes one response under two contexts, cutting both rows to the same response', () => {
    const t = tokenizeContextsForCausalLm(tok, { chosen: 'q: the cat', rejected: 'dog', response: 'sat ran' });
    expect(t).toEqual({ chosenPromptIds: [7, 2, 3], rejectedPromptIds: [5], responseIds: [4, 6, 1] });
    const cut = tokenizeContextsForCausalLm(tok, { chosen: 'q: the cat', rejected: 'dog', response: 'sat ran' }, { maxLength: 5 });
    expect(cut.responseIds).toEqual([4, 6]); // 3 prompt tokens + 2 fit; the rejected row gets the same 2
    const prompt = { prefixIds: [50, 51], startOfPrevId: 40, eotId: 49 };
    const w = tokenizeContextsForWhisper(tok, prompt, { chosen: 'cat', rejected: '', response: 'the dog' });
    expect(w).toEqual({ chosenPromptIds: [40, 3, 50, 51], rejectedPromptIds: [50, 51], responseIds: [2, 5, 49] });
    const rows = contextRows([w]);
    const b = collateRows(rows, { length: 6, batch: 1 });
    expect(b.length).toBe(6); // the run's fixed length, not the batch's own bucket
    expect([...b.completionMask]).toEqual([0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0]);
    expect([...b.labels.slice(6, 12)]).toEqual([51, 2, 5, 49, 0, 0]);
  });
});

describe('collatePreference', () => {
  it('shifts labels by one and masks exactly the completion predictions', () => {
    const b = collatePreference([{ promptIds: [7, 2], chosenIds: [3, 1], rejectedIds: [5, 6, 1] }], { step: 4 });
    expect(b.length).toBe(4); // longest: 2 + 3 - 1 = 4 inputs
    // chosen row: inputs 7 2 3 | labels 2 3 1 | the prediction of 3 (t=1) and 1 (t=2) are completion
    expect([...b.inputIds.slice(0, 4)]).toEqual([7, 2, 3, 0]);
    expect([...b.labels.slice(0, 4)]).toEqual([2, 3, 1, 0]);
    expect([...b.completionMask.slice(0, 4)]).toEqual([0, 1, 1, 0]);
    expect([...b.attentionMask.slice(0, 4)]).toEqual([1, 1, 1, 0]);
    // rejected row follows
    expect([...b.labels.slice(4, 8)]).toEqual([2, 5, 6, 1]);
    expect([...b.completionMask.slice(4, 8)]).toEqual([0, 1, 1, 1]);
  });

  it('rounds lengths to buckets and refuses sequences over max_length', () => {
    expect(lengthBucket(17)).toBe(32);
    expect(lengthBucket(17, 16, 24)).toBe(24);
    expect(() => collatePreference([{ promptIds: [1], chosenIds: [2, 3, 4, 5, 6, 7], rejectedIds: [2] }], { step: 4, maxLength: 4 })).toThrow(/max_length/);
  });
});
