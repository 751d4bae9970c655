import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PyValue } from './python-literal';
import { parsePythonLiteral, PythonLiteralError } from './python-literal';

// Golden cases from ast.literal_eval (tests/golden/python-literal/gen.py).
interface Golden { cases: { src: string; value?: unknown; error?: string }[]; deviations: string[] }
const golden = JSON.parse(readFileSync(new URL('../../../tests/golden/python-literal/cases.json', import.meta.url), 'utf8')) as Golden;

// Rebuild the tagged Python value in this parser's representation.
function decode(t: unknown): PyValue {
  if (t === null || typeof t === 'boolean' || typeof t === 'string') return t;
  const o = t as Record<string, unknown>;
  if ('int' in o) {
    const b = BigInt(o.int as string);
    return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b;
  }
  if ('float' in o) {
    const r = o.float as string;
    return r === 'inf' ? Infinity : r === '-inf' ? -Infinity : r === 'nan' ? NaN : Number(r);
  }
  if ('bytes' in o) return new Uint8Array(o.bytes as number[]);
  if ('list' in o) return (o.list as unknown[]).map(decode);
  if ('tuple' in o) return (o.tuple as unknown[]).map(decode);
  if ('set' in o) return (o.set as unknown[]).map(decode);
  if ('dict' in o) {
    const out: Record<string, PyValue> = {};
    for (const [k, v] of o.dict as [unknown, unknown][]) out[String(decode(k))] = decode(v);
    return out;
  }
  throw new Error(`unknown tag ${JSON.stringify(t)}`);
}

describe('parsePythonLiteral against ast.literal_eval', () => {
  const ok = golden.cases.filter((c) => c.error === undefined);
  const bad = golden.cases.filter((c) => c.error !== undefined);

  it('has a golden file with both kinds of cases', () => {
    expect(ok.length).toBeGreaterThan(60);
    expect(bad.length).toBeGreaterThan(30);
  });

  it.each(ok.map((c) => [c.src, c.value] as const))('parses %j like Python', (src, value) => {
    expect(parsePythonLiteral(src)).toEqual(decode(value));
  });

  it.each(bad.map((c) => [c.src, c.error] as const))('rejects %j (Python: %s)', (src) => {
    expect(() => parsePythonLiteral(src)).toThrow(PythonLiteralError);
  });

  it.each(golden.deviations.map((s) => [s]))('refuses %j, which Python accepts (documented deviation)', (src) => {
    expect(() => parsePythonLiteral(src)).toThrow(PythonLiteralError);
  });
});

describe('parsePythonLiteral details', () => {
  it('keeps big integers exact as bigint and small ones as numbers', () => {
    expect(parsePythonLiteral('[9007199254740991, 9007199254740992, -9007199254740993]')).toEqual([9007199254740991, 9007199254740992n, -9007199254740993n]);
  });

  it('returns bytes as Uint8Array and refuses to mix them with str', () => {
    expect(parsePythonLiteral("b'\\x00A' b'\\n'")).toEqual(new Uint8Array([0, 65, 10]));
    expect(() => parsePythonLiteral("b'a' 'b'")).toThrow(/cannot mix bytes and str/);
  });

  it('gives the column of an error on one line', () => {
    const err = (src: string): PythonLiteralError => {
      try { parsePythonLiteral(src); } catch (e) { return e as PythonLiteralError; }
      throw new Error('no error');
    };
    expect(err('[1 2]')).toMatchObject({ line: 1, column: 4, message: "column 4: expected ',' or ']' in list, found '2'" });
    expect(err("['a.wav', 'b.wav]")).toMatchObject({ column: 11, message: 'column 11: unterminated string' });
    expect(err("{'role': 'user', 'content': x}")).toMatchObject({ column: 29 });
    expect(err('[1,\n 2,\n oops]')).toMatchObject({ line: 3, column: 2, message: expect.stringMatching(/^line 3, column 2: name 'oops'/) });
  });

  it('does not let a dict key named __proto__ touch the prototype', () => {
    const v = parsePythonLiteral("{'__proto__': {'polluted': 1}}") as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it('stops at absurd nesting with an error instead of a stack overflow', () => {
    expect(() => parsePythonLiteral('['.repeat(5000) + ']'.repeat(5000))).toThrow(/nesting deeper than/);
  });
});
