import { describe, expect, it } from 'vitest';
import { TreeNotFoundError } from '../../data';
import { type Fetcher, fileUrl, manifestTree, parseManifest } from './http-tree';

const manifest = { name: 'demo', files: [{ path: 'a/b/x.txt', size: 5 }, { path: 'a/y z.txt', size: 3 }, { path: 'top.json', size: 2 }] };
const served: Record<string, string> = { 'http://h/demo/a/b/x.txt': 'hello', 'http://h/demo/a/y%20z.txt': 'yes', 'http://h/demo/top.json': '{}' };
const asked: string[] = [];
const fetcher: Fetcher = async (url) => {
  asked.push(url);
  const body = served[url];
  return body === undefined ? new Response('', { status: 500 }) : new Response(body);
};

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  let s = '';
  for await (const c of stream) s += new TextDecoder().decode(c);
  return s;
}

describe('manifestTree', () => {
  const tree = manifestTree('http://h/demo/', manifest, fetcher);

  it('lists folders from the manifest without asking the server', async () => {
    expect((await tree.list('')).map((e) => `${e.kind}:${e.name}`).sort()).toEqual(['directory:a', 'file:top.json']);
    expect((await tree.list('a')).map((e) => `${e.kind}:${e.name}`).sort()).toEqual(['directory:b', 'file:y z.txt']);
    await expect(tree.list('nope')).rejects.toBeInstanceOf(TreeNotFoundError);
    expect(await tree.exists('a/b/x.txt')).toBe(true);
    expect(await tree.exists('a/b')).toBe(false);
    expect(asked).toEqual([]);
  });

  it('fetches files on read, escaping each path segment', async () => {
    expect(await text(tree.file('a/b/x.txt').stream())).toBe('hello');
    expect(await text(tree.file('./a/y z.txt').stream())).toBe('yes');
    expect(tree.file('a/b/x.txt').size).toBe(5);
    expect(asked).toEqual(['http://h/demo/a/b/x.txt', 'http://h/demo/a/y%20z.txt']);
  });

  it('fails on read for unlisted files and HTTP errors', async () => {
    await expect(text(tree.file('missing.txt').stream())).rejects.toBeInstanceOf(TreeNotFoundError);
    const broken = manifestTree('http://h/demo', { name: 'demo', files: [{ path: 'gone.txt', size: 1 }] }, fetcher);
    await expect(text(broken.file('gone.txt').stream())).rejects.toThrow('demo: gone.txt: HTTP 500');
  });
});

describe('manifest parsing', () => {
  it('checks the fields', () => {
    expect(parseManifest(manifest)).toEqual({ ...manifest, config: undefined });
    expect(() => parseManifest({ name: 'x', files: [{ path: 1 }] })).toThrow('files[0]');
    expect(() => parseManifest({ files: [] })).toThrow('name');
    expect(fileUrl('http://h/base', 'a/#b.txt')).toBe('http://h/base/a/%23b.txt');
  });
});
