// Seed 002's ADPO records: one `response`, two contexts. `chosen`/`rejected` are prompt texts
// (or message lists); `chosen_images`/`rejected_images` are lists of image paths (the seed holds
// PIL images; here they stay paths until the image pipeline decodes them).
import type { ByteSource } from '../io/byte-source';
import { readOptId, readString, readTextOrMessages } from './fields';
import { mediaList } from './preference';
import type { ConvertContext, JsonRecordOptions } from './json-records';
import { parseJsonRecords } from './json-records';
import type { EventStream } from './events';
import type { AdpoRecord, JsonObject } from './types';

/** Options of the ADPO parser. */
export type AdpoOptions = JsonRecordOptions;

/** Convert one ADPO object; image lists are optional (text-only ADPO). */
export function toAdpoRecord(obj: JsonObject, ctx: ConvertContext): AdpoRecord {
  const response = readString(obj, 'response', 'response', true);
  const chosen = readTextOrMessages(obj.chosen, 'chosen').value;
  const rejected = readTextOrMessages(obj.rejected, 'rejected').value;
  const chosenImages = mediaList(obj.chosen_images, 'chosen_images', ctx);
  const rejectedImages = mediaList(obj.rejected_images, 'rejected_images', ctx);
  const id = readOptId(obj);
  const rec: AdpoRecord = { kind: 'adpo', response, chosen, chosenImages, rejected, rejectedImages, src: ctx.src };
  if (id !== undefined) rec.id = id;
  return rec;
}

/** ADPO records from a JSONL or JSON-array file. */
export function parseAdpo(source: ByteSource, opts: AdpoOptions = {}): EventStream<AdpoRecord> {
  return parseJsonRecords(source, toAdpoRecord, opts);
}
