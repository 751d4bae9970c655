// Streaming split of a top-level JSON array (`[ {...}, {...} ]`) into its elements' text, so a
// large `.json` file is parsed one record at a time. The scanner only tracks strings and bracket
// depth on bytes (JSON's structural characters are ASCII, so UTF-8 needs no care here); each
// element is then decoded strictly and handed to JSON.parse by the caller.
import type { ByteSource } from './byte-source';
import { concatBytes } from './byte-source';
import { describeBadUtf8 } from './line-reader';

/** One array element's JSON text and the line it starts on, or a problem found at that line. */
export type JsonArrayItem =
  | { lineNo: number; text: string }
  | { lineNo: number; text: null; error: string };

/** Options of `readJsonArrayItems`. */
export interface JsonArrayOptions {
  /** One element larger than this (bytes) is an error. Default 256 MiB. */
  maxElementBytes?: number;
}

const enum S { Start, Between, Elem, End }
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Elements of the JSON array in `source`, in batches (one per chunk). Syntax problems of one
 * element (a missing comma, a bad value) come back as an error item and scanning goes on; a file
 * that is not an array, or that ends before `]`, ends with an error item.
 */
export async function* readJsonArrayItems(source: ByteSource, opts: JsonArrayOptions = {}): AsyncGenerator<JsonArrayItem[], void, undefined> {
  const maxElem = opts.maxElementBytes ?? 256 * 1024 * 1024;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  // NOTE: `as S` keeps TypeScript from narrowing `state` to one member across the loop.
  let state: S = S.Start as S;
  let line = 1;
  let seen = 0; // bytes seen while in Start: a BOM may only be the first three
  let depth = 0;
  let inStr = false;
  let esc = false;
  let parts: Uint8Array[] = [];
  let partLen = 0;
  let elemLine = 0;
  let elemStartIdx = -1; // index in the current chunk where the open element began
  let trailingComma = false;

  const finish = (out: JsonArrayItem[]): void => {
    const bytes = concatBytes(parts);
    parts = [];
    partLen = 0;
    try {
      const text = decoder.decode(bytes);
      if (text.trim() === '') out.push({ lineNo: elemLine, text: null, error: 'empty array element (two commas, or a comma before "]")' });
      else out.push({ lineNo: elemLine, text });
    } catch {
      out.push({ lineNo: elemLine, text: null, error: describeBadUtf8(bytes).replace('of the line', 'of the element') });
    }
  };

  for await (const chunk of source.stream()) {
    const out: JsonArrayItem[] = [];
    elemStartIdx = state === S.Elem ? 0 : -1;
    for (let i = 0; i < chunk.byteLength; i++) {
      const c = chunk[i];
      if (c === 0x0a) line++;
      if (state === S.Elem) {
        if (inStr) {
          if (esc) esc = false;
          else if (c === 0x5c) esc = true;
          else if (c === 0x22) inStr = false;
          continue;
        }
        if (c === 0x22) inStr = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (depth > 0) depth--;
          else { // `]` closing the array
            parts.push(chunk.subarray(elemStartIdx, i));
            finish(out);
            state = S.End;
          }
        } else if (c === 0x2c && depth === 0) {
          parts.push(chunk.subarray(elemStartIdx, i));
          finish(out);
          state = S.Between;
          trailingComma = true;
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (state === S.Start) {
        if (seen < 3 && c === BOM[seen]) { seen++; continue; }
        seen = 3;
        if (c !== 0x5b) throw new Error(`${source.name}:${line}: expected '[' (a JSON array of records), found '${String.fromCharCode(c)}'`);
        state = S.Between;
        trailingComma = false;
      } else if (state === S.Between) {
        if (c === 0x5d) {
          if (trailingComma) out.push({ lineNo: line, text: null, error: 'trailing comma before "]"' });
          state = S.End;
        } else if (c === 0x2c) {
          out.push({ lineNo: line, text: null, error: 'empty array element (two commas in a row)' });
        } else {
          state = S.Elem;
          elemLine = line;
          elemStartIdx = i;
          depth = 0;
          inStr = false;
          esc = false;
          i--; // rescan this byte as part of the element (never a newline: whitespace was skipped)
        }
      } else {
        out.push({ lineNo: line, text: null, error: `unexpected data after the closing "]" of the array` });
        if (out.length > 0) yield out;
        return;
      }
    }
    if (state === S.Elem) {
      parts.push(chunk.subarray(elemStartIdx));
      partLen += chunk.byteLength - elemStartIdx;
      if (partLen > maxElem) throw new Error(`${source.name}:${elemLine}: array element larger than ${maxElem} bytes`);
    }
    if (out.length > 0) yield out;
  }
  if (state === S.Start) throw new Error(`${source.name}:${line}: empty file, expected a JSON array`);
  if (state !== S.End) {
    const where = state === S.Elem ? elemLine : line;
    yield [{ lineNo: where, text: null, error: 'unexpected end of file: the JSON array is not closed with "]" (truncated file?)' }];
  }
}
