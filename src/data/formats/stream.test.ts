import { describe, expect, it } from 'vitest';
import { DatasetError, DatasetStream, formatSummary } from './stream';
import type { Parsed, RecordError } from './types';

const err = (line: number): Parsed<number> => ({ kind: 'error', error: { file: 'f.jsonl', line, field: 'x', message: `bad ${line}`, reason: 'field' } });
const rec = (v: number): Parsed<number> => ({ kind: 'record', record: v });

function stream(batches: Parsed<number>[][], opts = {}): DatasetStream<number> {
  return new DatasetStream(async function* () { for (const b of batches) yield b; }, opts, 'test');
}

describe('DatasetStream', () => {
  it('yields records, counts errors, drops and warnings in the summary', async () => {
    const s = stream([[rec(1), err(2), { kind: 'warning', key: 'w', message: 'careful' }], [{ kind: 'filtered', reason: 'length', src: { file: 'f', line: 4 } }, rec(5), { kind: 'warning', key: 'w', message: 'careful' }]]);
    expect(await s.toArray()).toEqual([1, 5]);
    expect(s.summary).toEqual({
      format: 'test', read: 4, kept: 2, skipped: 2, skippedByReason: { field: 1, filtered: 1 }, filteredBy: { length: 1 },
      errors: [{ file: 'f.jsonl', line: 2, field: 'x', message: 'bad 2', reason: 'field' }],
      warnings: [{ key: 'w', message: 'careful', count: 2 }], stoppedEarly: false, done: true,
    });
    expect(formatSummary(s.summary)).toBe('test: read 4, kept 2, skipped 2 (field 1, filtered 1)\n  f.jsonl:2: x: bad 2\n  warning: careful (2 times)');
  });

  it('keeps the first maxErrors errors but counts all, and calls onError for each', async () => {
    const seen: RecordError[] = [];
    const s = stream([[err(1), err(2), err(3), rec(4)]], { maxErrors: 2, onError: (e: RecordError) => seen.push(e) });
    await s.toArray();
    expect(s.summary.errors.map((e) => e.line)).toEqual([1, 2]);
    expect(s.summary.skipped).toBe(3);
    expect(seen.map((e) => e.line)).toEqual([1, 2, 3]);
  });

  it('throws a DatasetError carrying the summary with stopOnError', async () => {
    const s = stream([[rec(1), err(2), rec(3)]], { stopOnError: true });
    const got: number[] = [];
    const run = async (): Promise<void> => { for await (const v of s) got.push(v); };
    await expect(run()).rejects.toThrow(DatasetError);
    expect(s.summary.errors).toHaveLength(1);
    await expect(stream([[err(7)]], { stopOnError: true }).toArray()).rejects.toThrow('f.jsonl:7: x: bad 7');
    expect(got).toEqual([1]);
  });

  it('stops at the limit without pulling another batch, and limit 0 reads nothing', async () => {
    let pulled = 0;
    const s = new DatasetStream<number>(async function* () { for (let b = 0; b < 10; b++) { pulled++; yield [rec(2 * b), rec(2 * b + 1)]; } }, { limit: 3 });
    expect(await s.toArray()).toEqual([0, 1, 2]);
    expect(pulled).toBe(2);
    expect(s.summary).toMatchObject({ stoppedEarly: true, done: true });
    const none = new DatasetStream<number>(async function* () { pulled = -1; yield [rec(1)]; }, { limit: 0 });
    expect(await none.toArray()).toEqual([]);
    expect(pulled).toBe(2);
    expect(() => stream([], { limit: -1 })).toThrow(/limit must be a whole number/);
  });

  it('aborts with the signal', async () => {
    const ac = new AbortController();
    const s = stream([[rec(1)], [rec(2)]], { signal: ac.signal });
    const run = async (): Promise<void> => { for await (const _ of s) ac.abort(new Error('user stop')); };
    await expect(run()).rejects.toThrow('user stop');
  });
});
