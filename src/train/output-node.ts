// Node-only: an output sink over a local folder (tests, benchmarks, tools outside the browser).
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { normPath } from '../models/io';
import { type OutputSink } from './io';

/** Write outputs under `dir` (created as needed); paths may not leave it. */
export function folderSink(dir: string): OutputSink {
  const root = resolve(dir);
  const full = async (path: string): Promise<string> => {
    const p = resolve(join(root, normPath(path)));
    if (p !== root && !p.startsWith(root + sep)) throw new Error(`output path '${path}' leaves ${root}`);
    await mkdir(dirname(p), { recursive: true });
    return p;
  };
  return {
    write: async (path, data) => { await writeFile(await full(path), data); },
    append: async (path, text) => { await appendFile(await full(path), text); },
  };
}
