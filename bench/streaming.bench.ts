// Streaming throughput of the JSONL preference parser against a bare reference (Node's readline
// doing only JSON.parse) over the same generated file. Size: PREFSTUDIO_BENCH_STREAM_MB (default
// 1024). Prints records/s, MB/s, peak RSS and peak heap for both, and the throughput ratio.
// Run alone with `npx tsx bench/streaming.bench.ts` (add `--expose-gc` via NODE_OPTIONS for
// cleaner memory figures), or through the bench runner, which calls the default export.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { nodeFileSource } from '../src/data/io/fs-node';
import { loadDataset } from '../src/data/formats/load';
import { type BenchContext, writeResult } from './harness';

const MiB = 1024 * 1024;

// A mix of record shapes: standard with an explicit prompt, implicit prompt, conversational, non-ASCII.
function record(i: number): string {
  const words = `utterance ${i} the quick brown fox jumps over the lazy dog near the river bank`;
  switch (i % 4) {
    case 0: return JSON.stringify({ id: `s${i}`, prompt: `Transcribe clip ${i}:`, chosen: ` ${words}`, rejected: ` ${words.replace('fox', 'box')}`, audio: `clips/${i}.flac` });
    case 1: return JSON.stringify({ chosen: `Question ${i}? ${words} yes`, rejected: `Question ${i}? ${words} no` });
    case 2: return JSON.stringify({
      prompt: [{ role: 'system', content: 'You are a careful transcriber.' }, { role: 'user', content: `Transcribe clip ${i}.` }],
      chosen: [{ role: 'assistant', content: words }], rejected: [{ role: 'assistant', content: words.replace('lazy', 'hazy') }],
    });
    default: return JSON.stringify({ prompt: `Übersetze ${i}: «${words}»`, chosen: ' Der schnelle braune Fuchs 🦊', rejected: ' Der langsame Fuchs' });
  }
}

async function generate(path: string, bytes: number): Promise<number> {
  const ws = createWriteStream(path);
  let written = 0;
  let n = 0;
  while (written < bytes) {
    const parts: string[] = [];
    let block = 0;
    while (block < 4 * MiB && written + block < bytes) {
      const line = record(n++) + '\n';
      parts.push(line);
      block += Buffer.byteLength(line);
    }
    written += block;
    if (!ws.write(parts.join(''))) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => { ws.once('error', reject); ws.end(() => resolve()); });
  return n;
}

interface Run { name: string; records: number; seconds: number; peakRss: number; peakHeap: number }

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(name: string, body: (tick: () => void) => Promise<number>): Promise<Run> {
  gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  };
  const timer = setInterval(sample, 50);
  let k = 0;
  const tick = (): void => { if ((++k & 0x3fff) === 0) sample(); };
  const t0 = performance.now();
  try {
    const records = await body(tick);
    const seconds = (performance.now() - t0) / 1000;
    sample();
    return { name, records, seconds, peakRss, peakHeap };
  } finally {
    clearInterval(timer);
  }
}

/** Generate the file, stream it both ways, print the figures (and save them), delete the file. */
export default async function bench(ctx?: BenchContext): Promise<void> {
  // `--quick` (the runner's smoke mode) shrinks the default to 64 MiB; the env variable wins.
  const mb = Number(process.env.PREFSTUDIO_BENCH_STREAM_MB ?? (ctx?.quick ? 64 : 1024));
  if (!(mb > 0)) throw new Error(`PREFSTUDIO_BENCH_STREAM_MB must be a positive number, got ${process.env.PREFSTUDIO_BENCH_STREAM_MB}`);
  const dir = await mkdtemp(join(tmpdir(), 'prefstudio-stream-'));
  try {
    const file = join(dir, 'preferences.jsonl');
    const g0 = performance.now();
    const lines = await generate(file, mb * MiB);
    const size = (await stat(file)).size;
    console.log(`streaming: generated ${(size / MiB).toFixed(0)} MiB, ${lines} records in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

    const readlinePass = async (path: string, tick: () => void): Promise<number> => {
      let n = 0;
      const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
      for await (const line of rl) {
        if (line.length === 0) continue;
        JSON.parse(line);
        n++;
        tick();
      }
      return n;
    };
    const parserPass = async (path: string, tick: () => void): Promise<number> => {
      const ds = loadDataset({ format: 'preference', source: nodeFileSource(path, 'preferences.jsonl') });
      let n = 0;
      for await (const _ of ds) { n++; tick(); }
      if (ds.summary.skipped !== 0) throw new Error(`streaming bench: ${ds.summary.skipped} records skipped`);
      return n;
    };
    // Warm both code paths up on a small file first, so JIT order does not pick the winner.
    const warm = join(dir, 'warm.jsonl');
    await generate(warm, Math.min(8 * MiB, mb * MiB));
    await readlinePass(warm, () => undefined);
    await parserPass(warm, () => undefined);
    const reference = await measure('readline + JSON.parse', (tick) => readlinePass(file, tick));
    const ours = await measure('loadDataset preference', (tick) => parserPass(file, tick));
    if (ours.records !== lines || reference.records !== lines) throw new Error(`streaming bench: expected ${lines} records, got ${ours.records} and ${reference.records}`);

    const row = (r: Run): string => [
      r.name.padEnd(24),
      `${(r.records / r.seconds / 1000).toFixed(0).padStart(6)} k rec/s`,
      `${(size / MiB / r.seconds).toFixed(1).padStart(7)} MB/s`,
      `${r.seconds.toFixed(2).padStart(7)} s`,
      `peak RSS ${(r.peakRss / MiB).toFixed(0).padStart(5)} MiB`,
      `peak heap ${(r.peakHeap / MiB).toFixed(0).padStart(5)} MiB`,
    ].join('  ');
    console.log(row(reference));
    console.log(row(ours));
    const ratio = reference.seconds / ours.seconds;
    console.log(`streaming: parser throughput = ${ratio.toFixed(2)} x the readline + JSON.parse reference${gc ? '' : ' (run with --expose-gc for steadier memory figures)'}`);
    if (ctx) {
      const figures = (r: Run) => ({ records: r.records, seconds: r.seconds, recordsPerSecond: r.records / r.seconds, mbPerSecond: size / MiB / r.seconds, peakRssMiB: r.peakRss / MiB, peakHeapMiB: r.peakHeap / MiB });
      console.log(`streaming: wrote ${writeResult(ctx, 'streaming', { fileMiB: size / MiB, ratio, reference: figures(reference), parser: figures(ours) })}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  bench().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
}
