// TRL preference records: `prompt`/`chosen`/`rejected`, standard (strings) or conversational
// (message lists), with an explicit prompt or an implicit one (the shared prefix of chosen and
// rejected), extracted the way TRL's `maybe_extract_prompt` / `extract_prompt` do.
import type { ByteSource } from '../io/byte-source';
import { readOptId, readPaths, readTextOrMessages } from './fields';
import type { ConvertContext, JsonRecordOptions } from './json-records';
import { parseJsonRecords } from './json-records';
import type { EventStream } from './events';
import type { JsonObject, Message, PreferenceRecord } from './types';
import { FieldError } from './types';

function sameMessage(a: Message, b: Message): boolean {
  return a.role === b.role && JSON.stringify(a.content) === JSON.stringify(b.content);
}

/**
 * TRL's `extract_prompt`: the prompt is chosen[:idx] where idx is the first position at which
 * chosen and rejected differ, moved one back when the character before it is a space (so the
 * completions keep their leading space). Strings are compared by code point, as Python does.
 * NOTE: two TRL quirks, kept on purpose for parity: when one side is a prefix of the other (or
 * both are equal), Python's loop variable ends at `min_len - 1`, so the last shared element is
 * left in the completions; and empty chosen/rejected has no prompt to extract (TRL crashes;
 * we throw a FieldError). One quirk is not copied: at a difference in position 0, TRL reads
 * `chosen[-1]` (the last character) for its space test, a negative-index accident.
 */
export function extractPrompt(chosen: string, rejected: string): { prompt: string; chosen: string; rejected: string };
export function extractPrompt(chosen: Message[], rejected: Message[]): { prompt: Message[]; chosen: Message[]; rejected: Message[] };
export function extractPrompt(chosen: string | Message[], rejected: string | Message[]): { prompt: string | Message[]; chosen: string | Message[]; rejected: string | Message[] } {
  if (typeof chosen === 'string' && typeof rejected === 'string') {
    const idx = stringPrefixIndex(chosen, rejected);
    return { prompt: chosen.slice(0, idx), chosen: chosen.slice(idx), rejected: rejected.slice(idx) };
  }
  if (Array.isArray(chosen) && Array.isArray(rejected)) {
    const n = Math.min(chosen.length, rejected.length);
    if (n === 0) throw new FieldError(chosen.length === 0 ? 'chosen' : 'rejected', 'empty: no implicit prompt can be extracted');
    let idx = n - 1;
    for (let i = 0; i < n; i++) if (!sameMessage(chosen[i], rejected[i])) { idx = i; break; }
    return { prompt: chosen.slice(0, idx), chosen: chosen.slice(idx), rejected: rejected.slice(idx) };
  }
  throw new FieldError('rejected', 'chosen and rejected must both be strings or both be message lists');
}

const isHigh = (u: number): boolean => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

// The split index in UTF-16 units, computed as Python does on code points: a difference in the
// low half of a surrogate pair moves back to the pair's start.
function stringPrefixIndex(c: string, r: string): number {
  const n = Math.min(c.length, r.length);
  if (n === 0) throw new FieldError(c.length === 0 ? 'chosen' : 'rejected', 'empty: no implicit prompt can be extracted');
  let i = 0;
  while (i < n && c.charCodeAt(i) === r.charCodeAt(i)) i++;
  if (i === n) {
    // One is a prefix of the other: Python's loop ends on the shorter's last code point.
    const s = c.length <= r.length ? c : r;
    return s.length >= 2 && isLow(s.charCodeAt(s.length - 1)) && isHigh(s.charCodeAt(s.length - 2)) ? s.length - 2 : s.length - 1;
  }
  if (i > 0 && isHigh(c.charCodeAt(i - 1))) i--;
  return i > 0 && c.charCodeAt(i - 1) === 0x20 ? i - 1 : i;
}

/** Options of the TRL preference parser. */
export type PreferenceOptions = JsonRecordOptions;

/** Convert one TRL preference object (see `parsePreference`). */
export function toPreferenceRecord(obj: JsonObject, ctx: ConvertContext): PreferenceRecord {
  const chosen = readTextOrMessages(obj.chosen, 'chosen');
  const rejected = readTextOrMessages(obj.rejected, 'rejected');
  if (chosen.format !== rejected.format) {
    throw new FieldError('rejected', `expected ${chosen.format === 'standard' ? 'a string' : 'a list of messages'} like chosen, got ${rejected.format === 'standard' ? 'a string' : 'a list of messages'}`);
  }
  // NOTE: records are built as one literal plus plain assignments: object spread in this hot
  // path cost more than JSON.parse itself.
  let rec: PreferenceRecord | undefined;
  // maybe_extract_prompt: keep an explicit prompt of the same format as chosen; else extract.
  if (obj.prompt !== undefined) {
    const prompt = readTextOrMessages(obj.prompt, 'prompt');
    if (prompt.format === chosen.format) {
      rec = prompt.format === 'standard'
        ? { kind: 'preference', format: 'standard', implicitPrompt: false, prompt: prompt.value, chosen: chosen.value as string, rejected: rejected.value as string, src: ctx.src }
        : { kind: 'preference', format: 'conversational', implicitPrompt: false, prompt: prompt.value, chosen: chosen.value as Message[], rejected: rejected.value as Message[], src: ctx.src };
    } else {
      ctx.warn('prompt-format', `${ctx.src.file}:${ctx.src.line}: prompt: a ${prompt.format} prompt with ${chosen.format} chosen/rejected is replaced by their shared prefix (as TRL's maybe_extract_prompt does)`);
    }
  }
  if (rec === undefined) {
    if (chosen.format === 'standard') {
      const e = extractPrompt(chosen.value, rejected.value as string);
      rec = { kind: 'preference', format: 'standard', implicitPrompt: true, prompt: e.prompt, chosen: e.chosen, rejected: e.rejected, src: ctx.src };
    } else {
      const e = extractPrompt(chosen.value, rejected.value as Message[]);
      rec = { kind: 'preference', format: 'conversational', implicitPrompt: true, prompt: e.prompt, chosen: e.chosen, rejected: e.rejected, src: ctx.src };
    }
  }
  const id = readOptId(obj);
  if (id !== undefined) rec.id = id;
  addMedia(rec, obj, ctx);
  return rec;
}

/** Media paths of a list field (`audio`, `images`, ...) through `ctx.media`. */
export function mediaList(v: JsonObject[string] | undefined, field: string, ctx: ConvertContext): string[] {
  const paths = readPaths(v, field);
  return paths.map((p, i) => ctx.media(p, paths.length === 1 && !Array.isArray(v) ? field : `${field}[${i}]`));
}

/** Set the `audio` and `images` path fields of a TRL-shaped record. */
export function addMedia(rec: { audio?: string[]; images?: string[] }, obj: JsonObject, ctx: ConvertContext): void {
  if (obj.audio !== undefined && obj.audio !== null) rec.audio = mediaList(obj.audio, 'audio', ctx);
  if (obj.images !== undefined && obj.images !== null) rec.images = mediaList(obj.images, 'images', ctx);
}

/** TRL preference records from a JSONL or JSON-array file. */
export function parsePreference(source: ByteSource, opts: PreferenceOptions = {}): EventStream<PreferenceRecord> {
  return parseJsonRecords(source, toPreferenceRecord, opts);
}
