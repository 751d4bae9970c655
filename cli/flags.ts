// A small TRL/HF-style flag parser driven by a typed schema, which also writes `--help`.
//
//   --key value   --key=value   --learning-rate 1e-5 (dashes and underscores are the same key)
//   booleans: --flag, --no-flag / --no_flag, --flag false|true|yes|no|1|0 (as HfArgumentParser)
//   numbers: any JS number literal (1e-5, 0x10 not accepted); `int: true` rejects fractions
//   lists: --targets q_proj,v_proj  or  --targets q_proj v_proj  or  --targets q_proj --targets v_proj
//   enums: --loss_type sigmoid (one of the listed values)
//   --config FILE: TOML or JSON with the same keys (tables are flattened one level, so
//   `[training] learning_rate = 1e-5` sets learning_rate); the command line overrides the file.
//   `--` ends the flags; later words are positionals.
// Errors are one line: `--learning_rate: expected a number, got 'abc'`,
// `run.toml:3: seed: expected an integer, got 1.5`.
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';

/** One flag's type, default and help line. */
export type FlagSpec =
  | { type: 'string'; help: string; default?: string; required?: boolean; metavar?: string }
  | { type: 'number'; help: string; default?: number; required?: boolean; int?: boolean; min?: number; max?: number; metavar?: string }
  | { type: 'boolean'; help: string; default?: boolean }
  | { type: 'enum'; help: string; values: readonly string[]; default?: string; required?: boolean }
  | { type: 'list'; help: string; of?: 'string' | 'number'; default?: readonly (string | number)[]; required?: boolean; metavar?: string };

/** Flags by name (snake_case, as TRL/HF name them). */
export type FlagSchema = Record<string, FlagSpec>;

type ValueOf<F> =
  F extends { type: 'string' } ? string :
  F extends { type: 'number' } ? number :
  F extends { type: 'boolean' } ? boolean :
  F extends { type: 'enum'; values: readonly (infer V)[] } ? V :
  F extends { type: 'list'; of: 'number' } ? number[] :
  F extends { type: 'list' } ? string[] :
  never;

