import { describe, expect, it } from 'vitest';
import { memoryLabelStore } from './label-store';
import { type JudgedPair, activeMs, aIsChosenFor, exportLabels, latestLabel, makeLabel, nextUnlabeled, sidesOf, tally } from './labels';

const pair = (i: number): JudgedPair => ({ key: `u${i}#h`, id: `u${i}`, prompt: `p${i}`, chosen: `good ${i}`, rejected: `bad ${i}`, audio: i % 2 ? `a/${i}.flac` : null });

describe('blind sides', () => {
  it('are seeded per pair, stable, and balanced', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    const a = keys.map((k) => aIsChosenFor(3, k));
    expect(keys.map((k) => aIsChosenFor(3, k))).toEqual(a);
    const n = a.filter(Boolean).length;
    expect(n).toBeGreaterThan(70);
    expect(n).toBeLessThan(130);
    expect(keys.map((k) => aIsChosenFor(4, k))).not.toEqual(a);
    expect(sidesOf(pair(1), true)).toEqual({ a: 'good 1', b: 'bad 1' });
    expect(sidesOf(pair(1), false)).toEqual({ a: 'bad 1', b: 'good 1' });
  });
});

describe('export', () => {
  it('maps A/B back to chosen/rejected and counts ties and both-bad', () => {
    const labels = [
      makeLabel('p', pair(0), true, 'a', 10), // prefers chosen
      makeLabel('p', pair(1), false, 'a', 20), // A was the rejected text: it becomes chosen
      makeLabel('p', pair(2), false, 'b', 30), // B was chosen
      makeLabel('p', pair(3), true, 'tie', 40),
      makeLabel('p', pair(4), true, 'both-bad', 50),
    ];
    const e = exportLabels([...labels].reverse());
    expect(e).toMatchObject({ pairs: 3, ties: 1, bothBad: 1, agreed: 2 });
    const rows = e.jsonl.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      { id: 'u0', prompt: 'p0', chosen: 'good 0', rejected: 'bad 0' },
      { id: 'u1', prompt: 'p1', chosen: 'bad 1', rejected: 'good 1', audio: 'a/1.flac' },
      { id: 'u2', prompt: 'p2', chosen: 'good 2', rejected: 'bad 2' },
    ]);
    expect(tally(labels)).toEqual({ a: 2, b: 1, tie: 1, 'both-bad': 1 });
  });
});

describe('queue and undo', () => {
  it('finds the next unlabeled pair and the latest label', () => {
    const pairs = [pair(0), pair(1), pair(2)];
    const l0 = makeLabel('p', pairs[0], true, 'a', 5);
    const l2 = makeLabel('p', pairs[2], true, 'b', 9);
    expect(nextUnlabeled(pairs, [])).toBe(0);
    expect(nextUnlabeled(pairs, [l0])).toBe(1);
    expect(nextUnlabeled(pairs, [l0, l2, makeLabel('p', pairs[1], true, 'tie', 7)])).toBe(-1);
    expect(latestLabel([l2, l0])?.pairKey).toBe(pairs[2].key);
    expect(latestLabel([])).toBeNull();
  });

  it('measures active time with long pauses capped', () => {
    const at = [0, 2_000, 4_000, 604_000];
    const labels = at.map((t, i) => makeLabel('p', pair(i), true, 'a', t));
    // gaps 2 s, 2 s, capped 60 s = 64 s, plus one average gap for the first label
    expect(activeMs(labels)).toBeCloseTo(64_000 + 64_000 / 3, 6);
    expect(activeMs(labels.slice(0, 1))).toBe(0);
  });
});

describe('memory label store', () => {
  it('keeps labels per project and overwrites by id', async () => {
    const s = memoryLabelStore();
    await s.put(makeLabel('x', pair(0), true, 'a', 1));
    await s.put(makeLabel('x', pair(0), true, 'b', 2));
    await s.put(makeLabel('y', pair(0), true, 'tie', 3));
    expect((await s.list('x')).map((l) => l.verdict)).toEqual(['b']);
    await s.remove('x|u0#h');
    expect(await s.list('x')).toEqual([]);
    expect(await s.list('y')).toHaveLength(1);
    await s.clear('y');
    expect(await s.list('y')).toEqual([]);
  });
});
