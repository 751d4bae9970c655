// Streaming keeps memory flat: live heap + external memory while reading a ~24 MiB JSONL file
// stays under a quarter of the file size (what a whole-file read could never do). Not timed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSource } from '../io/fs-node';
import { loadDataset } from './load';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const live = (): number => { const m = process.memoryUsage(); return m.heapUsed + m.external; };

const MiB = 1024 * 1024;
let dir = '';
let file = '';
let size = 0;
let records = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prefstudio-mem-'));
  file = join(dir, 'big.jsonl');
  const parts: string[] = [];
  while (size < 24 * MiB) {
    const line = JSON.stringify({ id: `r${records}`, chosen: `Question ${records}? the quick brown fox jumps over the lazy dog`, rejected: `Question ${records}? the quick brown fox sleeps` }) + '\n';
    parts.push(line);
    size += line.length;
    records++;
  }
  await writeFile(file, parts.join(''));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Peak of live memory above the starting point, sampled after a full GC every `every` records.
async function peakWhileReading(keep: boolean, every = 4000): Promise<{ peak: number; n: number }> {
  const held: unknown[] = [];
  // NOTE: array buffer memory is released lazily; settle with a few GCs before the baseline.
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setImmediate(r)); }
  const base = live();
  let peak = -Infinity;
  let n = 0;
  for await (const r of loadDataset({ format: 'preference', source: nodeFileSource(file, 'big.jsonl') })) {
    if (keep) held.push(r);
    if (++n % every === 0) { gc(); peak = Math.max(peak, live() - base); }
  }
  expect(held.length).toBe(keep ? n : 0);
  return { peak, n };
}

describe('streaming memory', () => {
  it('stays under a quarter of the file size while streaming the whole file', async () => {
    const { peak, n } = await peakWhileReading(false);
    expect(n).toBe(records);
    expect(peak).toBeLessThan(size / 4);
  });

  it('(probe check) sees the growth when records are kept', async () => {
    const { peak } = await peakWhileReading(true, 20_000);
    expect(peak).toBeGreaterThan(size / 4);
  });
});
