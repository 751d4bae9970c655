// Preference pairs from transcripts: biasing (optional) then error simulation, per utterance,
// each utterance on its own forked random streams so one record's draws never shift another's.
// Output rows are the data layer's TRL preference records (src/data export) plus simulation facts.
import { type BiasingConfig, type BiasedUtterance, ASR_PROMPT, createBiaser, resolveBiasing } from './biasing';
import { type ErrorConfig, type ErrorConfigInput, Vocabulary, corrupt, expectedRates, resolveErrors } from './errors';
import { createRng, fork } from './random';
import { type EditCounts, addCounts, alignTokens, countEdits, measuresOf, toWords } from './wer';
import type { JsonObject, PreferenceRecord } from '../data/formats/types';
import { toTrlRow } from '../data/formats/export';

/** The seed's Phi-4 multimodal prompt template; `{}` is replaced by the instruction. */
export const SEED_PROMPT_FORMAT = '<|user|><|audio_1|>{}<|end|><|assistant|>';

/** What to simulate: sections as in the dataset config file (seed 000 names). */
export interface SimulationConfig {
  seed: number;
  /** Omit (or null) for no biasing: every prompt is the plain ASR instruction. */
  biasing?: Partial<BiasingConfig> | null;
  /** Error simulation; omitted keys take ERROR_DEFAULTS. */
  errors?: ErrorConfigInput | null;
  /** Prompt template with one `{}`; default SEED_PROMPT_FORMAT. */
  prompt_format?: string;
}

/** One simulated pair. */
export interface SimPair {
  index: number;
  prompt: string;
  chosen: string;
  rejected: string;
  biasList: string[];
  hits: string[];
  distractors: string[];
  /** True pieces offered to the hit_prob test. */
  candidates: number;
  /** Target error rate drawn for this utterance. */
  errorRate: number;
  /** Edits the simulator applied. */
  applied: { substitutions: number; deletions: number; insertions: number };
  /** Edits found by aligning chosen with rejected. */
  measured: EditCounts;
}

/** Counts and rates over the whole run. */
export interface SimSummary {
  utterances: number;
  /** Pairs whose rejected equals chosen (empty transcripts, zero rates). */
  identical: number;
  referenceWords: number;
  configured: { errorRate: number; substitutionRate: number; deletionRate: number; insertionRate: number };
  applied: { substitutions: number; deletions: number; insertions: number; substitutionRate: number; deletionRate: number; insertionRate: number };
  measured: EditCounts & { wer: number; substitutionRate: number; deletionRate: number; insertionRate: number };
  bias: {
    enabled: boolean;
    lists: number;
    entries: number;
    hits: number;
    distractors: number;
    candidates: number;
    /** hits / entries: the share of list entries that occur in their utterance. */
    hitFraction: number;
    /** hits / candidates: estimates hit_prob. */
    keepRate: number;
    /** Words with at least this count are common; null with a fixed word list or when none is common. */
    rareThreshold: number | null;
    rareWords: number;
  };
}

/** Resolved settings (defaults filled in), for reports. */
export interface ResolvedSimulation {
  seed: number;
  biasing: BiasingConfig | null;
  errors: ErrorConfig;
  promptFormat: string;
}

/** Check and fill a config; throws `<section>.<field>: ...` on a bad value. */
export function resolveSimulation(config: SimulationConfig): ResolvedSimulation {
  createRng(config.seed); // validates the seed
  const promptFormat = config.prompt_format ?? SEED_PROMPT_FORMAT;
  if (promptFormat.split('{}').length !== 2) throw new Error(`prompt_format: expected exactly one '{}', got ${JSON.stringify(promptFormat)}`);
  return {
    seed: config.seed,
    biasing: config.biasing ? resolveBiasing(config.biasing) : null,
    errors: resolveErrors(config.errors ?? {}),
    promptFormat,
  };
}

/** Simulate one pair per transcript (in order) and summarize. */
export function simulatePairs(texts: readonly string[], config: SimulationConfig): { pairs: SimPair[]; summary: SimSummary; resolved: ResolvedSimulation } {
  const resolved = resolveSimulation(config);
  const { seed, errors, promptFormat } = resolved;
  const biaser = resolved.biasing ? createBiaser(texts, resolved.biasing, seed) : null;
  const vocab = new Vocabulary(texts);
  const [before, after] = promptFormat.split('{}');
  const pairs: SimPair[] = texts.map((text, index) => {
    const b: BiasedUtterance = biaser ? biaser.apply(index) : {
      text: toWords(text).join(' '), biasList: [], hits: [], distractors: [], candidates: 0, prompt: ASR_PROMPT,
    };
    const tag = resolved.biasing?.tag ?? '';
    const biasWords = [...b.hits, ...b.distractors].flatMap((e) => toWords(tag === '' ? e : `${tag}${e}${tag}`));
    const c = corrupt(b.text, fork(seed, 'errors', index), errors, vocab, biasWords);
    return {
      index,
      prompt: `${before}${b.prompt}${after}`,
      chosen: b.text,
      rejected: c.text,
      biasList: b.biasList,
      hits: b.hits,
      distractors: b.distractors,
      candidates: b.candidates,
      errorRate: c.rate,
      applied: { substitutions: c.substitutions, deletions: c.deletions, insertions: c.insertions },
      measured: countEdits(alignTokens(toWords(b.text), toWords(c.text))),
    };
  });
  const summary = summarize(pairs, resolved, biaser ? { threshold: biaser.stats.commonThreshold, rare: biaser.stats.rareWords.length } : null);
  return { pairs, summary, resolved };
}

