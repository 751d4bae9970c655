// The headless runner's loopback server: the built app (with cross-origin isolation headers),
// read-only mounts of local folders the run needs (model, dataset), and a write-only output folder.
// Mounts answer HTTP Range requests (safetensors tensors are read one range at a time); outputs
// are written with PUT (create or replace) and POST (append: metrics.jsonl lines).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, createWriteStream, realpathSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jsonl': 'application/jsonl', '.txt': 'text/plain; charset=utf-8',
};

export interface ServeOptions {
  /** The built app (vite build output). */
  appDir: string;
  /** name -> local folder, served read-only under /mount/<name>/. */
  mounts?: Record<string, string>;
  /** Folder that PUT /output/<path> writes into. */
  outputDir?: string;
  /** 0 picks a free port. */
  port?: number;
}

/** Resolve `rel` inside `root`, refusing anything that escapes it (also through symlinks). */
export function resolveInside(root: string, rel: string): string {
  const decoded = decodeURIComponent(rel);
  if (decoded.includes('\0')) throw new PathError(`path '${decoded}' contains a NUL byte`);
  const base = resolve(root);
  const target = resolve(base, '.' + sep + decoded);
  const inside = (p: string, r: string) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep);
  if (!inside(target, base)) throw new PathError(`path '${decoded}' escapes the folder ${base}`);
  try {
    const real = realpathSync(target);
    if (!inside(real, realpathSync(base))) throw new PathError(`path '${decoded}' leads outside ${base} through a link`);
  } catch (e) {
    if (e instanceof PathError) throw e; // a missing file is fine here: the caller reports 404 or creates it
  }
  return target;
}

/** A request path that is not allowed. */
export class PathError extends Error {}

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...isolation });
  res.end(body);
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` against a file of `size` bytes: [start, end] inclusive, or null when unsatisfiable. */
export function parseRange(header: string, size: number): { start: number; end: number } | null | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // not a single range we understand: serve the whole file
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? null : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? null : { start, end };
}

async function serveFile(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  let st;
  try { st = statSync(file); } catch { return send(res, 404, `not found: ${file}`); }
  if (st.isDirectory()) return serveFile(req, res, join(file, 'index.html'));
  const head = { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store', ...isolation };
  const range = req.headers.range === undefined ? undefined : parseRange(req.headers.range, st.size);
  if (range === null) {
    res.writeHead(416, { ...head, 'Content-Range': `bytes */${st.size}` });
    res.end();
    return;
  }
  if (range) {
    res.writeHead(206, { ...head, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${st.size}` });
    if (req.method === 'HEAD') { res.end(); return; }
    await pipeline(createReadStream(file, { start: range.start, end: range.end }), res);
    return;
  }
  res.writeHead(200, { ...head, 'Content-Length': st.size });
  if (req.method === 'HEAD') { res.end(); return; }
  await pipeline(createReadStream(file), res);
}

async function handle(o: ServeOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // NOTE: the raw path, not `new URL(...)`: URL parsing folds '..' away and would hide an escape attempt.
  const path = (req.url ?? '/').split('?')[0];
  if (path.startsWith('/mount/')) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'mounts are read-only');
    const [, , name, ...rest] = path.split('/');
    const root = o.mounts?.[decodeURIComponent(name)];
    if (!root) return send(res, 404, `no mount named '${name}'`);
    return serveFile(req, res, resolveInside(root, rest.join('/')));
  }
  if (path.startsWith('/output/')) {
    if (!o.outputDir) return send(res, 404, 'this run has no output folder');
    if (req.method !== 'PUT' && req.method !== 'POST') return send(res, 405, 'outputs are written with PUT (replace) or POST (append)');
    const file = resolveInside(o.outputDir, path.slice('/output/'.length));
    if (file === resolve(o.outputDir)) return send(res, 400, 'an output needs a file name');
    await mkdir(dirname(file), { recursive: true });
    await pipeline(req, createWriteStream(file, { flags: req.method === 'POST' ? 'a' : 'w' }));
    return send(res, 201, relative(o.outputDir, file));
  }
  return serveFile(req, res, resolveInside(o.appDir, path === '/' ? 'index.html' : path.slice(1)));
}

/** Start the server on 127.0.0.1; resolves with its origin and a close function. */
export async function serve(o: ServeOptions): Promise<{ origin: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    handle(o, req, res).catch((e: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      send(res, e instanceof PathError ? 403 : 500, e instanceof Error ? e.message : String(e));
    });
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(o.port ?? 0, '127.0.0.1', ok); });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { origin: `http://127.0.0.1:${port}`, server, close: () => new Promise((ok) => server.close(() => ok())) };
}
