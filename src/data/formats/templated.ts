// Templated prompt sources (seed 004's TemplateInstructDatasourceSpec): a prompt-only dataset
// made by filling `{column}` placeholders from each row of a parent dataset. `{{`/`}}` are
// literal braces, as in Python's str.format. `take` reads only the first N parent rows;
// `filterLength` drops prompts longer than 0.9 * max_new_tokens tokens.
import type { Message, Parsed, PromptRecord, RowRecord } from './types';
import { FieldError } from './types';
import { batchesOf, EventStream } from './events';

/** A compiled template: literal text and column names, alternating. */
export type TemplatePart = { text: string } | { column: string };

/** A malformed template (bad braces), with the 1-based column of the problem. */
export class TemplateError extends Error {
  constructor(message: string, readonly column: number) {
    super(`template column ${column}: ${message}`);
    this.name = 'TemplateError';
  }
}

/** Parse a `{column}` template. Only plain names are supported (no `.attr`, `[i]`, `!r`, `:fmt`). */
export function compileTemplate(t: string): TemplatePart[] {
  const out: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '{' && t[i + 1] === '{') { text += '{'; i++; continue; }
    if (c === '}' && t[i + 1] === '}') { text += '}'; i++; continue; }
    if (c === '}') throw new TemplateError("single '}' (write '}}' for a literal brace)", i + 1);
    if (c !== '{') { text += c; continue; }
    const end = t.indexOf('}', i + 1);
    if (end < 0) throw new TemplateError("'{' is never closed (write '{{' for a literal brace)", i + 1);
    const name = t.slice(i + 1, end);
    if (name === '') throw new TemplateError('empty placeholder {} (name the column: {text})', i + 1);
    if (/[{.[\]!:]/.test(name)) throw new TemplateError(`unsupported placeholder {${name}}: only {column} is supported`, i + 1);
    if (text) out.push({ text });
    text = '';
    out.push({ column: name });
    i = end;
  }
  if (text) out.push({ text });
  return out;
}

/** The columns a compiled template uses. */
export function templateColumns(parts: TemplatePart[]): string[] {
  return [...new Set(parts.flatMap((p) => ('column' in p ? [p.column] : [])))];
}

/** Options of a templated source. */
export interface TemplateSpec {
  /** A prompt template (standard prompt) or chat messages whose contents are templates. */
  template: string | Message[];
  /** Use only the first N rows of the parent. */
  take?: number;
  /** Drop prompts longer than 0.9 * maxNewTokens tokens (seed 004's `filter_length`). */
  filterLength?: boolean;
  maxNewTokens?: number;
  /** Token counter for `filterLength`; default: whitespace-separated words. */
  countTokens?: (text: string) => number;
}

/** Whitespace word count, the default token measure. */
export function countWords(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

function fill(parts: TemplatePart[], row: RowRecord): string {
  let s = '';
  for (const p of parts) {
    if ('text' in p) { s += p.text; continue; }
    if (!(p.column in row.values)) {
      const cols = Object.keys(row.values);
      throw new FieldError(`{${p.column}}`, `column '${p.column}' is not in the parent row (its columns: ${cols.length ? cols.join(', ') : 'none'})`);
    }
    const v = row.values[p.column];
    if (typeof v === 'string') s += v;
    else if (typeof v === 'number') s += String(v);
    else if (typeof v === 'boolean') s += v ? 'True' : 'False';
    else throw new FieldError(`{${p.column}}`, `column '${p.column}' holds ${v === null ? 'null' : Array.isArray(v) ? 'a list' : 'an object'}; only text, numbers and booleans can fill a placeholder`);
  }
  return s;
}

/** Fill the template from each parent row; parent errors pass through, counted as theirs. */
export function applyTemplate(parent: EventStream<RowRecord> | AsyncIterable<Parsed<RowRecord>>, spec: TemplateSpec): EventStream<PromptRecord> {
  return new EventStream(() => templateBatches(parent, spec));
}

async function* templateBatches(parent: EventStream<RowRecord> | AsyncIterable<Parsed<RowRecord>>, spec: TemplateSpec): AsyncGenerator<Parsed<PromptRecord>[], void, undefined> {
  const { take, filterLength = false, maxNewTokens, countTokens = countWords } = spec;
  if (take !== undefined && !(Number.isInteger(take) && take >= 0)) throw new Error(`templated source: take must be a whole number >= 0, got ${take}`);
  if (filterLength && !(typeof maxNewTokens === 'number' && maxNewTokens > 0)) throw new Error('templated source: filter_length needs max_new_tokens > 0');
  const compiled = typeof spec.template === 'string'
    ? compileTemplate(spec.template)
    : spec.template.map((m, i) => {
      if (typeof m.content !== 'string') throw new Error(`templated source: template message ${i} must have string content`);
      return compileTemplate(m.content);
    });
  const limit = filterLength ? 0.9 * (maxNewTokens as number) : Infinity;
  const toPrompt = (row: RowRecord): Parsed<PromptRecord> => {
    try {
      let record: PromptRecord;
      let measured: string;
      if (typeof spec.template === 'string') {
        const prompt = fill(compiled as TemplatePart[], row);
        measured = prompt;
        record = { kind: 'prompt', format: 'standard', prompt, src: row.src };
      } else {
        const msgs = spec.template.map((m, i) => ({ role: m.role, content: fill((compiled as TemplatePart[][])[i], row) }));
        measured = msgs.map((m) => m.content).join('\n');
        record = { kind: 'prompt', format: 'conversational', prompt: msgs, src: row.src };
      }
      if (countTokens(measured) > limit) return { kind: 'filtered', reason: 'length', src: row.src };
      return { kind: 'record', record };
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      return { kind: 'error', error: { file: row.src.file, line: row.src.line, field: e.field, message: e.message, reason: e.reason } };
    }
  };
  if (take === 0) return;
  let rows = 0;
  for await (const batch of batchesOf(parent)) {
    const out: Parsed<PromptRecord>[] = [];
    for (const ev of batch) {
      if (ev.kind === 'warning') { out.push(ev); continue; }
      rows++;
      out.push(ev.kind === 'record' ? toPrompt(ev.record) : ev);
      if (take !== undefined && rows >= take) { yield out; return; } // the parent is read no further
    }
    if (out.length) yield out;
  }
}
