// The Train and Runs pages' async side: a run is a react-query mutation that drives the worker,
// its live events (progress, logs) live in the query cache under LIVE_KEY, and the run history
// (IndexedDB) is a query. Nothing here is copied into zustand.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { TrainEvent, TrainJob, TrainJobResult } from '../../../workers/api';
import type { TrainConfig } from '../../train/config';
import { IDB_OUTPUT, listRuns, markInterrupted, putRun, readRunFile, type RunRecord, type RunStatus } from '../runs/run-db';
import { callback, worker } from '../worker-client';
import { downloadBlob } from './data-page.hooks';

/** The run this page started, as its events arrive. */
export interface LiveRun {
  id: string;
  startedAt: number;
  step: number;
  totalSteps: number;
  phase: string;
  logs: Record<string, number>[];
  messages: string[];
  status: RunStatus;
  result?: TrainJobResult;
  error?: string;
}

/** Query key of the live run. */
export const LIVE_KEY = ['train', 'live'] as const;
/** Query key of the run history. */
export const RUNS_KEY = ['runs'] as const;

const live = new Set<string>();

/** An absolute URL for the worker (its own base is the worker script). */
const absolute = (u: string): string => new URL(u, location.href).href;

/** The job the worker runs for `config` (model and dataset URLs are the config's names). */
export function jobFor(id: string, config: TrainConfig): TrainJob {
  const data = new URL(config.dataset_name, location.href);
  const slash = data.pathname.lastIndexOf('/');
  const output = `${IDB_OUTPUT}${id}`;
  return {
    id,
    config: { ...config, output_dir: output },
    model: absolute(config.model_name_or_path),
    data: { root: `${data.origin}${data.pathname.slice(0, slash)}`, file: decodeURIComponent(data.pathname.slice(slash + 1)) },
    output,
    static: true,
  };
}

/** The per-step entries of a log history (HF's history ends with a train summary; eval entries have no `loss`). */
export const stepLogs = (h: readonly Record<string, number>[]): Record<string, number>[] => h.filter((e) => 'loss' in e && 'step' in e);

/** The final metrics of a run, HF names. */
export function finalMetrics(r: TrainJobResult): Record<string, number> {
  const s = r.summary;
  return { global_step: s.globalStep, epoch: s.epoch, train_loss: s.trainLoss, train_runtime: s.runtimeSeconds, trainable_parameters: s.trainableParameters };
}

function update(qc: QueryClient, id: string, f: (r: LiveRun) => LiveRun): void {
  qc.setQueryData<LiveRun | null>(LIVE_KEY, (r) => (r && r.id === id ? f(r) : r));
}

function onEvent(qc: QueryClient, id: string, e: TrainEvent): void {
  if (e.type === 'progress') update(qc, id, (r) => ({ ...r, step: e.step, totalSteps: e.totalSteps, phase: e.phase }));
  else if (e.type === 'log') update(qc, id, (r) => ({ ...r, logs: [...r.logs, e.entry] }));
  else update(qc, id, (r) => ({ ...r, messages: [...r.messages, e.text] }));
}

/** The live run (null before the first one). */
export function useLiveRun() {
  return useQuery<LiveRun | null>({ queryKey: LIVE_KEY, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity });
}

/** Start a run: recorded in IndexedDB at once and when it ends; events stream into LIVE_KEY. */
export function useStartTrain() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ['train'],
    mutationFn: async (config: TrainConfig): Promise<TrainJobResult> => {
      const id = `run-${Date.now().toString(36)}`;
      const job = jobFor(id, config);
      const startedAt = Date.now();
      const record: RunRecord = { id, config: job.config, startedAt, status: 'running', logHistory: [], files: [] };
      live.add(id);
      qc.setQueryData<LiveRun>(LIVE_KEY, { id, startedAt, step: 0, totalSteps: 0, phase: 'starting', logs: [], messages: [], status: 'running' });
      await putRun(record);
      await qc.invalidateQueries({ queryKey: RUNS_KEY });
      try {
        const result = await worker().train(job, callback((e: TrainEvent) => onEvent(qc, id, e)));
        const status: RunStatus = result.summary.stopped ? 'stopped' : 'finished';
        await putRun({
          ...record, status, finishedAt: Date.now(), metrics: finalMetrics(result), logHistory: result.summary.logHistory,
          files: result.summary.files, dataset: result.dataset,
        });
        update(qc, id, (r) => ({ ...r, status, result }));
        return result;
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        const logs = qc.getQueryData<LiveRun | null>(LIVE_KEY)?.logs ?? [];
        await putRun({ ...record, status: 'failed', finishedAt: Date.now(), logHistory: logs, error });
        update(qc, id, (r) => ({ ...r, status: 'failed', error }));
        throw e;
      } finally {
        live.delete(id);
        await qc.invalidateQueries({ queryKey: RUNS_KEY });
      }
    },
  });
}

/** Stop a run after its current step (the trainer saves a checkpoint). */
export function useStopTrain() {
  return useMutation({ mutationFn: (id: string) => worker().cancel(id) });
}

/** Every run in the history, newest first (runs a reload cut off show as interrupted). */
export function useRuns() {
  return useQuery({
    queryKey: RUNS_KEY,
    queryFn: async () => { await markInterrupted(live); return listRuns(); },
  });
}

/** Download one file a run wrote. */
export function useDownloadRunFile() {
  return useMutation({
    mutationFn: async ({ run, path }: { run: RunRecord; path: string }) => {
      const data = await readRunFile(run.id, path);
      if (data === null) throw new Error(`${run.id}: ${path} was not written`);
      const bytes = typeof data === 'string' ? data : new Uint8Array(data);
      downloadBlob(new Blob([bytes]), path.split('/').pop() ?? path);
    },
  });
}
