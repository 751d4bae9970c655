// Node-only: a FileSource over a local folder, and writing a folder of files.
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type FileSource, MissingFileError, normPath } from './file-source';

const isMissing = (e: unknown): boolean => (e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR';

/** A source over the folder `dir`; a missing folder fails on first use with a clear error. */
export function folderSource(dir: string): FileSource {
  const root = resolve(dir);
  const full = (path: string) => join(root, normPath(path));
  const checkRoot = async (path: string): Promise<never> => {
    const s = await stat(root).catch(() => null);
    if (!s) throw new Error(`model folder '${root}' does not exist`);
    if (!s.isDirectory()) throw new Error(`'${root}' is not a folder`);
    throw new MissingFileError(root, path);
  };
  const size = async (path: string): Promise<number> => {
    try {
      const s = await stat(full(path));
      if (!s.isFile()) throw new MissingFileError(root, path, 'not a regular file');
      return s.size;
    } catch (e) {
      if (isMissing(e)) return checkRoot(path);
      throw e;
    }
  };
  return {
    label: root,
    has: async (path) => stat(full(path)).then((s) => s.isFile(), () => false),
    size,
    read: async (path, start = 0, end) => {
      const total = await size(path);
      const stop = Math.min(end ?? total, total);
      const out = new Uint8Array(Math.max(stop - start, 0));
      if (!out.byteLength) return out;
      const fh = await open(full(path), 'r');
      try {
        let done = 0;
        while (done < out.byteLength) {
          const { bytesRead } = await fh.read(out, done, out.byteLength - done, start + done);
          if (!bytesRead) break;
          done += bytesRead;
        }
        return done === out.byteLength ? out : out.slice(0, done);
      } finally {
        await fh.close();
      }
    },
  };
}

/** Write `files` (relative path -> bytes or text) under `dir`, creating folders. */
export async function writeFolder(dir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [path, data] of Object.entries(files)) {
    const p = join(dir, normPath(path));
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
  }
}
