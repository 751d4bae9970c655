// A parser for Python literals, as `ast.literal_eval` accepts them: the TSV format stores audio
// path lists and message lists as Python reprs (`['a.wav']`, `[{'role': 'user', ...}]`), which
// are not JSON (single quotes, True/None, tuples, escapes). A recursive-descent parser over the
// source text; errors give line and column.
//
// Mapping: str -> string, bytes -> Uint8Array, int -> number (bigint past 2^53), float -> number,
// True/False/None -> true/false/null, list/tuple/set -> array, dict -> object.
// NOTE: deviations from Python, all reported as errors rather than guessed: complex numbers,
// `\N{name}` escapes, and dict keys that are neither str nor int (int keys become strings).

/** A parsed Python literal. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyDict;
/** A parsed Python dict (keys are strings). */
export interface PyDict { [key: string]: PyValue }

/** A syntax error in a Python literal, with 1-based line and column. */
export class PythonLiteralError extends Error {
  constructor(readonly reason: string, readonly line: number, readonly column: number, multiline: boolean) {
    super(multiline ? `line ${line}, column ${column}: ${reason}` : `column ${column}: ${reason}`);
    this.name = 'PythonLiteralError';
  }
}

/** Parse `src` as one Python literal (`ast.literal_eval` semantics, see the file comment). */
export function parsePythonLiteral(src: string): PyValue {
  return new Parser(src).top();
}

const MAX_DEPTH = 200; // Python's own parser gives up near this nesting depth
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf']);
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const HEX_INT = /0[xX](?:_?[0-9a-fA-F])+/y;
const OCT_INT = /0[oO](?:_?[0-7])+/y;
const BIN_INT = /0[bB](?:_?[01])+/y;
const DIGITS = '\\d(?:_?\\d)*';
const DECIMAL = new RegExp(`(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?`, 'y');

type Str = { bytes: false; text: string } | { bytes: true; data: number[] };

class Parser {
  private i = 0;
  private depth = 0;
  /** What the value just parsed was (for hashability checks). */
  private last: 'scalar' | 'list' | 'tuple' | 'dict' | 'set' = 'scalar';
  private readonly multiline: boolean;

  constructor(private readonly s: string) {
    this.multiline = s.includes('\n');
  }

  top(): PyValue {
    this.ws(true);
    if (this.i >= this.s.length) this.fail('empty input, expected a literal');
    const first = this.value();
    this.ws(false);
    let out: PyValue = first;
    if (this.s[this.i] === ',') { // a bare tuple: `1, 2`
      const items = [first];
      while (this.s[this.i] === ',') {
        this.i++;
        this.ws(false);
        if (this.i >= this.s.length || this.s[this.i] === '\n' || this.s[this.i] === '#') break;
        items.push(this.value());
        this.ws(false);
      }
      out = items;
    }
    this.ws(true);
    if (this.i < this.s.length) this.fail(`unexpected ${this.show()} after the literal`);
    return out;
  }

