// Node-only sources and sinks (node:fs). Never import this from code that ships to the browser;
// the CLI, benchmarks and Node tests use it.
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { ByteSource } from './byte-source';
import type { FileTree, TreeEntry } from './file-tree';
import { TreeNotFoundError } from './file-tree';
import type { TextSink } from './jsonl-writer';
import { normalizeRelative } from './paths';

/** A Node file as a byte source, read in `chunkSize` pieces (64 KiB by default: batches of records then stay in V8's young generation, measured ~25% faster than 1 MiB). */
export function nodeFileSource(path: string, name: string = path, chunkSize = 64 * 1024): ByteSource {
  return {
    name,
    async *stream() {
      // NOTE: breaking out of `for await` over a ReadStream destroys it: the read really stops.
      const rs = createReadStream(path, { highWaterMark: chunkSize });
      for await (const chunk of rs as AsyncIterable<Buffer>) yield chunk;
    },
  };
}

/** A Node folder as a file tree; record paths may not leave it. */
export function nodeFileTree(root: string, label: string = root): FileTree {
  const abs = nodePath.resolve(root);
  const full = (p: string): string => nodePath.join(abs, normalizeRelative(p));
  return {
    label,
    absPath: abs,
    async list(dir) {
      try {
        const ents = await readdir(full(dir), { withFileTypes: true });
        const out: TreeEntry[] = [];
        for (const e of ents) {
          if (e.isDirectory()) out.push({ name: e.name, kind: 'directory' });
          else if (e.isFile()) out.push({ name: e.name, kind: 'file' });
          else if (e.isSymbolicLink()) {
            // Follow links (common in dataset folders), but only to say what they are.
            const s = await stat(nodePath.join(full(dir), e.name)).catch(() => undefined);
            if (s?.isDirectory()) out.push({ name: e.name, kind: 'directory' });
            else if (s?.isFile()) out.push({ name: e.name, kind: 'file' });
          }
        }
        return out;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new TreeNotFoundError(label, dir, 'directory');
        throw e;
      }
    },
    async exists(p) {
      const s = await stat(full(p)).catch(() => undefined);
      return s !== undefined && s.isFile();
    },
    file(p) {
      const rel = normalizeRelative(p);
      return nodeFileSource(full(rel), rel);
    },
  };
}

/** A sink writing UTF-8 text to a Node file, honouring back-pressure. */
export function nodeFileSink(path: string): TextSink {
  const ws = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | undefined;
  ws.on('error', (e) => { failure = e; });
  return {
    async write(text) {
      if (failure) throw failure;
      if (!ws.write(text)) {
        await new Promise<void>((resolve, reject) => {
          const onErr = (e: Error): void => { ws.off('drain', onDrain); reject(e); };
          const onDrain = (): void => { ws.off('error', onErr); resolve(); };
          ws.once('drain', onDrain);
          ws.once('error', onErr);
        });
      }
    },
    async close() {
      if (failure) throw failure;
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.end(() => resolve());
      });
    },
  };
}
