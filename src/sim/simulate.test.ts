import { describe, expect, it } from 'vitest';
import { ASR_PROMPT, BIASING_PROMPT } from './biasing';
import { SEED_PROMPT_FORMAT, pairsToJsonl, resolveSimulation, simulatePairs } from './simulate';
import { synthUtterances } from './synth';
import { addCounts, alignTokens, countEdits, toWords } from './wer';

// 10,000 seeded utterances of 10..30 words: with error rates >= 0.1 every utterance gets r n >= 1,
// so the k >= 1 rule (errors.ts) does not lift the rates and the expectation is exact.
const corpus = synthUtterances(10000, 20240, { minWords: 10, maxWords: 30 });

describe('simulated error rates', () => {
  // Bound: 5 % of each configured rate (the measured spread over seeds 1..3 was within 2.2 %),
  // and 2 % of the total, which the k = floor(r n + u) rounding keeps unbiased.
  const cases = [
    { name: 'the seed config (0.1..0.25; D 0.1, S 0.1, I 0.05)', errors: { error_range: [0.1, 0.25], delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05 }, biasing: { bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2 } },
    { name: 'an asymmetric config (0.1..0.2; D 0.2, S 0.5, I 0.3)', errors: { error_range: [0.1, 0.2], delete_prob: 0.2, substitute_prob: 0.5, insert_prob: 0.3 }, biasing: null },
  ] as const;
  for (const c of cases) {
    it(`measures S, D and I (by alignment) within bounds of ${c.name}`, () => {
      const { pairs, summary: s } = simulatePairs(corpus, { seed: 7, errors: { ...c.errors, error_range: [...c.errors.error_range] }, biasing: c.biasing });
      const within = (got: number, want: number, rel: number) => expect(Math.abs(got / want - 1)).toBeLessThan(rel);
      within(s.measured.substitutionRate, s.configured.substitutionRate, 0.05);
      within(s.measured.deletionRate, s.configured.deletionRate, 0.05);
      within(s.measured.insertionRate, s.configured.insertionRate, 0.05);
      within(s.measured.wer, s.configured.errorRate, 0.02);
      // The summary's measured counts are a real alignment of chosen against rejected.
      const total = pairs.map((p) => countEdits(alignTokens(toWords(p.chosen), toWords(p.rejected)))).reduce(addCounts);
      expect([total.substitutions, total.deletions, total.insertions]).toEqual([s.measured.substitutions, s.measured.deletions, s.measured.insertions]);
      expect(s.identical).toBe(0);
      expect(s.utterances).toBe(10000);
    });
  }

  it('reports bias list statistics that follow bias_prob and hit_prob', () => {
    const { summary } = simulatePairs(corpus, { seed: 3, biasing: { bias_prob: 0.5, hit_prob: 0.6, max_num: 3 } });
    expect(Math.abs(summary.bias.lists / 10000 - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(summary.bias.keepRate - 0.6)).toBeLessThan(0.02);
    expect(summary.bias.entries).toBe(summary.bias.hits + summary.bias.distractors);
    expect(summary.bias.hitFraction).toBeCloseTo(summary.bias.hits / summary.bias.entries, 12);
  });
});

describe('simulatePairs output', () => {
  const small = ['the cat saw Zelda today', 'the cat saw a dog', 'the dog saw the cat', 'a cat and a dog met Zelda'];
  const cfg = { seed: 11, biasing: { bias_prob: 1, hit_prob: 0.5, max_num: 2 }, errors: { error_range: [0.2, 0.4] as [number, number] } };

  it('gives byte-identical JSONL for the same seed and config, and different JSONL for another seed', () => {
    const a = pairsToJsonl(simulatePairs(corpus.slice(0, 500), cfg));
    const b = pairsToJsonl(simulatePairs(corpus.slice(0, 500), cfg));
    const c = pairsToJsonl(simulatePairs(corpus.slice(0, 500), { ...cfg, seed: 12 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.split('\n')).toHaveLength(501);
  });

  it('renders the prompt with the seed template and writes TRL rows', () => {
    const result = simulatePairs(small, cfg);
    const { pairs } = result;
    for (const p of pairs) {
      expect(p.prompt.startsWith('<|user|><|audio_1|>')).toBe(true);
      expect(p.prompt.endsWith('<|end|><|assistant|>')).toBe(true);
      expect(p.prompt).toContain(p.biasList.length > 0 ? `${BIASING_PROMPT} ${p.biasList.join(', ')}` : ASR_PROMPT);
      expect(p.rejected).not.toBe(p.chosen);
    }
    const rows = pairsToJsonl(result, (i) => ({ id: `utt${i}`, audio: [`a${i}.wav`] })).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(rows[0])).toEqual(['id', 'prompt', 'chosen', 'rejected', 'audio', 'bias_list', 'hits', 'error_rate']);
    expect(rows[1]).toEqual({
      id: 'utt1', prompt: pairs[1].prompt, chosen: pairs[1].chosen, rejected: pairs[1].rejected, audio: 'a1.wav',
      bias_list: pairs[1].biasList, hits: pairs[1].hits, error_rate: pairs[1].errorRate,
    });
    const conv = simulatePairs(small, { ...cfg, errors: { ...cfg.errors, conversation: true } });
    const first = JSON.parse(pairsToJsonl(conv).split('\n')[0]) as Record<string, unknown>;
    expect(first.chosen).toEqual([{ role: 'assistant', content: conv.pairs[0].chosen }]);
    // The chat prompt holds the bare instruction, without the Phi-4 template around it.
    expect(first.prompt).toEqual([{ role: 'user', content: conv.pairs[0].prompt.slice('<|user|><|audio_1|>'.length, -'<|end|><|assistant|>'.length) }]);
  });

  it('uses a plain prompt template and no biasing when asked', () => {
    const { pairs, summary } = simulatePairs(small, { seed: 1, prompt_format: '{}' });
    expect(pairs.every((p) => p.prompt === ASR_PROMPT && p.biasList.length === 0)).toBe(true);
    expect(summary.bias.enabled).toBe(false);
  });

  it('rejects bad settings with the field name', () => {
    expect(() => resolveSimulation({ seed: 1, prompt_format: 'no placeholder' })).toThrow("prompt_format: expected exactly one '{}'");
    expect(() => resolveSimulation({ seed: -3 })).toThrow('seed: expected an integer');
    expect(() => resolveSimulation({ seed: 1, biasing: { max_num: 0 } })).toThrow('biasing.max_num');
    expect(resolveSimulation({ seed: 1 }).promptFormat).toBe(SEED_PROMPT_FORMAT);
  });
});
