// The studio's project data as react-query hooks over the data worker (workers/data-worker.ts):
// the Data, Simulate, Review and Judge pages all read the same cached report, pairs and clips.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { proxy, wrap, type Remote } from 'comlink';
import { useEffect, useMemo, useState } from 'react';
import type { LoadProgress, PairSet, ProjectInput, ProjectReport, StudioApi } from '../../../workers/studio-api';
import type { SimulationConfig } from '../../sim/simulate';
import { demoBaseUrl } from '../demo/demo';
import { useStudio, type ProjectSource } from '../store';
import { type SimForm, formDefaults, toSimulationConfig } from './simulate-page.form';

let remote: Remote<StudioApi> | null = null;

/** The data worker, started on first use. */
export function dataWorker(): Remote<StudioApi> {
  remote ??= wrap<StudioApi>(new Worker(new URL('../../../workers/data-worker.ts', import.meta.url), { type: 'module' }));
  return remote;
}

/** What the worker needs to open a project source. */
export function projectInput(p: ProjectSource): ProjectInput {
  return p.kind === 'demo' ? { kind: 'demo', key: p.key, baseUrl: demoBaseUrl() } : { kind: 'files', key: p.key, label: p.label, files: p.files };
}

/** The current project's worker input. */
export function useProjectInput(): ProjectInput {
  const project = useStudio((s) => s.project);
  return useMemo(() => projectInput(project), [project]);
}

/** The current project's validation report (read once per project, in the worker). */
export function useProjectReport() {
  const input = useProjectInput();
  const client = useQueryClient();
  return useQuery<ProjectReport>({
    queryKey: ['project', input.key],
    queryFn: () => dataWorker().openProject(input, proxy((p: LoadProgress) => client.setQueryData(['project-progress', input.key], p))),
  });
}

/** Live counts while the current project is read (null before the first report). */
export function useLoadProgress(): LoadProgress | null {
  const input = useProjectInput();
  const q = useQuery<LoadProgress | null>({ queryKey: ['project-progress', input.key], queryFn: () => null, enabled: false });
  return q.data ?? null;
}

/** The simulation form: the project's config with the user's edits on top. */
export function useSimForm(): SimForm {
  const report = useProjectReport();
  const edits = useStudio((s) => s.simEdits);
  const config = report.data?.config ?? null;
  return useMemo(() => ({ ...formDefaults(config), ...edits }), [config, edits]);
}

/** The SimulationConfig the form describes. */
export function useSimConfig(form: SimForm): SimulationConfig {
  const report = useProjectReport();
  const config = report.data?.config ?? null;
  return useMemo(() => toSimulationConfig(form, config), [form, config]);
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** The project's pairs: simulated with `sim` for ASR data, the records themselves for preference data. */
export function usePairs(sim: SimulationConfig) {
  const input = useProjectInput();
  const report = useProjectReport();
  const source = report.data?.pairSource ?? 'none';
  return useQuery<PairSet>({
    queryKey: ['pairs', input.key, source === 'simulated' ? JSON.stringify(sim) : source],
    queryFn: () => dataWorker().pairs(input, sim),
    enabled: report.isSuccess && source !== 'none',
    placeholderData: keepPreviousData,
  });
}

/** A decoded clip of the current project (null path: none). */
export function useClip(path: string | null) {
  const input = useProjectInput();
  return useQuery({
    queryKey: ['clip', input.key, path],
    queryFn: () => dataWorker().audio(input, path as string),
    enabled: path !== null,
    gcTime: 60_000,
  });
}

/** Offer `blob` as a download named `name`. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