/** Parsed values: present when defaulted, required or boolean (false unless set), else maybe undefined. */
export type Parsed<S extends FlagSchema> = {
  [K in keyof S]: S[K] extends { type: 'boolean' } | { default: unknown } | { required: true } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** Declare a schema with literal types kept (so enums parse to unions). */
export function defineFlags<const S extends FlagSchema>(schema: S): S {
  return schema;
}

/** A bad command line or config file; the message is the one line to print. */
export class FlagError extends Error {
  override name = 'FlagError';
}

/** How a command takes its arguments besides flags. */
export interface ParseOptions {
  /** Positional arguments, for help and count checks: `{ name: 'REF', help: '...', optional? }`. */
  positionals?: readonly { name: string; help: string; optional?: boolean }[];
  /** Accept `--config FILE` (default true). */
  config?: boolean;
}

/** The result of a parse: flags, positionals, and whether help was asked for. */
export interface ParseResult<S extends FlagSchema> {
  flags: Parsed<S>;
  positionals: string[];
  help: boolean;
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);

/** Parse `argv` (the words after the command name) against the schema. */
export function parseFlags<S extends FlagSchema>(schema: S, argv: readonly string[], opts: ParseOptions = {}): ParseResult<S> {
  const useConfig = opts.config ?? true;
  const names = new Map<string, string>(); // spelling (dashes or underscores) -> key
  for (const key of Object.keys(schema)) {
    if (key === 'config' || key === 'help') throw new Error(`flag schema: '${key}' is built in`);
    names.set(key, key);
    names.set(key.replaceAll('_', '-'), key);
  }
  const cli = new Map<string, unknown>();
  const positionals: string[] = [];
  let configPath: string | undefined;
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (arg === '-h' || arg === '--help') { help = true; continue; }
    if (!arg.startsWith('--') || arg === '--') { positionals.push(arg); continue; }
    const eq = arg.indexOf('=');
    const spelled = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const takeNext = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) return undefined;
      i++;
      return next;
    };

    if (useConfig && spelled === 'config') {
      const v = takeNext();
      if (v === undefined || v === '') throw new FlagError('--config: expected a file path, got nothing');
      configPath = v;
      continue;
    }
    const key = names.get(spelled);
    // --no-flag / --no_flag for booleans.
    if (key === undefined && /^no[-_]/.test(spelled)) {
      const base = names.get(spelled.slice(3));
      if (base !== undefined && schema[base].type === 'boolean') {
        if (inline !== undefined) throw new FlagError(`--${spelled}: takes no value, got '${inline}'`);
        cli.set(base, false);
        continue;
      }
    }
    if (key === undefined) throw new FlagError(unknownFlag(`--${spelled}`, Object.keys(schema), useConfig));
    const spec = schema[key];
    const flag = `--${key}`;
    if (spec.type === 'boolean') {
      // A following word is the value only if it reads as a boolean: `--flag pos` keeps `pos`.
      let v: string | undefined = inline;
      if (v === undefined) {
        const next = argv[i + 1];
        if (next !== undefined && (TRUE.has(next.toLowerCase()) || FALSE.has(next.toLowerCase()))) { v = next; i++; }
      }
      cli.set(key, v === undefined ? true : toBoolean(v, flag));
    } else if (spec.type === 'list') {
      const words: string[] = [];
      if (inline !== undefined) words.push(inline);
      else while (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) words.push(argv[++i]);
      if (words.length === 0) throw new FlagError(`${flag}: expected ${listWhat(spec)}, got nothing`);
      const items = words.flatMap((w) => w.split(',')).map((s) => s.trim()).filter((s) => s !== '');
      const prev = (cli.get(key) as (string | number)[] | undefined) ?? [];
      cli.set(key, [...prev, ...items.map((s) => (spec.of === 'number' ? toNumber(s, flag, {}) : s))]);
    } else {
      const v = takeNext();
      if (v === undefined) throw new FlagError(`${flag}: expected ${what(spec)}, got nothing`);
      cli.set(key, fromString(spec, v, flag));
    }
  }

  const fromFile = configPath !== undefined && !help ? loadConfig(configPath, schema) : new Map<string, unknown>();
  const flags: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const v = cli.has(key) ? cli.get(key) : fromFile.has(key) ? fromFile.get(key) : spec.default;
    if (v === undefined && spec.type !== 'boolean' && 'required' in spec && spec.required && !help) {
      throw new FlagError(`--${key}: required${configPath === undefined ? '' : ` (on the command line or in ${configPath})`}`);
    }
    flags[key] = v === undefined && spec.type === 'boolean' ? false : Array.isArray(v) ? [...v] : v;
  }
  if (!help) checkPositionals(positionals, opts.positionals);
  return { flags: flags as Parsed<S>, positionals, help };
}

function checkPositionals(got: readonly string[], want: ParseOptions['positionals']): void {
  if (want === undefined) {
    if (got.length > 0) throw new FlagError(`unexpected argument '${got[0]}' (this command takes only flags)`);
    return;
  }
  const min = want.filter((p) => !p.optional).length;
  if (got.length < min) throw new FlagError(`missing argument ${want[got.length].name}`);
  if (got.length > want.length) throw new FlagError(`unexpected argument '${got[want.length]}'`);
}

function what(spec: FlagSpec): string {
  switch (spec.type) {
    case 'number': return spec.int ? 'an integer' : 'a number';
    case 'boolean': return 'true or false';
    case 'enum': return `one of ${spec.values.join(', ')}`;
    case 'list': return listWhat(spec);
    default: return 'a value';
  }
}

function listWhat(spec: Extract<FlagSpec, { type: 'list' }>): string {
  return spec.of === 'number' ? 'a list of numbers' : 'a list of values';
}

function toBoolean(v: string, flag: string): boolean {
  const s = v.toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new FlagError(`${flag}: expected true or false, got '${v}'`);
}

