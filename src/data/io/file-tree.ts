// A read-only folder of dataset files (a LibriSpeech tree, a JSONL file with its audio), behind
// one small interface: a folder picked in the browser (FileSystemDirectoryHandle or an
// `<input webkitdirectory>` file list), in-memory files for tests, or a Node folder
// (`nodeFileTree` in `fs-node.ts`). Paths are POSIX-style and relative to the tree's root.
import type { BlobLike, ByteSource } from './byte-source';
import { memorySource, readableChunks } from './byte-source';
import { normalizeRelative } from './paths';

/** One entry of a directory listing. */
export interface TreeEntry {
  name: string;
  kind: 'file' | 'directory';
}

/** A read-only folder of files addressed by relative paths (`61/70968/61-70968.trans.txt`). */
export interface FileTree {
  /** Where the files live, for messages (a path, or the picked folder's name). */
  readonly label: string;
  /** The root's absolute path when it has one (Node), so absolute record paths can be checked. */
  readonly absPath?: string;
  /** Entries of directory `dir` (`''` is the root), in no particular order; throws if it is no directory. */
  list(dir: string): Promise<TreeEntry[]>;
  /** True when `path` is an existing file. */
  exists(path: string): Promise<boolean>;
  /** The file at `path` as a byte source named by its path (errors surface when it is read). */
  file(path: string): ByteSource;
}

/** Thrown for a directory or file the tree does not have. */
export class TreeNotFoundError extends Error {
  constructor(readonly tree: string, readonly path: string, what: 'file' | 'directory') {
    super(`${tree}: ${what} '${path || '.'}' not found`);
    this.name = 'TreeNotFoundError';
  }
}

/** A tree held as a map of file paths (directories implied by the paths); `open` reads one file. */
export function mapTree<F>(label: string, files: Map<string, F>, open: (path: string, f: F) => ByteSource): FileTree {
  const dirs = new Map<string, Map<string, TreeEntry>>([['', new Map()]]);
  for (const path of files.keys()) {
    const segs = path.split('/');
    let dir = '';
    for (let i = 0; i < segs.length; i++) {
      const isFile = i === segs.length - 1;
      const entries = dirs.get(dir) ?? new Map<string, TreeEntry>();
      dirs.set(dir, entries);
      entries.set(segs[i], { name: segs[i], kind: isFile ? 'file' : 'directory' });
      dir = dir === '' ? segs[i] : `${dir}/${segs[i]}`;
      if (!isFile && !dirs.has(dir)) dirs.set(dir, new Map());
    }
  }
  return {
    label,
    async list(dir) {
      const d = dirs.get(normalizeRelative(dir));
      if (!d) throw new TreeNotFoundError(label, dir, 'directory');
      return [...d.values()];
    },
    async exists(path) {
      return files.has(normalizeRelative(path));
    },
    file(path) {
      const p = normalizeRelative(path);
      const f = files.get(p);
      if (f === undefined) {
        return { name: p, stream: () => failing(new TreeNotFoundError(label, p, 'file')) };
      }
      return open(p, f);
    },
  };
}

// An async iterable that fails when read (a file that is not there).
function failing(err: Error): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(err) }) };
}

/** A tree over in-memory files (`{ 'a/b.txt': 'text' }`), for tests and generated demo data. */
export function memoryTree(files: Record<string, string | Uint8Array>, label = 'memory', chunkSize?: number): FileTree {
  const map = new Map(Object.entries(files).map(([p, d]) => [normalizeRelative(p), d] as const));
  return mapTree(label, map, (p, d) => memorySource(d, p, chunkSize));
}

/** A browser File as a webkitdirectory/drop picker gives it. */
export interface FileLike extends BlobLike {
  readonly name: string;
  /** Path inside the picked folder, `top/sub/name`. */
  readonly webkitRelativePath?: string;
}

/**
 * A tree over files from `<input webkitdirectory>` (or a drop). Paths come from
 * `webkitRelativePath` with the picked folder's own name removed.
 */
export function fileListTree(files: Iterable<FileLike>, label?: string): FileTree {
  const list = [...files];
  const rel = list.map((f) => (f.webkitRelativePath || f.name).replace(/\\/g, '/'));
  const tops = new Set(rel.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const top = tops.size === 1 && !tops.has('') ? [...tops][0] : '';
  const map = new Map(list.map((f, i) => [normalizeRelative(top ? rel[i].slice(top.length + 1) : rel[i]), f] as const));
  return mapTree(label ?? (top || 'picked files'), map, (p, f) => ({ name: p, size: f.size, stream: () => readableChunks(f.stream()) }));
}

/** The part of `FileSystemDirectoryHandle` (File System Access API) the tree uses. */
export interface DirHandleLike {
  readonly kind: 'directory';
  readonly name: string;
  getDirectoryHandle(name: string): Promise<DirHandleLike>;
  getFileHandle(name: string): Promise<FileHandleLike>;
  values(): AsyncIterable<DirHandleLike | FileHandleLike>;
}

/** The part of `FileSystemFileHandle` the tree uses. */
export interface FileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<BlobLike>;
}

/** A tree over a folder picked with `showDirectoryPicker()` (or dropped as a directory handle). */
export function directoryHandleTree(root: FileSystemDirectoryHandle | DirHandleLike, label?: string): FileTree {
  // NOTE: TypeScript's DOM lib types `values()` only in DOM.AsyncIterable; browsers have it.
  const h = root as unknown as DirHandleLike;
  const name = label ?? h.name;
  const dirOf = async (path: string): Promise<DirHandleLike> => {
    let d = h;
    for (const seg of path === '' ? [] : path.split('/')) {
      try { d = await d.getDirectoryHandle(seg); } catch { throw new TreeNotFoundError(name, path, 'directory'); }
    }
    return d;
  };
  const fileOf = async (path: string): Promise<FileHandleLike> => {
    const i = path.lastIndexOf('/');
    const d = await dirOf(i < 0 ? '' : path.slice(0, i));
    try { return await d.getFileHandle(path.slice(i + 1)); } catch { throw new TreeNotFoundError(name, path, 'file'); }
  };
  return {
    label: name,
    async list(dir) {
      const d = await dirOf(normalizeRelative(dir));
      const out: TreeEntry[] = [];
      for await (const e of d.values()) out.push({ name: e.name, kind: e.kind });
      return out;
    },
    async exists(path) {
      try { await fileOf(normalizeRelative(path)); return true; } catch { return false; }
    },
    file(path) {
      const p = normalizeRelative(path);
      return {
        name: p,
        async *stream() {
          const f = await (await fileOf(p)).getFile();
          yield* readableChunks(f.stream());
        },
      };
    },
  };
}
