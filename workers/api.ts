// The training worker's API: everything that trains runs here, never on the main thread.
// Only plain data crosses the boundary (comlink); callbacks arrive as comlink proxies.
import * as ort from 'onnxruntime-web/webgpu';
import { type Ort } from '../src/engine/session';
import { runEngineCheck, type EngineCheckOptions, type EngineCheckResult, type EngineCheckProgress } from '../src/engine/check/engine-check';
import { runTrainJob, type TrainEvent, type TrainJob, type TrainJobResult } from './train-job';

export type { TrainEvent, TrainJob, TrainJobResult } from './train-job';

const runtime = ort as unknown as Ort;
// Serve ORT's wasm from the bundle's own assets; one thread unless the page is cross-origin isolated.
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

/** Facts about this worker's runtime, shown in the header and checked by tests. */
export interface RuntimeInfo {
  webgpu: boolean;
  adapter: string | null;
  shaderF16: boolean;
  maxStorageBufferBindingSize: number | null;
  crossOriginIsolated: boolean;
  wasmThreads: number;
  ortVersion: string;
}

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string };
  features: { has(f: string): boolean };
  limits: { maxStorageBufferBindingSize: number };
}

const cancelled = new Set<string>();

export const api = {
  /** Which backends this browser offers. */
  async runtimeInfo(): Promise<RuntimeInfo> {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    const i = adapter?.info;
    return {
      webgpu: !!adapter,
      adapter: adapter ? [i?.vendor, i?.architecture, i?.description].filter(Boolean).join(' ') || 'unknown' : null,
      shaderF16: adapter?.features.has('shader-f16') ?? false,
      maxStorageBufferBindingSize: adapter?.limits.maxStorageBufferBindingSize ?? null,
      crossOriginIsolated: self.crossOriginIsolated,
      wasmThreads: ort.env.wasm.numThreads ?? 1,
      ortVersion: ort.env.versions.web ?? 'unknown',
    };
  },

  /** Train the one-block transformer on a backend; progress streams through `onProgress`. */
  async engineCheck(jobId: string, opts: EngineCheckOptions, onProgress: (p: EngineCheckProgress) => void): Promise<EngineCheckResult> {
    cancelled.delete(jobId);
    return runEngineCheck(runtime, opts, onProgress, () => cancelled.has(jobId));
  },

  /**
   * Train on a job's model and dataset (served over HTTP); events stream through `onEvent`.
   * `cancel(job.id)` stops it after the current step, with a checkpoint.
   */
  async train(job: TrainJob, onEvent: (e: TrainEvent) => void): Promise<TrainJobResult> {
    cancelled.delete(job.id);
    try {
      return await runTrainJob(runtime, job, (e) => { void onEvent(e); }, () => cancelled.has(job.id));
    } finally {
      cancelled.delete(job.id);
    }
  },

  /** Ask a running job to stop after its current step. */
  cancel(jobId: string): void {
    cancelled.add(jobId);
  },
};

export type WorkerApi = typeof api;