function toNumber(v: string, flag: string, spec: { int?: boolean; min?: number; max?: number }): number {
  const s = v.trim();
  // Number() alone would take '', '0x10' and 'Infinity'; accept decimal literals only.
  const x = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(x)) throw new FlagError(`${flag}: expected ${spec.int ? 'an integer' : 'a number'}, got '${v}'`);
  return checkRange(x, flag, spec, `'${v}'`);
}

function checkRange(x: number, flag: string, spec: { int?: boolean; min?: number; max?: number }, shown: string): number {
  if (spec.int && !Number.isInteger(x)) throw new FlagError(`${flag}: expected an integer, got ${shown}`);
  if (spec.min !== undefined && x < spec.min) throw new FlagError(`${flag}: expected a number >= ${spec.min}, got ${shown}`);
  if (spec.max !== undefined && x > spec.max) throw new FlagError(`${flag}: expected a number <= ${spec.max}, got ${shown}`);
  return x;
}

function fromString(spec: FlagSpec, v: string, flag: string): unknown {
  switch (spec.type) {
    case 'number': return toNumber(v, flag, spec);
    case 'boolean': return toBoolean(v, flag);
    case 'enum':
      if (!spec.values.includes(v)) throw new FlagError(`${flag}: expected one of ${spec.values.join(', ')}, got '${v}'`);
      return v;
    default: return v;
  }
}

/** A value from a config file, checked against the spec; `at` is `file:line: key`. */
function fromConfigValue(spec: FlagSpec, v: unknown, at: string): unknown {
  const bad = (want: string) => new FlagError(`${at}: expected ${want}, got ${JSON.stringify(v)}`);
  switch (spec.type) {
    case 'string':
      if (typeof v !== 'string') throw bad('a string');
      return v;
    case 'number': {
      // TOML integers may come back as bigint when large.
      const x = typeof v === 'bigint' ? Number(v) : v;
      if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(spec.int ? 'an integer' : 'a number');
      return checkRange(x, at, spec, JSON.stringify(x));
    }
    case 'boolean':
      if (typeof v !== 'boolean') throw bad('true or false');
      return v;
    case 'enum':
      if (typeof v !== 'string' || !spec.values.includes(v)) throw bad(`one of ${spec.values.join(', ')}`);
      return v;
    case 'list': {
      const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : null;
      if (items === null) throw bad(listWhat(spec));
      return items.map((x) => {
        if (spec.of === 'number') {
          const n = typeof x === 'bigint' ? Number(x) : x;
          if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(listWhat(spec));
          return n;
        }
        if (typeof x !== 'string') throw bad(listWhat(spec));
        return x;
      });
    }
  }
}

