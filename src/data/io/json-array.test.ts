import { describe, expect, it } from 'vitest';
import { memorySource } from './byte-source';
import type { JsonArrayItem } from './json-array';
import { readJsonArrayItems } from './json-array';

async function items(text: string, chunk = 1 << 16): Promise<JsonArrayItem[]> {
  const out: JsonArrayItem[] = [];
  for await (const b of readJsonArrayItems(memorySource(text, 'data.json', chunk))) out.push(...b);
  return out;
}

describe('readJsonArrayItems', () => {
  const text = '\uFEFF[\n  {"a": "]", "b": [1, {"c": "\\"}"}]},\n  {"x": "é😀"}\n  , "str,ing", 12\n]\n';

  it('splits the top-level elements at every chunk size, ignoring brackets and commas in strings', async () => {
    for (const chunk of [1, 2, 3, 7, 64]) {
      const got = await items(text, chunk);
      expect(got.map((i) => [i.lineNo, i.text === null ? null : JSON.parse(i.text)])).toEqual([
        [2, { a: ']', b: [1, { c: '"}' }] }],
        [3, { x: 'é😀' }],
        [4, 'str,ing'],
        [4, 12],
      ]);
    }
  });

  it('reports an element with a missing comma and goes on', async () => {
    const got = await items('[{"a": 1}\n {"b": 2} {"c": 3},\n {"d": 4}]');
    expect(got).toHaveLength(2);
    expect(() => JSON.parse(got[0].text as string)).toThrow(); // `{"a": 1} {"b": 2} {"c": 3}` is one bad element
    expect(JSON.parse(got[1].text as string)).toEqual({ d: 4 });
    expect(got[1].lineNo).toBe(3);
  });

  it('reports empty elements, a trailing comma, data after "]" and a truncated file', async () => {
    expect((await items('[1,,2]')).map((i) => i.text ?? i.error)).toEqual(['1', 'empty array element (two commas in a row)', '2']);
    expect((await items('[1, 2,\n]')).map((i) => i.text ?? i.error)).toEqual(['1', '2', 'trailing comma before "]"']);
    expect((await items('[1] [2]')).map((i) => i.text ?? i.error)).toEqual(['1', 'unexpected data after the closing "]" of the array']);
    const cut = await items('[{"a": 1},\n {"b": "trunc');
    expect(cut.map((i) => i.text ?? `${i.lineNo}: ${i.error}`)).toEqual(['{"a": 1}', '2: unexpected end of file: the JSON array is not closed with "]" (truncated file?)']);
    expect(await items('[]')).toEqual([]);
  });

  it('throws for a file that is not a JSON array', async () => {
    await expect(items('\n{"a": 1}')).rejects.toThrow(`data.json:2: expected '[' (a JSON array of records), found '{'`);
    await expect(items('  ')).rejects.toThrow('data.json:1: empty file, expected a JSON array');
  });

  it('flags invalid UTF-8 inside one element only', async () => {
    const enc = new TextEncoder();
    const data = new Uint8Array([...enc.encode('["ok", "caf'), 0xe9, ...enc.encode('", "fine"]')]);
    const out: JsonArrayItem[] = [];
    for await (const b of readJsonArrayItems(memorySource(data, 'x.json', 3))) out.push(...b);
    expect(out.map((i) => i.text ?? i.error)).toEqual(['"ok"', expect.stringContaining('invalid UTF-8 at byte 5 of the element (0xe9)'), '"fine"']);
  });
});
