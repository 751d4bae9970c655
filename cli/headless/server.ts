// The headless runner's loopback server: the built app (with cross-origin isolation headers),
// read-only mounts of local folders the run needs (model, dataset), and a write-only output folder.
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

async function serveFile(res: ServerResponse, file: string): Promise<void> {
  let st;
  try { st = statSync(file); } catch { return send(res, 404, `not found: ${file}`); }
  if (st.isDirectory()) return serveFile(res, join(file, 'index.html'));
  res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size, 'Cache-Control': 'no-store', ...isolation });
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
    return serveFile(res, resolveInside(root, rest.join('/')));
  }
  if (path.startsWith('/output/')) {
    if (!o.outputDir) return send(res, 404, 'this run has no output folder');
    if (req.method !== 'PUT') return send(res, 405, 'outputs are written with PUT');
    const file = resolveInside(o.outputDir, path.slice('/output/'.length));
    await mkdir(dirname(file), { recursive: true });
    await pipeline(req, createWriteStream(file));
    return send(res, 201, relative(o.outputDir, file));
  }
  return serveFile(res, resolveInside(o.appDir, path === '/' ? 'index.html' : path.slice(1)));
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
