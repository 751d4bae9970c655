// Judge labels as react-query state over the label store (IndexedDB): the cache is updated at
// once on every label and undo (so quick key presses each land on the next pair), and the store
// writes follow in order. The cache is not refetched after writes: IndexedDB could answer before
// a later write lands and step the queue back.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { defaultLabelStore, type LabelStore } from './label-store';
import { type JudgeLabel, type JudgedPair, type Verdict, aIsChosenFor, latestLabel, makeLabel, nextUnlabeled } from './labels';

let shared: LabelStore | null = null;
const store = (): LabelStore => (shared ??= defaultLabelStore());

/** The labels of `project`, read from the store once per page load. */
export function useLabels(project: string) {
  return useQuery<JudgeLabel[]>({ queryKey: ['labels', project], queryFn: () => store().list(project) });
}

/** Give a verdict on the current (first unlabeled) pair, or undo the latest label. */
export function useJudge(project: string, pairs: readonly JudgedPair[], seed: number) {
  const client = useQueryClient();
  const key = ['labels', project];
  // undefined until the stored labels are read: no verdict before that, or it could hit a labeled pair.
  const cached = () => client.getQueryData<JudgeLabel[]>(key);
  const rollback = (prev: JudgeLabel[] | undefined) => { if (prev) client.setQueryData(key, prev); };

  const put = useMutation({
    mutationFn: (label: JudgeLabel) => store().put(label),
    onMutate: (label) => {
      const prev = client.getQueryData<JudgeLabel[]>(key);
      client.setQueryData<JudgeLabel[]>(key, [...(prev ?? []).filter((l) => l.id !== label.id), label]);
      return prev;
    },
    onError: (_e, _label, prev) => rollback(prev),
  });
  const remove = useMutation({
    mutationFn: (label: JudgeLabel) => store().remove(label.id),
    onMutate: (label) => {
      const prev = client.getQueryData<JudgeLabel[]>(key);
      client.setQueryData<JudgeLabel[]>(key, (prev ?? []).filter((l) => l.id !== label.id));
      return prev;
    },
    onError: (_e, _label, prev) => rollback(prev),
  });

  const give = useCallback((verdict: Verdict) => {
    const labels = cached();
    const i = labels ? nextUnlabeled(pairs, labels) : -1;
    if (i < 0) return;
    const pair = pairs[i];
    put.mutate(makeLabel(project, pair, aIsChosenFor(seed, pair.key), verdict, Date.now()));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `cached` reads the live cache on purpose
  }, [pairs, project, seed, put.mutate]);

  const undo = useCallback(() => {
    const last = latestLabel(cached() ?? []);
    if (last) remove.mutate(last);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- as above
  }, [remove.mutate]);

  return { give, undo, error: put.error ?? remove.error };
}
