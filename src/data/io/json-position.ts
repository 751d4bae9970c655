// Where JSON text first goes wrong, as line and column. JSON.parse does not always say (V8's
// "Unexpected token" messages carry no position), and a hand-edited config deserves a line.

/** 1-based line and column of the first JSON syntax error in `text`, or undefined if it is valid. */
export function jsonErrorPosition(text: string): { line: number; column: number } | undefined {
  const at = jsonErrorOffset(text);
  if (at < 0) return undefined;
  let line = 1;
  let start = 0;
  for (let i = 0; i < at; i++) if (text[i] === '\n') { line++; start = i + 1; }
  return { line, column: at - start + 1 };
}

/** Offset of the first JSON syntax error in `text`, or -1 when it is valid JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => { throw new Offset(i); };
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const lit = (word: string): void => { for (const c of word) { if (text[i] !== c) fail(); i++; } };
  const str = (): void => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      if (c === '"') { i++; return; }
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') { for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) { i += k; fail(); } i += 5; }
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const num = (): void => {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r) fail();
    i += (r as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str(); ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail();
      }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(depth + 1); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail();
      }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    fail();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (e) {
    if (e instanceof Offset) return e.at;
    throw e;
  }
}

class Offset {
  constructor(readonly at: number) {}
}
