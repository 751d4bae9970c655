// Blind A/B judgments of preference pairs. Each pair's sides are put in a seeded random order
// (which side shows the pair's chosen text is recorded in the label, never shown), so a label
// maps back to chosen/rejected. Decisive labels export as TRL preference pairs: the side the
// judge preferred becomes `chosen`, whatever the dataset or the simulation said; ties and
// both-bad labels are counted, not exported.
import { toTrlRow } from '../../data';
import { fork } from '../../sim/random';

/** A judgment: A better, B better, a tie, or both bad. */
export type Verdict = 'a' | 'b' | 'tie' | 'both-bad';

/** What a label needs of a pair. */
export interface JudgedPair {
  key: string;
  id: string;
  prompt: string;
  chosen: string;
  rejected: string;
  audio: string | null;
}

/** One stored judgment, with the pair's texts so it exports on its own. */
export interface JudgeLabel {
  /** `${project}|${pairKey}`: one label per pair and project. */
  id: string;
  project: string;
  pairKey: string;
  pairId: string;
  prompt: string;
  chosen: string;
  rejected: string;
  audio: string | null;
  /** True when side A showed the pair's chosen text. */
  aIsChosen: boolean;
  verdict: Verdict;
  /** When it was given (ms since epoch); undo takes the latest. */
  at: number;
}

/** Whether side A shows the chosen text: a seeded coin per pair, the same on every visit. */
export function aIsChosenFor(seed: number, pairKey: string): boolean {
  return fork(seed >>> 0, 'judge', pairKey).int(2) === 0;
}

/** The two texts in display order. */
export function sidesOf(pair: Pick<JudgedPair, 'chosen' | 'rejected'>, aIsChosen: boolean): { a: string; b: string } {
  return aIsChosen ? { a: pair.chosen, b: pair.rejected } : { a: pair.rejected, b: pair.chosen };
}

/** The label for a verdict on a pair shown with `aIsChosen`. */
export function makeLabel(project: string, pair: JudgedPair, aIsChosen: boolean, verdict: Verdict, at: number): JudgeLabel {
  return {
    id: `${project}|${pair.key}`, project, pairKey: pair.key, pairId: pair.id,
    prompt: pair.prompt, chosen: pair.chosen, rejected: pair.rejected, audio: pair.audio, aIsChosen, verdict, at,
  };
}

/** Index of the first pair without a label, or -1 when every pair has one. */
export function nextUnlabeled(pairs: readonly Pick<JudgedPair, 'key'>[], labels: readonly JudgeLabel[]): number {
  const done = new Set(labels.map((l) => l.pairKey));
  return pairs.findIndex((p) => !done.has(p.key));
}

/** The most recent label (what undo removes), or null. */
export function latestLabel(labels: readonly JudgeLabel[]): JudgeLabel | null {
  return labels.reduce<JudgeLabel | null>((m, l) => (m === null || l.at >= m.at ? l : m), null);
}

/** Counts per verdict. */
export function tally(labels: readonly JudgeLabel[]): Record<Verdict, number> {
  const t: Record<Verdict, number> = { a: 0, b: 0, tie: 0, 'both-bad': 0 };
  for (const l of labels) t[l.verdict]++;
  return t;
}

/** Did the judge prefer the pair's own chosen side? null for ties and both-bad. */
export function agreesWithChosen(l: JudgeLabel): boolean | null {
  if (l.verdict !== 'a' && l.verdict !== 'b') return null;
  return (l.verdict === 'a') === l.aIsChosen;
}

/** What an export holds. */
export interface LabelExport {
  jsonl: string;
  pairs: number;
  ties: number;
  bothBad: number;
  /** Decisive labels that kept the pair's own chosen side. */
  agreed: number;
}

/** TRL preference JSONL of the decisive labels, oldest first: the preferred side is `chosen`. */
export function exportLabels(labels: readonly JudgeLabel[]): LabelExport {
  const sorted = [...labels].sort((x, y) => x.at - y.at);
  const lines: string[] = [];
  let agreed = 0;
  for (const l of sorted) {
    const keep = agreesWithChosen(l);
    if (keep === null) continue;
    if (keep) agreed++;
    const row = toTrlRow({
      kind: 'preference', format: 'standard', implicitPrompt: false, id: l.pairId,
      prompt: l.prompt, chosen: keep ? l.chosen : l.rejected, rejected: keep ? l.rejected : l.chosen,
      ...(l.audio ? { audio: [l.audio] } : {}), src: { file: 'judge', line: 0 },
    });
    lines.push(`${JSON.stringify(row)}\n`);
  }
  const t = tally(labels);
  return { jsonl: lines.join(''), pairs: lines.length, ties: t.tie, bothBad: t['both-bad'], agreed };
}

/** Labeling pace for the progress bar: active time (pauses over a minute count as a minute) and an ETA basis. */
export function activeMs(labels: readonly JudgeLabel[], capMs = 60_000): number {
  const times = labels.map((l) => l.at).sort((x, y) => x - y);
  let ms = 0;
  for (let i = 1; i < times.length; i++) ms += Math.min(capMs, times[i] - times[i - 1]);
  // The first label took about as long as an average one.
  return times.length > 1 ? ms + ms / (times.length - 1) : 0;
}
