import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, jsonErrorPosition } from './json-position';

describe('jsonErrorPosition', () => {
  it('accepts exactly what JSON.parse accepts on a range of inputs', () => {
    const cases = ['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]}', ' 0 ', '"s"', '{"a":1,}', '[1,]', '01', '1.', '.5', '{a: 1}', "'x'", '"tab\there"', '[1 2]', '', 'nul', '"\\x"', '"\\u12"', '{"a" 1}', '[1]]', '-', '1e', '{"a":{"b":[{}]}}'];
    for (const c of cases) {
      let valid = true;
      try { JSON.parse(c); } catch { valid = false; }
      expect([c, jsonErrorOffset(c) < 0]).toEqual([c, valid]);
    }
  });

  it('points at the first offending character', () => {
    expect(jsonErrorPosition('{\n  "num_egs": 1,\n  "split": \n}')).toEqual({ line: 4, column: 1 });
    expect(jsonErrorPosition('{"a": 1,}')).toEqual({ line: 1, column: 9 });
    expect(jsonErrorPosition('[1, 2')).toEqual({ line: 1, column: 6 });
    expect(jsonErrorPosition('{"ok": true}')).toBeUndefined();
  });
});
