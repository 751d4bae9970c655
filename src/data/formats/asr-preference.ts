// Seed 003's JSON/JSONL preference record for Whisper ORPO:
// `{"audio": {"path": "a.wav"}, "duration": 10.5, "chosen": "...", "rejected": "...", "language": "Chinese"}`
// (`audio` may also be a bare path string). Optional duration filters mirror the seed's
// `--min_audio_len` / `--max_audio_len`.
import type { ByteSource } from '../io/byte-source';
import { isObject, readOptId, readOptString, readString, typeName } from './fields';
import type { ConvertContext, JsonRecordOptions } from './json-records';
import { Filtered, parseJsonRecords } from './json-records';
import type { EventStream } from './events';
import type { AsrPreferenceRecord, JsonObject } from './types';
import { FieldError } from './types';

/** Options of the seed-003 parser. */
export interface AsrPreferenceOptions extends JsonRecordOptions {
  /** Drop records shorter than this many seconds (seed default 0.5 when enabled). Needs `duration`. */
  minDuration?: number;
  /** Drop records longer than this many seconds (seed default 30). Needs `duration`. */
  maxDuration?: number;
}

/** Convert one seed-003 object. An empty `chosen` is an error; an empty `rejected` is allowed. */
export function toAsrPreferenceRecord(obj: JsonObject, ctx: ConvertContext, opts: AsrPreferenceOptions = {}): AsrPreferenceRecord | Filtered {
  const a = obj.audio;
  let path: string;
  let field = 'audio';
  if (typeof a === 'string') path = a;
  else if (isObject(a)) {
    field = 'audio.path';
    if (typeof a.path !== 'string') throw new FieldError(field, a.path === undefined ? 'missing' : `expected a string, got ${typeName(a.path)}`);
    path = a.path;
  } else throw new FieldError('audio', a === undefined ? 'missing' : `expected {"path": ...} or a path string, got ${typeName(a)}`);
  const chosen = readString(obj, 'chosen', 'chosen', true);
  const rejected = readString(obj, 'rejected');
  const d = obj.duration;
  let duration: number | undefined;
  if (d !== undefined && d !== null) {
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) throw new FieldError('duration', `expected a number of seconds >= 0, got ${typeof d === 'number' ? d : typeName(d)}`);
    duration = d;
  }
  const language = readOptString(obj, 'language');
  const id = readOptId(obj);
  if (duration !== undefined && ((opts.minDuration !== undefined && duration < opts.minDuration) || (opts.maxDuration !== undefined && duration > opts.maxDuration))) {
    return new Filtered('duration');
  }
  const rec: AsrPreferenceRecord = { kind: 'asr-preference', audio: ctx.media(path, field), chosen, rejected, src: ctx.src };
  if (id !== undefined) rec.id = id;
  if (duration !== undefined) rec.duration = duration;
  if (language !== undefined) rec.language = language;
  return rec;
}

/** Seed-003 records from a JSONL or JSON-array file. */
export function parseAsrPreference(source: ByteSource, opts: AsrPreferenceOptions = {}): EventStream<AsrPreferenceRecord> {
  return parseJsonRecords(source, (obj, ctx) => toAsrPreferenceRecord(obj, ctx, opts), opts);
}