/** Read a TOML (.toml) or JSON (.json, or anything else that parses as JSON) config file. */
export function loadConfig<S extends FlagSchema>(path: string, schema: S): Map<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FlagError(`--config: cannot read ${path}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
  const isToml = /\.toml$/i.test(path);
  let doc: unknown;
  try {
    doc = isToml ? parseToml(text) : JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new FlagError(`${path}: not valid ${isToml ? 'TOML' : 'JSON'}: ${msg}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FlagError(`${path}: expected a table of settings at the top level`);
  const out = new Map<string, unknown>();
  const lineOf = (key: string): string => {
    const lines = text.split('\n');
    const pat = isToml ? new RegExp(`^\\s*["']?${escapeRe(key)}["']?\\s*=`) : new RegExp(`"${escapeRe(key)}"\\s*:`);
    const i = lines.findIndex((l) => pat.test(l));
    return i < 0 ? path : `${path}:${i + 1}`;
  };
  const put = (key: string, v: unknown) => {
    const name = key.replaceAll('-', '_');
    const spec = schema[name];
    if (name === 'config' || spec === undefined) throw new FlagError(`${lineOf(key)}: ${key}: ${unknownFlag(key, Object.keys(schema), false, 'unknown setting')}`);
    if (out.has(name)) throw new FlagError(`${lineOf(key)}: ${key}: set twice`);
    out.set(name, fromConfigValue(spec, v, `${lineOf(key)}: ${key}`));
  };
  for (const [k, v] of Object.entries(doc)) {
    // A table groups settings (`[training]`); its keys are ordinary flags.
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)) {
      for (const [k2, v2] of Object.entries(v)) {
        if (typeof v2 === 'object' && v2 !== null && !Array.isArray(v2)) throw new FlagError(`${lineOf(k2)}: ${k}.${k2}: tables nest one level at most`);
        put(k2, v2);
      }
    } else {
      put(k, v);
    }
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unknownFlag(flag: string, keys: readonly string[], withConfig: boolean, lead = 'unknown flag'): string {
  const bare = flag.replace(/^--/, '').replaceAll('-', '_');
  const all = withConfig ? [...keys, 'config'] : [...keys];
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of all) {
    const d = editDistance(bare, k);
    if (d < bestD) { bestD = d; best = k; }
  }
  const hint = best !== undefined && bestD <= Math.max(2, Math.floor(bare.length / 3)) ? ` (did you mean --${best}?)` : '';
  return lead === 'unknown flag' ? `unknown flag ${flag}${hint}` : `${lead}${hint}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), prev[j] + 1, cur[j - 1] + 1);
    prev = cur;
  }
  return prev[b.length];
}

/** `--help` text: usage, positionals, then each flag with its type and default. */
export function helpText(command: string, summary: string, schema: FlagSchema, opts: ParseOptions = {}): string {
  const pos = (opts.positionals ?? []).map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ');
  const lines = [`usage: prefstudio ${command} [flags]${pos ? ` ${pos}` : ''}`, '', summary, ''];
  if (opts.positionals?.length) {
    lines.push('arguments:');
    for (const p of opts.positionals) lines.push(row(p.name, p.help));
    lines.push('');
  }
  lines.push('flags:');
  for (const [key, spec] of Object.entries(schema)) {
    const meta = spec.type === 'boolean' ? '' : ` ${spec.type === 'enum' ? `{${spec.values.join(',')}}` : spec.metavar ?? defaultMeta(spec)}`;
    const notes: string[] = [];
    if ('required' in spec && spec.required) notes.push('required');
    if (spec.default !== undefined) notes.push(`default: ${Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default)}`);
    if (spec.type === 'boolean') notes.push(`--no-${key.replaceAll('_', '-')} to turn off`);
    lines.push(row(`--${key}${meta}`, `${spec.help}${notes.length ? ` (${notes.join('; ')})` : ''}`));
  }
  if (opts.config ?? true) lines.push(row('--config FILE', 'read flags from a TOML or JSON file; the command line wins'));
  lines.push(row('-h, --help', 'show this help'));
  return lines.join('\n');
}

function defaultMeta(spec: FlagSpec): string {
  if (spec.type === 'number') return spec.int ? 'INT' : 'NUM';
  if (spec.type === 'list') return spec.of === 'number' ? 'NUM,...' : 'A,B,...';
  return 'STR';
}

function row(left: string, right: string): string {
  return left.length >= 28 ? `  ${left}\n  ${' '.repeat(28)}${right}` : `  ${left.padEnd(28)}${right}`;
}

/** Where a command writes: stdout and stderr by default, buffers in tests. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** The process's stdout and stderr (each call writes one line). */
export const stdio: CommandIo = {
  out: (text) => { process.stdout.write(`${text}\n`); },
  err: (text) => { process.stderr.write(`${text}\n`); },
};

/** A one-line error a command reports with exit code 1 (bad input data, unreadable files). */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * Run a command body, turning FlagError into `prefstudio NAME: message` with exit code 2 and
 * CommandError into the same with exit code 1; other errors propagate (they are bugs).
 */
export async function guard(name: string, io: CommandIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof FlagError) { io.err(`prefstudio ${name}: ${e.message}`); return 2; }
    if (e instanceof CommandError) { io.err(`prefstudio ${name}: ${e.message}`); return 1; }
    throw e;
  }
}
