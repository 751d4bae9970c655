// JSON Lines and JSON-array files as a stream of objects, each handed to a format's converter.
// One driver for every JSON-shaped format (seed 003, TRL preference, prompt-only, ADPO, rows):
// it turns syntax errors, encoding errors and converter FieldErrors into per-record errors.
import type { ByteSource } from '../io/byte-source';
import { peekBytes } from '../io/byte-source';
import { readJsonArrayItems } from '../io/json-array';
import { jsonErrorPosition } from '../io/json-position';
import { readLineBatches } from '../io/line-reader';
import type { MediaOptions } from './fields';
import { checkMedia, checksFiles, confineMedia, isObject, typeName } from './fields';
import type { JsonObject, Parsed, SourceRef } from './types';
import { FieldError } from './types';
import { EventStream } from './events';

/** How the records sit in the file. */
export type JsonContainer = 'jsonl' | 'json-array';

/** Returned by a converter to drop a record on purpose (a filter), counted under `reason`. */
export class Filtered {
  constructor(readonly reason: string) {}
}

/** What a converter gets besides the object: where it is, a way to warn, media path handling. */
export interface ConvertContext {
  src: SourceRef;
  /** A warning, counted once per `key` in the summary. */
  warn(key: string, message: string): void;
  /**
   * Rewrite and confine a media path now (a FieldError if it leaves the root); its existence is
   * checked after the converter returns, so converters stay synchronous.
   */
  media(path: string, field: string): string;
}

/** Turns one JSON object into a record, synchronously; throws FieldError for a bad field. */
export type Converter<T> = (obj: JsonObject, ctx: ConvertContext) => T | Filtered;

/** Options of `parseJsonRecords` (and of every JSON-shaped format). */
export interface JsonRecordOptions extends MediaOptions {
  /** `jsonl`, `json-array`, or auto (by extension, then by the first non-blank byte). */
  container?: JsonContainer | 'auto';
}

/** Decide JSONL vs JSON array: `.jsonl`/`.ndjson` are lines; otherwise `[` first means an array. */
export async function detectContainer(source: ByteSource): Promise<JsonContainer> {
  if (/\.(jsonl|ndjson)$/i.test(source.name)) return 'jsonl';
  const head = await peekBytes(source, 4096);
  for (const b of head) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x5b ? 'json-array' : 'jsonl';
  }
  return 'jsonl';
}

/** Parse `source` (JSONL or a JSON array) and convert each object into records and errors. */
export function parseJsonRecords<T>(source: ByteSource, convert: Converter<T>, opts: JsonRecordOptions = {}): EventStream<T> {
  return new EventStream(() => jsonRecordBatches(source, convert, opts));
}

async function* jsonRecordBatches<T>(source: ByteSource, convert: Converter<T>, opts: JsonRecordOptions): AsyncGenerator<Parsed<T>[], void, undefined> {
  const container = opts.container === undefined || opts.container === 'auto' ? await detectContainer(source) : opts.container;
  const file = source.name;
  let out: Parsed<T>[] = []; // the batch being built; warnings go in at their place
  // One context reused for every record (its `src` is fresh each time: records keep it).
  const checks: { rel: string; shown: string; field: string }[] = [];
  const check = checksFiles(opts);
  const ctx: ConvertContext = {
    src: { file, line: 0 },
    warn(key, message) { out.push({ kind: 'warning', key, message }); },
    media(path, field) {
      const rel = confineMedia(path, field, opts);
      if (check) checks.push({ rel, shown: path, field });
      return rel;
    },
  };
  const fieldError = (e: unknown, line: number): Parsed<T> => {
    if (e instanceof FieldError) return { kind: 'error', error: { file, line, field: e.field, message: e.message, reason: e.reason } };
    throw e;
  };

  // Synchronous unless a media file must be checked on disk.
  function one(text: string, line: number): Parsed<T> | Promise<Parsed<T>> {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      const hint = text.trim() === '{' ? ' (a pretty-printed object? JSON Lines needs one object per line)' : '';
      // The column only for one-line records: in a JSON-array element it would mislead.
      const pos = container === 'jsonl' ? jsonErrorPosition(text) : undefined;
      const where = pos ? ` at column ${pos.column}` : '';
      return { kind: 'error', error: { file, line, field: 'record', message: `invalid JSON${where}: ${(e as Error).message}${hint}`, reason: 'syntax' } };
    }
    if (!isObject(v)) return { kind: 'error', error: { file, line, field: 'record', message: `expected a JSON object, got ${typeName(v)}`, reason: 'field' } };
    const src = { file, line };
    ctx.src = src;
    checks.length = 0;
    let r: T | Filtered;
    try {
      r = convert(v, ctx);
    } catch (e) {
      return fieldError(e, line);
    }
    const done: Parsed<T> = r instanceof Filtered ? { kind: 'filtered', reason: r.reason, src } : { kind: 'record', record: r };
    if (checks.length === 0 || r instanceof Filtered || !opts.root) return done;
    const root = opts.root;
    const todo = checks.splice(0);
    return (async () => {
      try {
        for (const c of todo) await checkMedia(c.rel, c.shown, c.field, root);
        return done;
      } catch (e) {
        return fieldError(e, line);
      }
    })();
  }

  if (container === 'jsonl') {
    let blank = 0;
    for await (const batch of readLineBatches(source)) {
      for (const item of batch) {
        if (item.line === null) { out.push({ kind: 'error', error: { file, line: item.lineNo, field: 'record', message: item.error, reason: 'encoding' } }); continue; }
        if (item.line.trim() === '') { blank++; continue; }
        const r = one(item.line, item.lineNo);
        out.push(r instanceof Promise ? await r : r);
      }
      if (out.length) { yield out; out = []; }
    }
    if (blank > 0) yield [{ kind: 'warning', key: 'blank-lines', message: `${file}: ${blank} blank line${blank > 1 ? 's' : ''} ignored` }];
    return;
  }
  for await (const batch of readJsonArrayItems(source)) {
    for (const item of batch) {
      if (item.text === null) {
        const reason = item.error.startsWith('invalid UTF-8') ? 'encoding' : 'syntax';
        out.push({ kind: 'error', error: { file, line: item.lineNo, field: 'record', message: item.error, reason } });
        continue;
      }
      const r = one(item.text, item.lineNo);
      out.push(r instanceof Promise ? await r : r);
    }
    if (out.length) { yield out; out = []; }
  }
}
