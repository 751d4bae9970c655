// A dataset as a single-pass stream of good records, with the bad ones counted in a summary.
// Options cover the seed's `num_egs` / `--max_train_samples` (stop after N kept records: the
// reader stops too), stop-on-first-error, and an error callback for live validation reports.
import type { Parsed, RecordError, SkipReason } from './types';
import { formatRecordError } from './types';

/** What happened while reading; live during iteration, final when `done` is true. */
export interface LoadSummary {
  /** The format that was read (after auto-detection). */
  format: string;
  /** Records seen: kept + skipped. */
  read: number;
  kept: number;
  skipped: number;
  /** Skipped records by reason. */
  skippedByReason: Partial<Record<SkipReason, number>>;
  /** Records dropped by filters, by filter (`duration`, `length`). Included in `skipped`. */
  filteredBy: Record<string, number>;
  /** The first `maxErrors` errors, in order. */
  errors: RecordError[];
  /** Warnings, each once with the number of times it happened. */
  warnings: { key: string; message: string; count: number }[];
  /** True when `limit` was reached (the rest of the input was not read). */
  stoppedEarly: boolean;
  /** True once the input has been read to its end or to the limit. */
  done: boolean;
}

/** Options of a dataset stream. */
export interface StreamOptions {
  /** Stop after this many kept records (`num_egs`, `max_train_samples`); the input stops being read. */
  limit?: number;
  /** Throw a DatasetError at the first bad record instead of skipping it. */
  stopOnError?: boolean;
  /** How many errors the summary keeps (all are counted). Default 50. */
  maxErrors?: number;
  /** Called for every bad record, as it is found. */
  onError?: (error: RecordError) => void;
  /** Aborts the read. */
  signal?: AbortSignal;
}

/** A bad record met with `stopOnError`, or an unreadable input; carries the summary so far. */
export class DatasetError extends Error {
  constructor(readonly error: RecordError, readonly summary: LoadSummary) {
    super(formatRecordError(error));
    this.name = 'DatasetError';
  }
}

/** A fresh, empty summary. */
export function emptySummary(format: string): LoadSummary {
  return { format, read: 0, kept: 0, skipped: 0, skippedByReason: {}, filteredBy: {}, errors: [], warnings: [], stoppedEarly: false, done: false };
}

/** Good records of parser event batches, single pass. `summary` tells what was skipped and why. */
export class DatasetStream<T> implements AsyncIterable<T> {
  /** Live counters; final once iteration ends. */
  readonly summary: LoadSummary;
  private used = false;

  constructor(private readonly batches: () => AsyncIterable<Parsed<T>[]>, private readonly opts: StreamOptions = {}, format = 'unknown') {
    this.summary = emptySummary(format);
    const { limit } = opts;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new Error(`limit must be a whole number >= 0, got ${limit}`);
  }

  /** Iterate the good records (once). */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.used) throw new Error('a DatasetStream can be iterated only once; load the dataset again');
    this.used = true;
    return this.run();
  }

  /** Read everything into an array (small datasets, tests). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const r of this) out.push(r);
    return out;
  }

  private async *run(): AsyncGenerator<T, void, undefined> {
    const s = this.summary;
    const { limit, signal } = this.opts;
    if (limit === 0) { s.stoppedEarly = true; s.done = true; return; }
    for await (const batch of this.batches()) {
      signal?.throwIfAborted();
      for (const ev of batch) {
        if (ev.kind !== 'record') { this.count(ev); continue; }
        s.read++;
        s.kept++;
        yield ev.record;
        if (limit !== undefined && s.kept >= limit) {
          s.stoppedEarly = true;
          s.done = true;
          return; // leaves the parser's loop, which closes the byte stream
        }
      }
    }
    s.done = true;
  }

  // Book an event that is not a record; with stopOnError an error throws.
  private count(ev: Exclude<Parsed<T>, { kind: 'record' }>): void {
    const s = this.summary;
    if (ev.kind === 'warning') {
      const w = s.warnings.find((x) => x.key === ev.key);
      if (w) w.count++;
      else s.warnings.push({ key: ev.key, message: ev.message, count: 1 });
      return;
    }
    s.read++;
    s.skipped++;
    if (ev.kind === 'filtered') {
      s.skippedByReason.filtered = (s.skippedByReason.filtered ?? 0) + 1;
      s.filteredBy[ev.reason] = (s.filteredBy[ev.reason] ?? 0) + 1;
      return;
    }
    s.skippedByReason[ev.error.reason] = (s.skippedByReason[ev.error.reason] ?? 0) + 1;
    if (s.errors.length < (this.opts.maxErrors ?? 50)) s.errors.push(ev.error);
    this.opts.onError?.(ev.error);
    if (this.opts.stopOnError) throw new DatasetError(ev.error, s);
  }
}

/** A short human report of a summary (CLI, logs): counts, then the first errors. */
export function formatSummary(s: LoadSummary, maxLines = 10): string {
  const reasons = Object.entries(s.skippedByReason).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [`${s.format}: read ${s.read}, kept ${s.kept}, skipped ${s.skipped}${reasons ? ` (${reasons})` : ''}${s.stoppedEarly ? ', stopped at the limit' : ''}`];
  for (const e of s.errors.slice(0, maxLines)) lines.push(`  ${formatRecordError(e)}`);
  if (s.skipped - (s.skippedByReason.filtered ?? 0) > Math.min(maxLines, s.errors.length)) lines.push('  ...');
  for (const w of s.warnings) lines.push(`  warning: ${w.message}${w.count > 1 ? ` (${w.count} times)` : ''}`);
  return lines.join('\n');
}
