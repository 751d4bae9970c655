// The one worker the studio talks to, wrapped with comlink (types only cross via `import type`).
import { wrap, proxy, type Remote } from 'comlink';
import type { WorkerApi } from '../../workers/api';

let remote: Remote<WorkerApi> | null = null;

/** The training worker, started on first use. */
export function worker(): Remote<WorkerApi> {
  if (!remote) {
    remote = wrap<WorkerApi>(new Worker(new URL('../../workers/index.ts', import.meta.url), { type: 'module' }));
  }
  return remote;
}

/** Wrap a progress callback so it can cross into the worker. */
export const callback = <T>(fn: (p: T) => void) => proxy(fn);
