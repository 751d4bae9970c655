import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { parseRange, serve } from './server';

/** A request whose path is sent as written (fetch would normalize '..' away client-side). */
function raw(method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, method, path: url.slice(u.origin.length) }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const root = mkdtempSync(join(tmpdir(), 'prefstudio-serve-'));
const app = join(root, 'app');
const data = join(root, 'data');
const out = join(root, 'out');
let origin = '';
let close: () => Promise<void> = async () => {};

beforeAll(async () => {
  mkdirSync(app); mkdirSync(data); mkdirSync(out);
  writeFileSync(join(app, 'index.html'), '<p>studio</p>');
  writeFileSync(join(data, 'train.jsonl'), '{"prompt":"a"}\n');
  writeFileSync(join(root, 'secret.txt'), 'do not serve');
  symlinkSync(join(root, 'secret.txt'), join(data, 'link.txt'));
  ({ origin, close } = await serve({ appDir: app, mounts: { data }, outputDir: out }));
});
afterAll(() => close());

describe('headless server', () => {
  it('serves the app with cross-origin isolation headers', async () => {
    const r = await fetch(`${origin}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('<p>studio</p>');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('serves mounted dataset files read-only', async () => {
    expect(await (await fetch(`${origin}/mount/data/train.jsonl`)).text()).toBe('{"prompt":"a"}\n');
    expect((await fetch(`${origin}/mount/data/train.jsonl`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await fetch(`${origin}/mount/nope/x`)).status).toBe(404);
  });

  it('refuses paths that escape the dataset root, encoded or through a symlink', async () => {
    for (const p of ['/mount/data/../secret.txt', '/mount/data/%2e%2e/secret.txt', '/mount/data/..%2fsecret.txt', '/mount/data/link.txt']) {
      const r = await raw('GET', origin + p);
      expect(r.status, p).toBe(403);
      expect(r.text).toMatch(/escapes|outside/);
    }
  });

  it('writes outputs under the output folder only', async () => {
    expect((await fetch(`${origin}/output/ckpt/a.json`, { method: 'PUT', body: '{"ok":1}' })).status).toBe(201);
    expect(readFileSync(join(out, 'ckpt/a.json'), 'utf8')).toBe('{"ok":1}');
    expect((await raw('PUT', `${origin}/output/../evil.txt`, 'x')).status).toBe(403);
    expect((await raw('PUT', `${origin}/output/%2e%2e%2fevil.txt`, 'x')).status).toBe(403);
  });

  it('answers Range requests on mounts (206 with Content-Range; 416 past the end)', async () => {
    const url = `${origin}/mount/data/train.jsonl`; // 15 bytes: {"prompt":"a"}\n
    const part = await fetch(url, { headers: { Range: 'bytes=2-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-7/15');
    expect(await part.text()).toBe('prompt');
    const tail = await fetch(url, { headers: { Range: 'bytes=-2' } });
    expect(await tail.text()).toBe('}\n');
    expect((await fetch(url, { headers: { Range: 'bytes=99-' } })).status).toBe(416);
    const head = await fetch(url, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), head.headers.get('accept-ranges')]).toEqual([200, '15', 'bytes']);
    expect(parseRange('bytes=0-', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=0-1,4-5', 10)).toBeUndefined();
  });

  it('POST appends to an output file, PUT replaces it', async () => {
    for (const line of ['{"step":1}\n', '{"step":2}\n']) {
      expect((await fetch(`${origin}/output/metrics.jsonl`, { method: 'POST', body: line })).status).toBe(201);
    }
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe('{"step":1}\n{"step":2}\n');
    await fetch(`${origin}/output/metrics.jsonl`, { method: 'PUT', body: 'x' });
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe('x');
    expect((await raw('POST', `${origin}/output/../evil.txt`, 'x')).status).toBe(403);
    expect((await fetch(`${origin}/output/`, { method: 'PUT', body: 'x' })).status).toBe(400);
  });
});
