// A FileTree over static files served by HTTP: the studio's demo project lives in public/demo/
// and is read through the same `src/data` loaders as a folder the user drops. Static servers do
// not list folders, so a manifest (manifest.json, written by tests/fixtures/demo/gen.sh) names
// every file; bytes are fetched on demand and streamed chunk by chunk.
import { type FileTree, mapTree, normalizeRelative, readableChunks } from '../../data';

/** One file of a manifest. */
export interface ManifestFile {
  path: string;
  size: number;
}

/** The file list of a project served over HTTP. */
export interface ProjectManifest {
  /** Shown as the project's name. */
  name: string;
  /** The seed-000 dataset config inside the tree, if any. */
  config?: string;
  files: ManifestFile[];
}

/** What the tree needs of `fetch`. */
export type Fetcher = (url: string) => Promise<Pick<Response, 'ok' | 'status' | 'body' | 'text'>>;

const defaultFetch: Fetcher = (url) => fetch(url);

/** Check a parsed manifest.json; throws naming the bad field. */
export function parseManifest(value: unknown, where = 'manifest.json'): ProjectManifest {
  const v = value as Partial<ProjectManifest> | null;
  if (typeof v !== 'object' || v === null) throw new Error(`${where}: expected an object`);
  if (typeof v.name !== 'string') throw new Error(`${where}: name: expected a string`);
  if (v.config !== undefined && typeof v.config !== 'string') throw new Error(`${where}: config: expected a string`);
  if (!Array.isArray(v.files)) throw new Error(`${where}: files: expected a list`);
  v.files.forEach((f: Partial<ManifestFile>, i) => {
    if (typeof f?.path !== 'string' || typeof f.size !== 'number') throw new Error(`${where}: files[${i}]: expected {"path": string, "size": number}`);
  });
  return { name: v.name, config: v.config, files: v.files };
}

/** The URL of `path` under `baseUrl` (each segment escaped). */
export function fileUrl(baseUrl: string, path: string): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(normalizeRelative(path).split('/').map(encodeURIComponent).join('/'), base).href;
}

/** Fetch `url` and fail with a readable message unless it is 2xx. */
async function fetchOk(fetcher: Fetcher, url: string, label: string, path: string) {
  const r = await fetcher(url);
  if (!r.ok) throw new Error(`${label}: ${path}: HTTP ${r.status}`);
  return r;
}

/** A read-only tree over the files a manifest lists, fetched from `baseUrl`. */
export function manifestTree(baseUrl: string, manifest: ProjectManifest, fetcher: Fetcher = defaultFetch): FileTree {
  const label = manifest.name;
  const sizes = new Map(manifest.files.map((f) => [normalizeRelative(f.path), f.size] as const));
  return mapTree(label, sizes, (p, size) => ({
    name: p,
    size,
    async *stream() {
      const r = await fetchOk(fetcher, fileUrl(baseUrl, p), label, p);
      if (!r.body) throw new Error(`${label}: ${p}: empty response`);
      yield* readableChunks(r.body);
    },
  }));
}

/** Fetch and check `manifest.json` under `baseUrl`. */
export async function fetchManifest(baseUrl: string, fetcher: Fetcher = defaultFetch): Promise<ProjectManifest> {
  const url = fileUrl(baseUrl, 'manifest.json');
  const r = await fetchOk(fetcher, url, baseUrl, 'manifest.json');
  return parseManifest(JSON.parse(await r.text()), url);
}

/** The text of one file under `baseUrl`. */
export async function fetchText(baseUrl: string, path: string, fetcher: Fetcher = defaultFetch): Promise<string> {
  return (await fetchOk(fetcher, fileUrl(baseUrl, path), baseUrl, path)).text();
}
