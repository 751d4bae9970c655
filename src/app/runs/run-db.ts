// The studio's run history in IndexedDB: one record per run (config, start time, status, final
// metrics, log history) and the files the trainer wrote (adapter, metrics.jsonl, checkpoints).
// The worker writes files through `idbSink` (an `idb:` output URL); the page reads them back.
// No React here, so the worker can import it.
import type { TrainConfig } from '../../train/config';
import type { OutputSink } from '../../train/io';

/** Where a run is. `interrupted`: the page went away while it ran. */
export type RunStatus = 'running' | 'finished' | 'stopped' | 'failed' | 'interrupted';

/** One run as the Runs page lists it. */
export interface RunRecord {
  id: string;
  config: TrainConfig;
  /** ms since epoch. */
  startedAt: number;
  finishedAt?: number;
  status: RunStatus;
  /** Final metrics (train_loss, global_step, runtime) once the run ended. */
  metrics?: Record<string, number>;
  /** Every logged entry. */
  logHistory: Record<string, number>[];
  /** Paths the trainer wrote under the run's output. */
  files: string[];
  error?: string;
  /** The dataset report line. */
  dataset?: string;
}

const DB = 'prefstudio-runs';
const RUNS = 'runs';
const FILES = 'files';

/** Output URLs with this prefix are written to IndexedDB (`idb:<run id>`). */
export const IDB_OUTPUT = 'idb:';

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((ok, fail) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore(RUNS, { keyPath: 'id' });
      r.result.createObjectStore(FILES);
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => { opened = null; fail(r.error ?? new Error('IndexedDB: cannot open the run history')); };
  });
  return opened;
}

const done = <T>(r: IDBRequest<T>): Promise<T> => new Promise((ok, fail) => {
  r.onsuccess = () => ok(r.result);
  r.onerror = () => fail(r.error ?? new Error('IndexedDB request failed'));
});

async function store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await db()).transaction(name, mode).objectStore(name);
}

/** Every run, newest first. */
export async function listRuns(): Promise<RunRecord[]> {
  const all = await done((await store(RUNS, 'readonly')).getAll() as IDBRequest<RunRecord[]>);
  return all.sort((a, b) => b.startedAt - a.startedAt);
}

/** Create or replace a run's record. */
export async function putRun(run: RunRecord): Promise<void> {
  await done((await store(RUNS, 'readwrite')).put(run));
}

/** Mark runs still `running` that this page does not own (a reload cut them off) as interrupted. */
export async function markInterrupted(live: ReadonlySet<string>): Promise<void> {
  for (const r of await listRuns()) {
    if (r.status === 'running' && !live.has(r.id)) await putRun({ ...r, status: 'interrupted' });
  }
}

/** A file a run wrote, or null. */
export async function readRunFile(runId: string, path: string): Promise<Uint8Array | string | null> {
  const v = await done((await store(FILES, 'readonly')).get([runId, path]) as IDBRequest<Uint8Array | string | undefined>);
  return v ?? null;
}

/** An OutputSink into the files store under `output` (`idb:<run id>`), strictly in call order. */
export function idbSink(output: string): OutputSink & { flush(): Promise<void> } {
  const runId = output.slice(IDB_OUTPUT.length);
  let chain: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  const queue = (op: (files: IDBObjectStore) => Promise<unknown>): Promise<void> => {
    const next = chain.then(async () => {
      if (failure) throw failure;
      await op(await store(FILES, 'readwrite'));
    });
    chain = next.catch((e: unknown) => { failure ??= e instanceof Error ? e : new Error(String(e)); });
    return next;
  };
  return {
    write: (path, data) => queue((files) => done(files.put(typeof data === 'string' ? data : data.slice(), [runId, path]))),
    // get + put in one readwrite transaction, so an append never loses another.
    append: (path, text) => queue(async (files) => {
      const old = await done(files.get([runId, path]) as IDBRequest<Uint8Array | string | undefined>);
      const prev = old === undefined ? '' : typeof old === 'string' ? old : new TextDecoder().decode(old);
      await done(files.put(prev + text, [runId, path]));
    }),
    async flush() {
      await chain;
      if (failure) throw failure;
    },
  };
}
