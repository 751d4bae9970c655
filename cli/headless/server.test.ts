import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { serve } from './server';

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
});
