// Shared helpers for `bench/*.bench.ts` files: timing, tables, result files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `bench/index.ts` hands every benchmark. */
export interface BenchContext {
  /** Command-line arguments after the filter (e.g. `--quick`). */
  args: string[];
  /** Where a benchmark may write result files (bench/out/, git-ignored). */
  outDir: string;
  /** True with `--quick`: fewer runs, for a smoke check. */
  quick: boolean;
}

/** The default export of every `bench/*.bench.ts` file. */
export type Bench = (ctx: BenchContext) => Promise<void>;

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Timings of `fn` in milliseconds after at least `warmup` untimed calls lasting at least
 * `warmupMs` in all. NOTE: V8 tiers WebAssembly up (Liftoff -> TurboFan) only once functions are
 * hot: a WASM EP measured in its first second runs several times slower than it settles at.
 */
export async function timeRuns(
  fn: () => Promise<unknown>, o: { warmup: number; runs: number; warmupMs?: number },
): Promise<{ median: number; min: number; times: number[] }> {
  const start = performance.now();
  for (let i = 0; i < o.warmup || performance.now() - start < (o.warmupMs ?? 0); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), min: Math.min(...times), times };
}

/** Print a left-aligned text table. */
export function printTable(title: string, headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Write `data` as JSON to `<outDir>/<name>.json`. */
export function writeResult(ctx: BenchContext, name: string, data: unknown): string {
  mkdirSync(ctx.outDir, { recursive: true });
  const path = join(ctx.outDir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/**
 * Time several contenders in alternation (a, b, a, b, ...) so that load from other processes
 * hits them alike; warmup as in `timeRuns`. Returns one timing per contender.
 */
export async function timeInterleaved(
  fns: (() => Promise<unknown>)[], o: { warmup: number; runs: number; warmupMs?: number },
): Promise<{ median: number; min: number; times: number[] }[]> {
  const start = performance.now();
  for (let i = 0; i < o.warmup || performance.now() - start < (o.warmupMs ?? 0); i++) for (const f of fns) await f();
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < o.runs; i++) {
    for (const [k, f] of fns.entries()) {
      const t0 = performance.now();
      await f();
      times[k].push(performance.now() - t0);
    }
  }
  return times.map((t) => ({ median: median(t), min: Math.min(...t), times: t }));
}
