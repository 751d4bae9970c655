// The in-page hook the headless runner (`prefstudio train`) calls through Playwright:
// `window.prefstudioHeadless.train(job, binding)` drives the same worker the studio uses and
// forwards every event to `window[binding]` (a function the runner exposed with exposeFunction).
import type { RuntimeInfo, TrainEvent, TrainJob, TrainJobResult } from '../../workers/api';
import { callback, worker } from './worker-client';

/** What `window.prefstudioHeadless` offers. */
export interface HeadlessHook {
  /** The worker's runtime facts (WebGPU adapter, isolation, ORT version). */
  runtimeInfo(): Promise<RuntimeInfo>;
  /** Run a training job; events go to the global function named `binding`. */
  train(job: TrainJob, binding: string): Promise<TrainJobResult>;
  /** Ask job `id` to stop after its current step (it checkpoints, then `train` resolves). */
  stop(id: string): Promise<void>;
}

declare global {
  interface Window {
    /** Set by src/app/headless.ts. */
    prefstudioHeadless?: HeadlessHook;
  }
}

/** The hook, also set on `window` when this module loads. */
export const headless: HeadlessHook = {
  runtimeInfo: () => worker().runtimeInfo(),
  train(job, binding) {
    const target = (window as unknown as Record<string, unknown>)[binding];
    if (typeof target !== 'function') return Promise.reject(new Error(`prefstudioHeadless.train: window.${binding} is not a function`));
    const emit = target as (e: TrainEvent) => unknown;
    return worker().train(job, callback((e: TrainEvent) => { void emit(e); }));
  },
  stop: (id) => worker().cancel(id),
};

window.prefstudioHeadless = headless;
