// Where model files come from: a folder picked in the browser, an HTTP base URL, or (in
// `file-source-node.ts`) a local folder. Every reader supports byte ranges, so safetensors
// tensors can be read one at a time without holding a whole multi-GB file in memory.

/** A read-only folder of files addressed by relative paths (`config.json`, `sub/x.bin`). */
export interface FileSource {
  /** Where the files live, for error messages (a path or URL). */
  readonly label: string;
  /** True when `path` exists. */
  has(path: string): Promise<boolean>;
  /** Size of `path` in bytes; throws a MissingFileError when absent. */
  size(path: string): Promise<number>;
  /** Bytes [start, end) of `path` (the whole file by default); throws a MissingFileError when absent. */
  read(path: string, start?: number, end?: number): Promise<Uint8Array>;
}

/** Thrown when a file the loader needs is not in the source. */
export class MissingFileError extends Error {
  constructor(readonly source: string, readonly path: string, detail = '') {
    super(`${source}: file '${path}' not found${detail ? ` (${detail})` : ''}`);
    this.name = 'MissingFileError';
  }
}

/** Read `path` as UTF-8 text. */
export async function readText(src: FileSource, path: string): Promise<string> {
  return new TextDecoder().decode(await src.read(path));
}

/** Read and parse `path` as JSON; a syntax error names the file. */
export async function readJson(src: FileSource, path: string): Promise<unknown> {
  const text = await readText(src, path);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${src.label}/${path}: invalid JSON: ${(e as Error).message}`);
  }
}

/** Normalize a relative path: no leading './' or '/', forward slashes. */
export function normPath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

/** The part of the browser File API we use (a File from `<input webkitdirectory>` or a drop). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  /** Path inside the picked folder, `top/sub/name` (set by `webkitdirectory` pickers). */
  readonly webkitRelativePath?: string;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/**
 * A source over files picked in the browser. Paths are taken from `webkitRelativePath` with the
 * picked folder's own name removed, or from `name` for a flat selection; `paths` overrides both.
 */
export function filesSource(files: Iterable<FileLike>, label = 'picked folder', paths?: string[]): FileSource {
  const list = [...files];
  const rel = list.map((f, i) => normPath(paths?.[i] ?? (f.webkitRelativePath || f.name)));
  // Strip a common first component (the folder the user picked) when every path has one.
  const tops = new Set(rel.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const strip = !paths && tops.size === 1 && !tops.has('') ? [...tops][0].length + 1 : 0;
  const byPath = new Map(list.map((f, i) => [rel[i].slice(strip), f]));
  const get = (path: string): FileLike => {
    const f = byPath.get(normPath(path));
    if (!f) throw new MissingFileError(label, path);
    return f;
  };
  return {
    label,
    has: async (path) => byPath.has(normPath(path)),
    size: async (path) => get(path).size,
    read: async (path, start = 0, end) => {
      const f = get(path);
      return new Uint8Array(await f.slice(start, end ?? f.size).arrayBuffer());
    },
  };
}

/** A source over in-memory bytes (tests, files generated in the page). */
export function memorySource(files: Record<string, Uint8Array | string>, label = 'memory'): FileSource {
  const enc = new TextEncoder();
  const byPath = new Map(Object.entries(files).map(([p, d]) => [normPath(p), typeof d === 'string' ? enc.encode(d) : d]));
  const get = (path: string): Uint8Array => {
    const d = byPath.get(normPath(path));
    if (!d) throw new MissingFileError(label, path);
    return d;
  };
  return {
    label,
    has: async (path) => byPath.has(normPath(path)),
    size: async (path) => get(path).byteLength,
    read: async (path, start = 0, end) => get(path).slice(start, end),
  };
}

/** The `fetch` signature the HTTP source needs (the global one by default). */
export type FetchLike = (url: string, init?: { method?: string; headers?: Record<string, string> }) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/**
 * A source over `baseUrl/<path>` (e.g. `https://huggingface.co/<repo>/resolve/main`, or the
 * demo model under the app's `public/`). Ranges use the `Range` header; a server that ignores it
 * (200 instead of 206) still works, at the cost of a full download per read.
 */
export function httpSource(baseUrl: string, fetchFn: FetchLike = (u, i) => fetch(u, i)): FileSource {
  const base = baseUrl.replace(/\/+$/, '');
  const url = (path: string) => `${base}/${normPath(path).split('/').map(encodeURIComponent).join('/')}`;
  const sizes = new Map<string, number>();
  const fail = (path: string, status: number): never => {
    if (status === 404 || status === 410) throw new MissingFileError(base, path, `HTTP ${status}`);
    throw new Error(`${base}/${path}: HTTP ${status}`);
  };
  const size = async (path: string): Promise<number> => {
    const known = sizes.get(path);
    if (known !== undefined) return known;
    const r = await fetchFn(url(path), { method: 'HEAD' });
    if (!r.ok) fail(path, r.status);
    const len = r.headers.get('content-length');
    // NOTE: a HEAD without Content-Length (or through a compressing proxy) gives no size:
    // fall back to downloading the file once.
    const n = len !== null && len !== '' ? Number(len) : (await readRange(path)).byteLength;
    sizes.set(path, n);
    return n;
  };
  const readRange = async (path: string, start = 0, end?: number): Promise<Uint8Array> => {
    const ranged = start > 0 || end !== undefined;
    const headers: Record<string, string> = ranged ? { Range: `bytes=${start}-${end === undefined ? '' : end - 1}` } : {};
    if (ranged && end !== undefined && end <= start) return new Uint8Array(0);
    const r = await fetchFn(url(path), { headers });
    if (!r.ok) fail(path, r.status);
    const bytes = new Uint8Array(await r.arrayBuffer());
    if (ranged && r.status !== 206) return bytes.slice(start, end);
    return bytes;
  };
  return {
    label: base,
    has: async (path) => {
      const r = await fetchFn(url(path), { method: 'HEAD' });
      if (r.ok) return true;
      if (r.status === 404 || r.status === 410) return false;
      return fail(path, r.status);
    },
    size,
    read: readRange,
  };
}
