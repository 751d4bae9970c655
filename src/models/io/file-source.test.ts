import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileSource, MissingFileError, filesSource, httpSource, memorySource, readJson } from './file-source';
import { folderSource, writeFolder } from './file-source-node';

const BYTES = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
const FILES = { 'config.json': '{"model_type": "llama"}', 'model.safetensors': BYTES, 'sub/x.txt': 'hi' };

/** The behaviour every source must share. */
async function contract(src: FileSource) {
  expect(await src.has('config.json')).toBe(true);
  expect(await src.has('sub/x.txt')).toBe(true);
  expect(await src.has('nope.json')).toBe(false);
  expect(await src.size('model.safetensors')).toBe(300);
  expect([...(await src.read('model.safetensors'))]).toEqual([...BYTES]);
  expect([...(await src.read('model.safetensors', 10, 20))]).toEqual([...BYTES.slice(10, 20)]);
  expect([...(await src.read('model.safetensors', 290))]).toEqual([...BYTES.slice(290)]);
  expect(await readJson(src, 'config.json')).toEqual({ model_type: 'llama' });
  await expect(src.read('nope.json')).rejects.toThrow(MissingFileError);
  await expect(src.read('nope.json')).rejects.toThrow(/file 'nope.json' not found/);
  await expect(src.size('nope.json')).rejects.toThrow(/nope.json/);
}

describe('memorySource', () => {
  it('serves files and ranges', async () => { await contract(memorySource(FILES)); });
});

describe('folderSource (Node)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prefstudio-src-'));
    await writeFolder(dir, FILES);
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('serves files and ranges', async () => { await contract(folderSource(dir)); });
  it('names a missing folder', async () => {
    const src = folderSource(join(dir, 'does-not-exist'));
    await expect(src.read('config.json')).rejects.toThrow(/model folder '.*does-not-exist' does not exist/);
    expect(await src.has('config.json')).toBe(false);
  });
  it('a folder is not a file', async () => {
    expect(await folderSource(dir).has('sub')).toBe(false);
    await expect(folderSource(dir).read('sub')).rejects.toThrow(/not a regular file/);
  });
});

describe('filesSource (browser picks)', () => {
  const picked = Object.entries(FILES).map(([p, d]) => {
    const f = new File([d], p.split('/').pop()!);
    Object.defineProperty(f, 'webkitRelativePath', { value: `my-model/${p}` });
    return f;
  });
  it('strips the picked folder name from webkitRelativePath', async () => { await contract(filesSource(picked)); });
  it('takes explicit paths for a drop', async () => {
    await contract(filesSource(Object.entries(FILES).map(([p, d]) => new File([d], p)), 'drop', Object.keys(FILES)));
  });
});

describe('httpSource', () => {
  let server: Server;
  let base = '';
  const requests: { method: string; url: string; range?: string }[] = [];
  let honourRange = true;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push({ method: req.method!, url: req.url!, range: req.headers.range });
      const path = decodeURIComponent(req.url!.replace(/^\/repo\/resolve\/main\//, ''));
      const d = (FILES as Record<string, string | Uint8Array>)[path];
      if (d === undefined) { res.writeHead(404).end(); return; }
      const body = typeof d === 'string' ? Buffer.from(d) : Buffer.from(d);
      const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      if (m && honourRange) {
        const end = m[2] ? Number(m[2]) + 1 : body.length;
        res.writeHead(206, { 'Content-Length': end - Number(m[1]), 'Content-Range': `bytes ${m[1]}-${end - 1}/${body.length}` });
        res.end(req.method === 'HEAD' ? undefined : body.subarray(Number(m[1]), end));
        return;
      }
      res.writeHead(200, { 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo/resolve/main`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  it('serves files and ranges with Range requests', async () => {
    honourRange = true;
    requests.length = 0;
    await contract(httpSource(`${base}/`));
    expect(requests.some((r) => r.range === 'bytes=10-19')).toBe(true);
  });
  it('still works against a server that ignores Range', async () => {
    honourRange = false;
    await contract(httpSource(base));
    honourRange = true;
  });
  it('reports a server error that is not a missing file', async () => {
    const src = httpSource(base, async () => ({ ok: false, status: 500, headers: { get: () => null }, arrayBuffer: async () => new ArrayBuffer(0) }));
    await expect(src.read('config.json')).rejects.toThrow(/config.json: HTTP 500/);
    await expect(src.has('config.json')).rejects.toThrow(/HTTP 500/);
  });
});
