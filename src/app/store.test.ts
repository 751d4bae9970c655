import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_SOURCE, useStudio } from './store';

const file = (path: string, body: string) => ({ path, blob: new Blob([body]) });

describe('studio store: project, simulation and review slices', () => {
  beforeEach(() => useStudio.setState({ project: DEMO_SOURCE, simEdits: {}, reviewPos: 0 }));

  it('opens picked files with a fresh cache key but a stable labels key, and resets the form', () => {
    const s = useStudio.getState();
    s.setSimField('seed', 7);
    s.setReviewPos(3);
    s.openFiles([file('a.jsonl', '{}')], 'a.jsonl');
    const first = useStudio.getState().project;
    expect(first).toMatchObject({ kind: 'files', label: 'a.jsonl', labelsKey: 'files:a.jsonl:1:2' });
    expect(useStudio.getState().simEdits).toEqual({});
    expect(useStudio.getState().reviewPos).toBe(0);
    useStudio.getState().openFiles([file('a.jsonl', '{}')], 'a.jsonl');
    const second = useStudio.getState().project;
    expect(second.key).not.toBe(first.key);
    expect(second.labelsKey).toBe(first.labelsKey);
    useStudio.getState().openDemo();
    expect(useStudio.getState().project).toBe(DEMO_SOURCE);
  });

  it('keeps only the edited simulation fields', () => {
    useStudio.getState().setSimField('bias_prob', 0.5);
    useStudio.getState().setSimBiasing(false);
    expect(useStudio.getState().simEdits).toEqual({ bias_prob: 0.5, biasing: false });
    useStudio.getState().resetSim();
    expect(useStudio.getState().simEdits).toEqual({});
  });

  it('steps through the review list within its bounds and restarts it on a new sort or filter', () => {
    const s = useStudio.getState();
    s.stepReview(1, 3);
    s.stepReview(1, 3);
    s.stepReview(1, 3);
    expect(useStudio.getState().reviewPos).toBe(2);
    s.stepReview(-5, 3);
    expect(useStudio.getState().reviewPos).toBe(0);
    s.setReviewPos(2);
    s.setReviewSort('wer-desc');
    expect(useStudio.getState().reviewPos).toBe(0);
    s.setReviewPos(2);
    s.setReviewMinWer(10);
    expect(useStudio.getState()).toMatchObject({ reviewPos: 0, reviewMinWer: 10 });
  });
});
