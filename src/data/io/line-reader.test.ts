import { describe, expect, it } from 'vitest';
import { blobSource, countingSource, memorySource } from './byte-source';
import type { LineItem } from './line-reader';
import { firstInvalidUtf8, readLineBatches, readLines, Utf8Error } from './line-reader';

async function lines(data: string | Uint8Array, chunk: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(memorySource(data, 'mem.txt', chunk))) out.push(l.line);
  return out;
}

async function items(data: Uint8Array, chunk: number): Promise<LineItem[]> {
  const out: LineItem[] = [];
  for await (const b of readLineBatches(memorySource(data, 'mem.txt', chunk))) out.push(...b);
  return out;
}

const bytes = (...parts: (string | number[])[]): Uint8Array => {
  const enc = new TextEncoder();
  const arrs = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : new Uint8Array(p)));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrs) { out.set(a, at); at += a.length; }
  return out;
};

describe('readLines', () => {
  const text = 'first\r\nsecond\n\nthé 😀 fourth\r\nlast without newline';
  const expected = ['first', 'second', '', 'thé 😀 fourth', 'last without newline'];

  it('splits LF and CRLF, keeps empty lines and a last line without newline, at every chunk size', async () => {
    for (const chunk of [1, 2, 3, 5, 7, 16, 1 << 16]) expect(await lines(text, chunk)).toEqual(expected);
  });

  it('numbers lines from 1 and gives no extra line after a final newline', async () => {
    const got: [number, string][] = [];
    for await (const l of readLines(memorySource('a\nb\n', 'x', 1))) got.push([l.lineNo, l.line]);
    expect(got).toEqual([[1, 'a'], [2, 'b']]);
    expect(await lines('', 4)).toEqual([]);
  });

  it('strips a UTF-8 BOM at the start of the file only', async () => {
    expect(await lines('\uFEFFa\n\uFEFFb', 1)).toEqual(['a', '\uFEFFb']);
  });

  it('throws a Utf8Error naming file and line for invalid UTF-8', async () => {
    const data = bytes('ok\n', 'caf', [0xe9], '\nnext\n');
    const run = async (): Promise<string[]> => {
      const out: string[] = [];
      for await (const l of readLines(memorySource(data, 'latin1.jsonl', 2))) out.push(l.line);
      return out;
    };
    await expect(run()).rejects.toThrow(Utf8Error);
    await expect(run()).rejects.toThrow(/^latin1\.jsonl:2: invalid UTF-8 at byte 4 of the line \(0xe9\)/);
  });

  it('reports bad lines as items and keeps reading (batches), also when the bad byte sits at a chunk edge', async () => {
    const data = bytes('a\n', [0xc3], '\n', 'b', [0xf0, 0x9f], '\nc\n');
    for (const chunk of [1, 2, 3, 100]) {
      const got = await items(data, chunk);
      expect(got.map((i) => [i.lineNo, i.line])).toEqual([[1, 'a'], [2, null], [3, null], [4, 'c']]);
      expect(got[1]).toMatchObject({ error: expect.stringContaining('byte 1 of the line (0xc3)') });
      expect(got[2]).toMatchObject({ error: expect.stringContaining('byte 2 of the line (0xf0)') });
    }
  });

  it('reads a Blob through blob.stream()', async () => {
    const got: string[] = [];
    for await (const l of readLines(blobSource(new Blob(['x\ny', '\r\nz']), 'blob.txt'))) got.push(l.line);
    expect(got).toEqual(['x', 'y', 'z']);
  });

  it('stops pulling bytes when the consumer stops', async () => {
    const big = 'line of text\n'.repeat(200_000); // 2.6 MB
    const { source, stats } = countingSource(memorySource(big, 'big.txt', 64 * 1024));
    let n = 0;
    for await (const _ of readLines(source)) if (++n === 3) break;
    expect(stats.chunks).toBe(1);
    expect(stats.bytes).toBeLessThanOrEqual(64 * 1024);
  });

  it('refuses a line longer than maxLineBytes instead of buffering it', async () => {
    const run = async (): Promise<void> => {
      for await (const _ of readLines(memorySource('x'.repeat(5000), 'one-line.json', 100), { maxLineBytes: 1000 })) { /* read */ }
    };
    await expect(run()).rejects.toThrow('one-line.json:1: line longer than 1000 bytes');
  });
});

describe('firstInvalidUtf8', () => {
  it('accepts valid text and finds overlong forms, surrogates, out-of-range and truncated sequences', () => {
    expect(firstInvalidUtf8(bytes('aé😀€'))).toBe(-1);
    expect(firstInvalidUtf8(bytes('ab', [0xc0, 0x80]))).toBe(2); // overlong NUL
    expect(firstInvalidUtf8(bytes('a', [0xe0, 0x80, 0x80]))).toBe(1); // overlong 3-byte
    expect(firstInvalidUtf8(bytes([0xed, 0xa0, 0x80]))).toBe(0); // UTF-16 surrogate
    expect(firstInvalidUtf8(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // past U+10FFFF
    expect(firstInvalidUtf8(bytes('abc', [0xe2, 0x82]))).toBe(3); // truncated
    expect(firstInvalidUtf8(bytes([0x80]))).toBe(0); // lone continuation
  });
});