function summarize(pairs: readonly SimPair[], r: ResolvedSimulation, rare: { threshold: number | null; rare: number } | null): SimSummary {
  let measured: EditCounts = { hits: 0, substitutions: 0, deletions: 0, insertions: 0 };
  const applied = { substitutions: 0, deletions: 0, insertions: 0 };
  let identical = 0, lists = 0, entries = 0, hits = 0, distractors = 0, cand = 0;
  for (const p of pairs) {
    measured = addCounts(measured, p.measured);
    applied.substitutions += p.applied.substitutions;
    applied.deletions += p.applied.deletions;
    applied.insertions += p.applied.insertions;
    if (p.chosen === p.rejected) identical++;
    if (p.biasList.length > 0) lists++;
    entries += p.biasList.length;
    hits += p.hits.length;
    distractors += p.distractors.length;
    cand += p.candidates;
  }
  const m = measuresOf(measured);
  const words = m.refLength;
  const per = (x: number) => (words === 0 ? 0 : x / words);
  const e = expectedRates(r.errors);
  return {
    utterances: pairs.length,
    identical,
    referenceWords: words,
    configured: { errorRate: e.total, substitutionRate: e.substitutions, deletionRate: e.deletions, insertionRate: e.insertions },
    applied: {
      ...applied,
      substitutionRate: per(applied.substitutions), deletionRate: per(applied.deletions), insertionRate: per(applied.insertions),
    },
    measured: {
      ...measured, wer: m.wer,
      substitutionRate: per(m.substitutions), deletionRate: per(m.deletions), insertionRate: per(m.insertions),
    },
    bias: {
      enabled: r.biasing !== null,
      lists, entries, hits, distractors, candidates: cand,
      hitFraction: entries === 0 ? 0 : hits / entries,
      keepRate: cand === 0 ? 0 : hits / cand,
      rareThreshold: rare !== null && rare.threshold !== null && Number.isFinite(rare.threshold) ? rare.threshold : null,
      rareWords: rare?.rare ?? 0,
    },
  };
}

/** Per-pair facts the simulation does not know: the example's id and audio paths. */
export interface PairMeta {
  id?: string;
  audio?: string[];
}

/**
 * The pair as the data layer's TRL preference record (explicit prompt). With `conversation`,
 * prompt, chosen and rejected are one message each, and the prompt carries the bare instruction:
 * a chat template, not `promptFormat`, wraps it then.
 */
export function toPreferenceRecord(p: SimPair, meta: PairMeta, conversation: boolean, promptFormat: string): PreferenceRecord {
  const base = { kind: 'preference' as const, implicitPrompt: false, ...meta, src: { file: 'simulation', line: 0 } };
  if (!conversation) return { ...base, format: 'standard', prompt: p.prompt, chosen: p.chosen, rejected: p.rejected };
  const [before, after] = promptFormat.split('{}');
  return {
    ...base, format: 'conversational',
    prompt: [{ role: 'user', content: p.prompt.slice(before.length, p.prompt.length - after.length) }],
    chosen: [{ role: 'assistant', content: p.chosen }],
    rejected: [{ role: 'assistant', content: p.rejected }],
  };
}

/** One JSONL object: the data layer's TRL layout (id, prompt, chosen, rejected, audio) plus bias_list, hits, error_rate. */
export function toSimRow(p: SimPair, meta: PairMeta, conversation: boolean, promptFormat: string): JsonObject {
  return { ...toTrlRow(toPreferenceRecord(p, meta, conversation, promptFormat)), bias_list: p.biasList, hits: p.hits, error_rate: p.errorRate };
}

/** TRL preference JSONL of a simulation, one line per pair; key order is fixed, so equal input gives equal bytes. */
export function pairsToJsonl(
  result: { pairs: readonly SimPair[]; resolved: ResolvedSimulation },
  meta: (index: number) => PairMeta = () => ({}),
): string {
  const conv = result.resolved.errors.conversation;
  return result.pairs.map((p) => `${JSON.stringify(toSimRow(p, meta(p.index), conv, result.resolved.promptFormat))}\n`).join('');
}
