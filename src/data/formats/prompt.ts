// TRL prompt-only records for online DPO (seed 004): `{"prompt": "..."}` or
// `{"prompt": [{"role": "system", ...}, {"role": "user", ...}]}`; other columns are ignored.
import type { ByteSource } from '../io/byte-source';
import { readOptId, readTextOrMessages } from './fields';
import type { ConvertContext, JsonRecordOptions } from './json-records';
import { parseJsonRecords } from './json-records';
import { addMedia } from './preference';
import type { EventStream } from './events';
import type { JsonObject, PromptRecord } from './types';
import { FieldError } from './types';

/** Options of the prompt-only parser. */
export type PromptOptions = JsonRecordOptions;

/** Convert one prompt-only object; an empty prompt is an error. */
export function toPromptRecord(obj: JsonObject, ctx: ConvertContext): PromptRecord {
  const p = readTextOrMessages(obj.prompt, 'prompt');
  if (p.format === 'standard' && p.value.trim() === '') throw new FieldError('prompt', 'empty');
  const rec: PromptRecord = p.format === 'standard'
    ? { kind: 'prompt', format: 'standard', prompt: p.value, src: ctx.src }
    : { kind: 'prompt', format: 'conversational', prompt: p.value, src: ctx.src };
  const id = readOptId(obj);
  if (id !== undefined) rec.id = id;
  addMedia(rec, obj, ctx);
  return rec;
}

/** Prompt-only records from a JSONL or JSON-array file. */
export function parsePrompts(source: ByteSource, opts: PromptOptions = {}): EventStream<PromptRecord> {
  return parseJsonRecords(source, toPromptRecord, opts);
}
