import { describe, expect, it } from 'vitest';
import type { DirHandleLike, FileHandleLike, FileTree } from './file-tree';
import { directoryHandleTree, fileListTree, memoryTree, TreeNotFoundError } from './file-tree';
import { readLines } from './line-reader';

async function text(tree: FileTree, path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(tree.file(path))) out.push(l.line);
  return out;
}

const names = async (tree: FileTree, dir: string): Promise<string[]> => (await tree.list(dir)).map((e) => `${e.kind[0]}:${e.name}`).sort();

// Minimal stand-ins for the File System Access API handles.
function fakeDir(name: string, files: Record<string, string>): DirHandleLike {
  const sub = new Map<string, Record<string, string>>();
  const own = new Map<string, string>();
  for (const [p, v] of Object.entries(files)) {
    const i = p.indexOf('/');
    if (i < 0) own.set(p, v);
    else sub.set(p.slice(0, i), { ...(sub.get(p.slice(0, i)) ?? {}), [p.slice(i + 1)]: v });
  }
  const file = (n: string, v: string): FileHandleLike => ({ kind: 'file', name: n, getFile: async () => new Blob([v]) });
  return {
    kind: 'directory',
    name,
    async getDirectoryHandle(n) { const f = sub.get(n); if (!f) throw new DOMException('nope', 'NotFoundError'); return fakeDir(n, f); },
    async getFileHandle(n) { const v = own.get(n); if (v === undefined) throw new DOMException('nope', 'NotFoundError'); return file(n, v); },
    async *values() { for (const [n, f] of sub) yield fakeDir(n, f); for (const [n, v] of own) yield file(n, v); },
  };
}

describe('file trees', () => {
  const files = { 'a/b/one.txt': 'x\ny', 'a/two.txt': 'z', 'top.txt': 't' };

  it.each([
    ['memoryTree', memoryTree(files, 'mem')],
    ['fileListTree', fileListTree(Object.entries(files).map(([p, v]) => Object.assign(new Blob([v]), { name: p.split('/').pop() as string, webkitRelativePath: `picked/${p}` })))],
    ['directoryHandleTree', directoryHandleTree(fakeDir('picked', files))],
  ])('%s lists, checks and reads files by relative path', async (_name, tree) => {
    expect(await names(tree, '')).toEqual(['d:a', 'f:top.txt']);
    expect(await names(tree, 'a')).toEqual(['d:b', 'f:two.txt']);
    expect(await tree.exists('a/b/one.txt')).toBe(true);
    expect(await tree.exists('./a//b/one.txt')).toBe(true);
    expect(await tree.exists('a/b')).toBe(false);
    expect(await tree.exists('nope.txt')).toBe(false);
    expect(await text(tree, 'a/b/one.txt')).toEqual(['x', 'y']);
    expect(tree.file('a/b/one.txt').name).toBe('a/b/one.txt');
    await expect(tree.list('missing')).rejects.toThrow(TreeNotFoundError);
    await expect(text(tree, 'a/missing.txt')).rejects.toThrow(/not found/);
  });

  it('names a webkitdirectory tree after the picked folder', () => {
    const tree = fileListTree([Object.assign(new Blob(['x']), { name: 'f.txt', webkitRelativePath: 'LibriSpeech/f.txt' })]);
    expect(tree.label).toBe('LibriSpeech');
  });
});
