// Field validators shared by the record parsers. Each throws a FieldError naming the field path
// (`chosen[1].content`) and saying what was expected and what was found.
import type { FileTree } from '../io/file-tree';
import { PathError, remapPrefix, resolveInRoot } from '../io/paths';
import type { ContentPart, JsonObject, JsonValue, Message } from './types';
import { FieldError } from './types';

/** The JSON type name of a value, for messages (`got number`). */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

/** True for a plain object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** TRL's test: a non-empty list whose first item is a dict with a `role`. */
export function isConversational(v: unknown): v is Message[] {
  return Array.isArray(v) && v.length > 0 && isObject(v[0]) && 'role' in v[0];
}

/** A required string field (`nonEmpty` also refuses whitespace-only text). */
export function readString(obj: JsonObject, key: string, field = key, nonEmpty = false): string {
  const v = obj[key];
  if (v === undefined) throw new FieldError(field, 'missing');
  if (typeof v !== 'string') throw new FieldError(field, `expected a string, got ${typeName(v)}`);
  if (nonEmpty && v.trim() === '') throw new FieldError(field, 'empty');
  return v;
}

/** An optional string field. */
export function readOptString(obj: JsonObject, key: string, field = key): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new FieldError(field, `expected a string, got ${typeName(v)}`);
  return v;
}

/** An optional id: a string or an integer (kept as its decimal text). */
export function readOptId(obj: JsonObject, key = 'id'): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  throw new FieldError(key, `expected a string or an integer, got ${typeName(v)}`);
}

function readPart(v: unknown, field: string): ContentPart {
  if (!isObject(v)) throw new FieldError(field, `expected a content part object, got ${typeName(v)}`);
  const t = v.type;
  if (t === 'text') {
    if (typeof v.text !== 'string') throw new FieldError(`${field}.text`, `expected a string, got ${typeName(v.text)}`);
    return { type: 'text', text: v.text };
  }
  if (t === 'image' || t === 'audio') {
    // The media reference, when the part carries one (`image`, `url` or `path`).
    const ref = v[t] ?? v.url ?? v.path;
    if (ref !== undefined && ref !== null && typeof ref !== 'string') throw new FieldError(`${field}.${t}`, `expected a path string, got ${typeName(ref)}`);
    if (t === 'image') return typeof ref === 'string' ? { type: 'image', image: ref } : { type: 'image' };
    return typeof ref === 'string' ? { type: 'audio', audio: ref } : { type: 'audio' };
  }
  throw new FieldError(`${field}.type`, `expected "text", "image" or "audio", got ${t === undefined ? 'nothing' : JSON.stringify(t)}`);
}

/** A list of `{ role, content }` messages; content is a string or a list of parts. */
export function readMessages(v: unknown, field: string): Message[] {
  if (!Array.isArray(v)) throw new FieldError(field, `expected a list of messages, got ${typeName(v)}`);
  if (v.length === 0) throw new FieldError(field, 'empty list of messages');
  return v.map((m, i) => {
    const f = `${field}[${i}]`;
    if (!isObject(m)) throw new FieldError(f, `expected a message object, got ${typeName(m)}`);
    if (typeof m.role !== 'string' || m.role === '') throw new FieldError(`${f}.role`, m.role === undefined ? 'missing' : `expected a non-empty string, got ${typeName(m.role)}`);
    const c = m.content;
    if (typeof c === 'string') return { role: m.role, content: c };
    if (Array.isArray(c)) return { role: m.role, content: c.map((p, k) => readPart(p, `${f}.content[${k}]`)) };
    throw new FieldError(`${f}.content`, c === undefined ? 'missing' : `expected a string or a list of content parts, got ${typeName(c)}`);
  });
}

/** A TRL text field: a string (standard) or a message list (conversational). */
export function readTextOrMessages(v: unknown, field: string): { format: 'standard'; value: string } | { format: 'conversational'; value: Message[] } {
  if (typeof v === 'string') return { format: 'standard', value: v };
  if (v === undefined) throw new FieldError(field, 'missing');
  if (Array.isArray(v) && v.length > 0 && isObject(v[0])) return { format: 'conversational', value: readMessages(v, field) };
  if (Array.isArray(v) && v.length === 0) throw new FieldError(field, 'expected a string or a list of messages, got an empty list');
  throw new FieldError(field, `expected a string or a list of messages, got ${Array.isArray(v) ? `array of ${typeName(v[0])}` : typeName(v)}`);
}

/** Media paths: a string, `{ path }`, or a list of those. */
export function readPaths(v: JsonValue | undefined, field: string): string[] {
  if (v === undefined || v === null) return [];
  const one = (x: JsonValue, f: string): string => {
    if (typeof x === 'string') return x;
    if (isObject(x) && typeof x.path === 'string') return x.path;
    if (isObject(x)) throw new FieldError(`${f}.path`, x.path === undefined ? 'missing' : `expected a string, got ${typeName(x.path)}`);
    throw new FieldError(f, `expected a path string or {"path": ...}, got ${typeName(x)}`);
  };
  return Array.isArray(v) ? v.map((x, i) => one(x, `${field}[${i}]`)) : [one(v, field)];
}

/** How record paths are checked: against a root tree, relative to a folder in it. */
export interface MediaOptions {
  /** The dataset root: paths must stay inside it and (with `checkFiles`) exist. */
  root?: FileTree;
  /** The folder (inside `root`) relative paths start from, e.g. the JSONL file's folder. */
  baseDir?: string;
  /** Leading-directory rewrites applied first (the seed's `update_dir`), e.g. `/root/data/LibriSpeech` -> ``. */
  remap?: { from: string; to: string }[];
  /** Check that each file exists (default true when a root is set). */
  checkFiles?: boolean;
}

/** Rewrite and confine one media path (no I/O): relative to the root, or as given without a root. */
export function confineMedia(p: string, field: string, opts: MediaOptions): string {
  let path = p;
  for (const r of opts.remap ?? []) {
    const q = remapPrefix(path, r.from, r.to);
    if (q !== path) { path = q; break; }
  }
  if (!opts.root) return path;
  try {
    return resolveInRoot(path, opts.baseDir ?? '', opts.root.absPath);
  } catch (e) {
    if (e instanceof PathError) throw new FieldError(field, e.message, 'path');
    throw e;
  }
}

/** True when existence checks apply (a root is set and `checkFiles` is not false). */
export function checksFiles(opts: MediaOptions): opts is MediaOptions & { root: FileTree } {
  return opts.root !== undefined && (opts.checkFiles ?? true);
}

/** Throw a missing-file FieldError when `rel` (a confined path) is not in the root. */
export async function checkMedia(rel: string, shown: string, field: string, root: FileTree): Promise<void> {
  if (!(await root.exists(rel))) {
    throw new FieldError(field, `file ${JSON.stringify(shown)} not found in ${root.label}${rel !== shown ? ` (looked for ${rel})` : ''}`, 'missing-file');
  }
}

/** Rewrite, confine and check one media path (`confineMedia`, then `checkMedia` when checks apply). */
export async function resolveMedia(p: string, field: string, opts: MediaOptions): Promise<string> {
  const rel = confineMedia(p, field, opts);
  if (checksFiles(opts)) await checkMedia(rel, p, field, opts.root);
  return rel;
}