  private fail(reason: string, at = this.i): never {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at && k < this.s.length; k++) if (this.s[k] === '\n') { line++; lineStart = k + 1; }
    throw new PythonLiteralError(reason, line, at - lineStart + 1, this.multiline);
  }

  private show(): string {
    if (this.i >= this.s.length) return 'end of input';
    const c = this.s[this.i];
    return c === '\n' ? 'newline' : `'${c}'`;
  }

  // Whitespace and comments; newlines count only inside brackets (or around the whole input).
  private ws(newlines = this.depth > 0): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\f' || c === '\r') this.i++;
      else if (c === '\n' && newlines) this.i++;
      else if (c === '#') { while (this.i < s.length && s[this.i] !== '\n') this.i++; }
      else if (c === '\\' && (s[this.i + 1] === '\n' || (s[this.i + 1] === '\r' && s[this.i + 2] === '\n'))) this.i += s[this.i + 1] === '\n' ? 2 : 3;
      else break;
    }
  }

  private value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') {
      const v = this.sequence(']', 'list');
      this.last = 'list';
      return v;
    }
    if (c === '(') return this.paren(); // sets `last` itself: `(x)` is just x
    if (c === '{') return this.braces();
    const v = this.scalar();
    this.last = 'scalar';
    return v;
  }

  private scalar(): PyValue {
    const s = this.s;
    const c = s[this.i];
    if (c === undefined) this.fail('unexpected end of input, expected a value');
    if (c === '-' || c === '+') {
      const at = this.i++;
      this.ws();
      const d = s[this.i];
      if (d === undefined || !(isDigit(d) || (d === '.' && isDigit(s[this.i + 1] ?? '')))) this.fail(`'${c}' must be followed by a number`, at);
      const n = this.number();
      return c === '+' ? n : -n;
    }
    if (isDigit(c) || (c === '.' && isDigit(s[this.i + 1] ?? ''))) return this.number();
    if (c === '"' || c === "'") return this.strings();
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(s);
    if (m) {
      const word = m[0];
      const q = s[this.i + word.length];
      if ((q === '"' || q === "'") && STRING_PREFIXES.has(word.toLowerCase())) return this.strings();
      if (word === 'True' || word === 'False' || word === 'None') {
        this.i += word.length;
        return word === 'True' ? true : word === 'False' ? false : null;
      }
      this.fail(`name '${word}' is not a literal (only strings, numbers, True, False, None, lists, tuples, dicts and sets are)`);
    }
    this.fail(`unexpected ${this.show()}, expected a value`);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  // `[a, b,]` (and the tail of tuples and sets): items until `close`, trailing comma allowed.
  private sequence(close: string, what: string, items: PyValue[] = [], opened = false): PyValue[] {
    if (!opened) { this.enter(); this.i++; }
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) { this.i++; this.depth--; return items; }
      items.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ',') this.i++;
      else if (c !== close) this.fail(`expected ',' or '${close}' in ${what}, found ${this.show()}`);
    }
  }

  // `()` empty tuple, `(x)` just x, `(x,)` and `(x, y)` tuples.
  private paren(): PyValue {
    this.enter();
    this.i++;
    this.ws();
    if (this.s[this.i] === ')') { this.i++; this.depth--; this.last = 'tuple'; return []; }
    const first = this.value();
    this.ws();
    if (this.s[this.i] === ')') { this.i++; this.depth--; return first; }
    if (this.s[this.i] !== ',') this.fail(`expected ',' or ')' in tuple, found ${this.show()}`);
    this.i++;
    const items = this.sequence(')', 'tuple', [first], true);
    this.last = 'tuple';
    return items;
  }

  // `{}` dict, `{k: v, ...}` dict, `{a, b}` set.
  private braces(): PyValue {
    this.enter();
    const open = this.i++;
    this.ws();
    const out: PyDict = {};
    if (this.s[this.i] === '}') { this.i++; this.depth--; this.last = 'dict'; return out; }
    let at = this.i;
    let key = this.value();
    this.ws();
    if (this.s[this.i] !== ':') { // a set
      const items = [key];
      for (;;) {
        this.hashable(at);
        const c = this.s[this.i];
        if (c === '}') break;
        if (c !== ',') this.fail(`expected ',' or '}' in the set opened at column ${open + 1}, found ${this.show()}`);
        this.i++;
        this.ws();
        if (this.s[this.i] === '}') break;
        at = this.i;
        items.push(this.value());
        this.ws();
      }
      this.i++;
      this.depth--;
      this.last = 'set';
      return dedupe(items);
    }
    for (;;) {
      const name = this.dictKey(key, at); // before the value overwrites `last`
      this.i++; // ':'
      const v = this.value();
      Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i];
      if (c === '}') break;
      if (c !== ',') this.fail(`expected ',' or '}' in dict, found ${this.show()}`);
      this.i++;
      this.ws();
      if (this.s[this.i] === '}') break;
      at = this.i;
      key = this.value();
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`expected ':' after a dict key, found ${this.show()}`);
    }
    this.i++;
    this.depth--;
    this.last = 'dict';
    return out;
  }

  // Sets and dict keys need hashable items: not a list, dict or set (tuples are fine).
  private hashable(at: number): void {
    if (this.last !== 'scalar' && this.last !== 'tuple') this.fail(`unhashable type: ${this.last}`, at);
  }

  private dictKey(k: PyValue, at: number): string {
    if (typeof k === 'string') return k;
    if ((typeof k === 'number' && Number.isInteger(k)) || typeof k === 'bigint') return String(k);
    this.hashable(at);
    // NOTE: Python also allows float, bool, None, bytes and tuple keys; we refuse them rather than stringify.
    this.fail('dict keys must be strings or integers', at);
  }

  private number(): number | bigint {
    const s = this.s;
    const at = this.i;
    let text: string | undefined;
    let isInt = true;
    for (const re of [HEX_INT, OCT_INT, BIN_INT]) {
      re.lastIndex = at;
      const m = re.exec(s);
      if (m) { text = m[0]; break; }
    }
    if (text === undefined) {
      DECIMAL.lastIndex = at;
      const m = DECIMAL.exec(s);
      if (!m) this.fail('invalid number');
      text = m[0];
      isInt = !/[.eE]/.test(text);
    }
    this.i = at + text.length;
    const next = s[this.i];
    if (next === 'j' || next === 'J') this.fail('complex numbers are not supported', at);
    if (next !== undefined && /[A-Za-z0-9_]/.test(next)) this.fail('invalid number literal', at);
    const clean = text.replace(/_/g, '');
    if (!isInt) return Number(clean);
    if (/^0\d/.test(clean) && /[1-9]/.test(clean)) this.fail('leading zeros in decimal integer literals are not permitted (use 0o for octal)', at);
    const big = BigInt(clean);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  // One or more adjacent string literals, concatenated (`'a' "b"` is `'ab'`).
  private strings(): string | Uint8Array {
    const first = this.string();
    let text = first.bytes ? '' : first.text;
    const data = first.bytes ? first.data : [];
    for (;;) {
      const save = this.i;
      this.ws();
      if (!this.atString()) { this.i = save; break; }
      const at = this.i;
      const next = this.string();
      if (next.bytes !== first.bytes) this.fail('cannot mix bytes and str literals', at);
      if (next.bytes) data.push(...next.data);
      else text += next.text;
    }
    return first.bytes ? new Uint8Array(data) : text;
  }

  private atString(): boolean {
    const c = this.s[this.i];
    if (c === '"' || c === "'") return true;
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    if (!m) return false;
    const q = this.s[this.i + m[0].length];
    return (q === '"' || q === "'") && STRING_PREFIXES.has(m[0].toLowerCase());
  }

  private string(): Str {
    const s = this.s;
    const start = this.i;
    let prefix = '';
    while (s[this.i] !== '"' && s[this.i] !== "'") prefix += s[this.i++].toLowerCase();
    if (prefix.includes('f')) this.fail('f-strings are not literals', start);
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    const q = s[this.i];
    const triple = s.startsWith(q + q + q, this.i);
    const close = triple ? q + q + q : q;
    this.i += close.length;
    const parts: string[] = [];
    const data: number[] = [];
    const push = (t: string): void => {
      if (!bytes) { parts.push(t); return; }
      for (let k = 0; k < t.length; k++) {
        const code = t.charCodeAt(k);
        if (code > 0x7f) this.fail('bytes can only contain ASCII literal characters (use \\x escapes)', this.i);
        data.push(code);
      }
    };
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail(triple ? 'unterminated triple-quoted string' : 'unterminated string', start);
      const c = s[this.i];
      if (c === '\n' && !triple) this.fail('unterminated string (a newline inside a single-quoted string)', start);
      if (c === q && s.startsWith(close, this.i)) break;
      if (c !== '\\') { this.i++; continue; }
      push(s.slice(run, this.i));
      if (raw) { // the backslash stays, and keeps the next character from closing the string
        const n = s[this.i + 1];
        if (n === undefined) this.fail('unterminated string', start);
        push(s.slice(this.i, this.i + 2));
        this.i += 2;
      } else if (bytes) {
        const code = this.escape(true);
        if (typeof code === 'string') push(code);
        else data.push(code);
      } else {
        const r = this.escape(false);
        parts.push(typeof r === 'string' ? r : String.fromCodePoint(r));
      }
      run = this.i;
    }
    push(s.slice(run, this.i));
    this.i += close.length;
    return bytes ? { bytes: true, data } : { bytes: false, text: parts.join('') };
  }

  // At a backslash: consume the escape; a number is a code point (str) or byte value (bytes).
  private escape(bytes: boolean): string | number {
    const s = this.s;
    const at = this.i;
    const e = s[this.i + 1];
    if (e === undefined) this.fail('unterminated string', at);
    this.i += 2;
    if (e === '\n') return '';
    if (e === '\r' && s[this.i] === '\n') { this.i++; return ''; }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return bytes ? simple.charCodeAt(0) : simple;
    if (e >= '0' && e <= '7') {
      let v = e.charCodeAt(0) - 48;
      for (let k = 0; k < 2 && s[this.i] >= '0' && s[this.i] <= '7'; k++) v = v * 8 + s.charCodeAt(this.i++) - 48;
      return bytes ? v & 0xff : v;
    }
    const hex = (n: number, name: string): number => {
      const h = s.slice(this.i, this.i + n);
      if (h.length < n || !/^[0-9a-fA-F]+$/.test(h)) this.fail(`truncated \\${name} escape (needs ${n} hex digits)`, at);
      this.i += n;
      return parseInt(h, 16);
    };
    if (e === 'x') return hex(2, 'xXX');
    if (!bytes && e === 'u') return hex(4, 'uXXXX');
    if (!bytes && e === 'U') {
      const v = hex(8, 'UXXXXXXXX');
      if (v > 0x10ffff) this.fail('illegal Unicode character in \\U escape', at);
      return v;
    }
    if (!bytes && e === 'N') this.fail('\\N{name} escapes are not supported; write the character itself or a \\u escape', at);
    return '\\' + e; // Python keeps unknown escapes as they are
  }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

// A set keeps one copy of equal items (first position); items here are hashable scalars or tuples.
function dedupe(items: PyValue[]): PyValue[] {
  const seen = new Set<string>();
  const out: PyValue[] = [];
  for (const v of items) {
    const key = typeof v === 'bigint' ? `n${v}` : v instanceof Uint8Array ? `b${Array.from(v).join(',')}` : `${typeof v}:${JSON.stringify(v)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}
