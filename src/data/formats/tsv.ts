// Seed 000's TSV format: three tab-separated columns per line, no header (the seed reads it
// with `column_names=["id", "paths", "msgs"]`):
//   sample_001 <TAB> ["/path/to/audio.wav"] <TAB> [{"messages": [{"role": "user", ...}, {"role": "assistant", "content": "Hello world"}]}]
// `paths` is a Python list literal (the first path is the audio); `msgs` is a Python list whose
// first item holds `messages` (a flat list of `{role, content}` is accepted too); the reference
// text is the last message's content, as the seed's `load_sample` takes it.
import type { ByteSource } from '../io/byte-source';
import { readLineBatches } from '../io/line-reader';
import type { MediaOptions } from './fields';
import { checkMedia, checksFiles, confineMedia, isObject, readMessages, typeName } from './fields';
import type { PyValue } from './python-literal';
import { parsePythonLiteral, PythonLiteralError } from './python-literal';
import type { AsrRecord, JsonValue, Message, Parsed } from './types';
import { FieldError } from './types';
import { EventStream } from './events';

/** Options of the TSV parser. */
export interface TsvOptions extends MediaOptions {
  /**
   * A header line: `false` (the seed's layout, every line is data), `true` (skip line 1), or
   * `'auto'` (default: skip line 1 only when it looks like column names, with a warning).
   */
  header?: boolean | 'auto';
}

const COLUMNS = ['id', 'paths', 'msgs'] as const;

/** Python values to JSON values (bytes and bigints have no place in messages: FieldError). */
function toJson(v: PyValue, field: string): JsonValue {
  if (v instanceof Uint8Array) throw new FieldError(field, 'bytes are not allowed here');
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x, i) => toJson(x, `${field}[${i}]`));
  if (typeof v === 'object' && v !== null) {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: toJson(x, `${field}.${k}`), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

function literal(text: string, field: string): PyValue {
  try {
    return parsePythonLiteral(text);
  } catch (e) {
    if (e instanceof PythonLiteralError) throw new FieldError(field, `invalid Python literal: ${e.message}`, 'syntax');
    throw e;
  }
}

// A CSV-quoted field (`"[{""role"": ...}]"`), as pandas/csv writers produce, is unquoted.
function unquote(field: string, name: string): string {
  if (!field.startsWith('"')) return field;
  if (field.length < 2 || !field.endsWith('"')) throw new FieldError(name, 'a quoted field must end with a quote on the same line');
  const inner = field.slice(1, -1);
  if (/(^|[^"])"("")*([^"]|$)/.test(inner)) throw new FieldError(name, 'a quote inside a quoted field must be doubled ("")');
  return inner.replace(/""/g, '"');
}

/** Messages of a `msgs` value: `[{"messages": [...]}]` (the seed) or a flat message list. */
function messagesOf(v: JsonValue, warn: (key: string, msg: string) => void, where: string): { messages: Message[]; field: string } {
  if (!Array.isArray(v)) throw new FieldError('msgs', `expected a list, got ${typeName(v)}`);
  if (v.length === 0) throw new FieldError('msgs', 'empty list');
  const first = v[0];
  if (isObject(first) && 'messages' in first) {
    if (v.length > 1) warn('tsv-msgs-extra', `${where}: msgs: only the first entry's messages are used (as the seed does); ${v.length - 1} more ignored`);
    return { messages: readMessages(first.messages, 'msgs[0].messages'), field: 'msgs[0].messages' };
  }
  if (isObject(first) && 'role' in first) return { messages: readMessages(v, 'msgs'), field: 'msgs' };
  throw new FieldError('msgs[0]', `expected {"messages": [...]} or a {"role", "content"} message, got ${isObject(first) ? `an object with keys ${Object.keys(first).join(', ') || '(none)'}` : typeName(first)}`);
}

function looksLikeHeader(cols: string[]): boolean {
  return cols.length === 3 && cols.every((c) => /^[A-Za-z_][A-Za-z0-9_ ]*$/.test(c.trim()));
}

/** Records of a seed-000 TSV file (AsrRecord: id, first audio path, last message text). */
export function parseTsv(source: ByteSource, opts: TsvOptions = {}): EventStream<AsrRecord> {
  return new EventStream(() => tsvBatches(source, opts));
}

async function* tsvBatches(source: ByteSource, opts: TsvOptions): AsyncGenerator<Parsed<AsrRecord>[], void, undefined> {
  const file = source.name;
  const header = opts.header ?? 'auto';
  let out: Parsed<AsrRecord>[] = [];
  const warn = (key: string, message: string): void => { out.push({ kind: 'warning', key, message }); };
  let blank = 0;
  for await (const batch of readLineBatches(source)) {
    for (const item of batch) {
      const line = item.lineNo;
      if (item.line === null) { out.push({ kind: 'error', error: { file, line, field: 'record', message: item.error, reason: 'encoding' } }); continue; }
      if (item.line.trim() === '') { blank++; continue; }
      const cols = item.line.split('\t');
      if (line === 1 && (header === true || (header === 'auto' && looksLikeHeader(cols)))) {
        out.push({ kind: 'warning', key: 'tsv-header', message: `${file}:1: skipped a header line (${cols.map((c) => c.trim()).join(', ')})` });
        continue;
      }
      try {
        if (cols.length !== 3) throw new FieldError('record', `expected 3 tab-separated columns (${COLUMNS.join(', ')}), found ${cols.length}`, 'syntax');
        const id = unquote(cols[0].trim(), 'id');
        if (id === '') throw new FieldError('id', 'empty');
        const paths = literal(unquote(cols[1].trim(), 'paths'), 'paths');
        if (!Array.isArray(paths)) throw new FieldError('paths', `expected a list of paths, got ${typeName(paths)}`);
        if (paths.length === 0) throw new FieldError('paths', 'empty list');
        const audioPaths: string[] = [];
        for (let i = 0; i < paths.length; i++) {
          const p = paths[i];
          if (typeof p !== 'string') throw new FieldError(`paths[${i}]`, `expected a string, got ${typeName(p)}`);
          audioPaths.push(confineMedia(p, `paths[${i}]`, opts));
        }
        const { messages, field } = messagesOf(toJson(literal(unquote(cols[2].trim(), 'msgs'), 'msgs'), 'msgs'), warn, `${file}:${line}`);
        const last = messages[messages.length - 1];
        const lastField = `${field}[${messages.length - 1}].content`;
        if (typeof last.content !== 'string') throw new FieldError(lastField, 'expected the transcript (last message) as a string, got a list of parts');
        if (last.content.trim() === '') throw new FieldError(lastField, 'empty transcript');
        if (checksFiles(opts)) for (let i = 0; i < audioPaths.length; i++) await checkMedia(audioPaths[i], paths[i] as string, `paths[${i}]`, opts.root);
        out.push({ kind: 'record', record: { kind: 'asr', id, audio: audioPaths[0], text: last.content, audioPaths, messages, src: { file, line } } });
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        out.push({ kind: 'error', error: { file, line, field: e.field, message: e.message, reason: e.reason } });
      }
    }
    if (out.length) { yield out; out = []; }
  }
  if (blank > 0) yield [{ kind: 'warning', key: 'blank-lines', message: `${file}: ${blank} blank line${blank > 1 ? 's' : ''} ignored` }];
}
