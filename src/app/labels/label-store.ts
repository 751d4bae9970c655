// Where judgments persist: IndexedDB in the browser (they survive a reload), memory in tests.
// One object store keyed by the label id (`project|pairKey`), indexed by project.
import type { JudgeLabel } from './labels';

/** Label persistence. Writes resolve once stored. */
export interface LabelStore {
  list(project: string): Promise<JudgeLabel[]>;
  put(label: JudgeLabel): Promise<void>;
  remove(id: string): Promise<void>;
  clear(project: string): Promise<void>;
}

/** A store in memory (tests; browsers without IndexedDB). */
export function memoryLabelStore(): LabelStore {
  const rows = new Map<string, JudgeLabel>();
  return {
    async list(project) { return [...rows.values()].filter((l) => l.project === project).map((l) => ({ ...l })); },
    async put(label) { rows.set(label.id, { ...label }); },
    async remove(id) { rows.delete(id); },
    async clear(project) { for (const [id, l] of rows) if (l.project === project) rows.delete(id); },
  };
}

const STORE = 'labels';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** A store in IndexedDB database `name` (read-write transactions run in the order they are made). */
export function indexedDbLabelStore(name = 'prefstudio-labels'): LabelStore {
  let db: Promise<IDBDatabase> | null = null;
  const open = () => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id' }).createIndex('project', 'project');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error(`cannot open IndexedDB ${name}`));
    });
    return db;
  };
  const write = async (fn: (s: IDBObjectStore) => void) => {
    const tx = (await open()).transaction(STORE, 'readwrite');
    fn(tx.objectStore(STORE));
    await done(tx);
  };
  return {
    async list(project) {
      const tx = (await open()).transaction(STORE, 'readonly');
      return request(tx.objectStore(STORE).index('project').getAll(project) as IDBRequest<JudgeLabel[]>);
    },
    put: (label) => write((s) => s.put(label)),
    remove: (id) => write((s) => s.delete(id)),
    async clear(project) {
      const keys = await (async () => {
        const tx = (await open()).transaction(STORE, 'readonly');
        return request(tx.objectStore(STORE).index('project').getAllKeys(project));
      })();
      await write((s) => { for (const k of keys) s.delete(k); });
    },
  };
}

/** The browser's store when IndexedDB exists, else one in memory. */
export function defaultLabelStore(): LabelStore {
  return typeof indexedDB === 'undefined' ? memoryLabelStore() : indexedDbLabelStore();
}
