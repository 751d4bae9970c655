// Incremental line reading over any ByteSource. Lines are split on LF bytes first and decoded
// after, so a multi-byte character cut by a chunk boundary is never split, and strict UTF-8
// (`fatal: true`) failures point at the exact line. CRLF and a last line without newline work.
import type { ByteSource } from './byte-source';
import { concatBytes } from './byte-source';

/** One decoded line (`line` without its `\n` or `\r\n`), or a line that is not valid UTF-8. */
export type LineItem =
  | { lineNo: number; line: string }
  | { lineNo: number; line: null; error: string };

/** Thrown by `readLines` on a line that is not valid UTF-8: `file:line: invalid UTF-8 ...`. */
export class Utf8Error extends Error {
  constructor(readonly file: string, readonly lineNo: number, detail: string) {
    super(`${file}:${lineNo}: ${detail}`);
    this.name = 'Utf8Error';
  }
}

/** Options of the line readers. */
export interface LineReaderOptions {
  /** A line longer than this (bytes) is an error, not an out-of-memory crash. Default 256 MiB. */
  maxLineBytes?: number;
}

const LF = 0x0a;

/**
 * Read `source` as lines, in batches (one batch per chunk read, so parsers loop synchronously
 * inside a batch). Invalid UTF-8 yields `{ line: null, error }` for that line and reading goes on.
 */
export async function* readLineBatches(source: ByteSource, opts: LineReaderOptions = {}): AsyncGenerator<LineItem[], void, undefined> {
  const maxLine = opts.maxLineBytes ?? 256 * 1024 * 1024;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let lineNo = 0;
  let carry: Uint8Array[] = [];
  let carryLen = 0;

  const one = (bytes: Uint8Array, out: LineItem[]): void => {
    lineNo++;
    try {
      out.push({ lineNo, line: clean(decoder.decode(bytes), lineNo) });
    } catch {
      out.push({ lineNo, line: null, error: describeBadUtf8(bytes) });
    }
  };
  // Many lines in one decode call: the fast path. On failure, decode line by line to find the culprits.
  const many = (bytes: Uint8Array, out: LineItem[]): void => {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      let at = 0;
      for (;;) {
        const nl = bytes.indexOf(LF, at);
        one(bytes.subarray(at, nl < 0 ? bytes.byteLength : nl), out);
        if (nl < 0) return;
        at = nl + 1;
      }
    }
    const lines = text.split('\n');
    for (const l of lines) { lineNo++; out.push({ lineNo, line: clean(l, lineNo) }); }
  };

  for await (const chunk of source.stream()) {
    const out: LineItem[] = [];
    let start = 0;
    if (carryLen > 0) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        carry.push(chunk);
        carryLen += chunk.byteLength;
        if (carryLen > maxLine) throw new Error(`${source.name}:${lineNo + 1}: line longer than ${maxLine} bytes`);
        continue;
      }
      carry.push(chunk.subarray(0, nl));
      one(concatBytes(carry), out);
      carry = [];
      carryLen = 0;
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      many(chunk.subarray(start, last), out);
      start = last + 1;
    }
    if (start < chunk.byteLength) {
      carry.push(chunk.subarray(start));
      carryLen += chunk.byteLength - start;
      if (carryLen > maxLine) throw new Error(`${source.name}:${lineNo + 1}: line longer than ${maxLine} bytes`);
    }
    if (out.length > 0) yield out;
  }
  if (carryLen > 0) {
    const out: LineItem[] = [];
    one(concatBytes(carry), out);
    yield out;
  }
}

/** Read `source` line by line; invalid UTF-8 throws a `Utf8Error` naming file and line. */
export async function* readLines(source: ByteSource, opts: LineReaderOptions = {}): AsyncGenerator<{ lineNo: number; line: string }, void, undefined> {
  for await (const batch of readLineBatches(source, opts)) {
    for (const item of batch) {
      if (item.line === null) throw new Utf8Error(source.name, item.lineNo, item.error);
      yield item;
    }
  }
}

// Drop the `\r` of CRLF, and a UTF-8 byte-order mark at the very start of the file.
function clean(line: string, lineNo: number): string {
  let s = line;
  if (lineNo === 1 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.charCodeAt(s.length - 1) === 0x0d) s = s.slice(0, -1);
  return s;
}

/** Describe the first invalid UTF-8 sequence in `bytes` ("invalid UTF-8 at byte 12 (0xe9)"). */
export function describeBadUtf8(bytes: Uint8Array): string {
  const at = firstInvalidUtf8(bytes);
  const b = bytes[at];
  const hex = b === undefined ? 'end of line' : `0x${b.toString(16).padStart(2, '0')}`;
  return `invalid UTF-8 at byte ${at + 1} of the line (${hex}); the file must be UTF-8 encoded`;
}

/** Index of the first byte that starts an invalid UTF-8 sequence, or -1 when all is valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.byteLength;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid too.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}
