// Whisper's decoder prompt: start of transcript, language, task, no-timestamps, optionally preceded
// by previous text (`<|startofprev|>` + tokens) as a bias prompt. Every id comes from the model's
// generation_config.json, so checkpoints with other vocabularies (and tiny test models) work.
import { languageCode } from './languages';

/** The parts of generation_config.json the prompt needs. */
export interface WhisperGenerationConfig {
  decoderStartTokenId: number;
  /** `<|xx|>` -> id; absent for English-only checkpoints. */
  langToId: Record<string, number> | null;
  /** `transcribe`/`translate` -> id; absent for English-only checkpoints. */
  taskToId: Record<string, number> | null;
  noTimestampsTokenId: number | null;
  /** `<|startofprev|>`; older configs lack it (pass `prevSotTokenId` then). */
  prevSotTokenId: number | null;
}

/** What to put in the prompt. */
export interface WhisperPromptOptions {
  /** A code (`zh`), an English name (`Chinese`) or a token (`<|zh|>`); omitted: no language token (as HF's tokenizer). */
  language?: string | null;
  /** Omitted: no task token (as HF's tokenizer with `task=None`). */
  task?: 'transcribe' | 'translate' | null;
  /** Predict timestamps: leave out `<|notimestamps|>` (default false). */
  timestamps?: boolean;
  /** Token ids of previous text (e.g. `tokenizer.encode(' ' + text.trim())`), sent after `<|startofprev|>`. */
  previousIds?: readonly number[] | null;
  /** Keep at most the last `maxTargetPositions / 2 - 1` previous tokens, as HF and OpenAI do (default 448). */
  maxTargetPositions?: number;
  /** `<|startofprev|>` when generation_config.json does not name it. */
  prevSotTokenId?: number;
}

type Json = Record<string, unknown>;

function idMap(g: Json, key: string): Record<string, number> | null {
  const v = g[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => Number.isInteger(x))) {
    throw new Error(`generation_config: '${key}' must map tokens to integer ids`);
  }
  return v as Record<string, number>;
}

function optId(g: Json, key: string): number | null {
  const v = g[key];
  if (v === undefined || v === null) return null;
  if (!Number.isInteger(v)) throw new Error(`generation_config: '${key}' must be an integer id, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Parse the prompt-related fields of a Whisper generation_config.json. */
export function parseWhisperGenerationConfig(json: unknown): WhisperGenerationConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('generation_config: must be a JSON object');
  const g = json as Json;
  const start = optId(g, 'decoder_start_token_id');
  if (start === null) throw new Error("generation_config: 'decoder_start_token_id' is missing");
  return {
    decoderStartTokenId: start,
    langToId: idMap(g, 'lang_to_id'),
    taskToId: idMap(g, 'task_to_id'),
    noTimestampsTokenId: optId(g, 'no_timestamps_token_id'),
    prevSotTokenId: optId(g, 'prev_sot_token_id'),
  };
}

/**
 * The decoder prompt ids: `[<|startofprev|>, ...previous]` when previous ids are given, then
 * `<|startoftranscript|>`, the language, the task and `<|notimestamps|>` (each where asked for).
 * `generationConfig` is generation_config.json (raw JSON or parsed).
 */
export function whisperPromptIds(generationConfig: unknown, opts: WhisperPromptOptions = {}): number[] {
  const gen = isParsed(generationConfig) ? generationConfig : parseWhisperGenerationConfig(generationConfig);
  const ids: number[] = [];
  if (opts.previousIds && opts.previousIds.length) {
    const sop = opts.prevSotTokenId ?? gen.prevSotTokenId;
    if (sop === null || sop === undefined) throw new Error("whisper prompt: previous text needs '<|startofprev|>': generation_config has no 'prev_sot_token_id', pass prevSotTokenId");
    const keep = Math.floor((opts.maxTargetPositions ?? 448) / 2) - 1;
    ids.push(sop, ...opts.previousIds.slice(-keep));
  }
  ids.push(gen.decoderStartTokenId);
  if (opts.language) {
    const code = languageCode(opts.language);
    if (!gen.langToId) {
      if (code !== 'en') throw new Error(`whisper prompt: this checkpoint is English-only (no 'lang_to_id'); language '${opts.language}' is not available`);
    } else {
      const id = code === null ? undefined : gen.langToId[`<|${code}|>`];
      if (id === undefined) {
        const known = Object.keys(gen.langToId).slice(0, 8).join(', ');
        throw new Error(`whisper prompt: language '${opts.language}' is not in generation_config 'lang_to_id' (${known}${Object.keys(gen.langToId).length > 8 ? ', ...' : ''})`);
      }
      ids.push(id);
    }
  }
  if (opts.task) {
    if (!gen.taskToId) {
      if (opts.task !== 'transcribe') throw new Error(`whisper prompt: this checkpoint is English-only (no 'task_to_id'); task '${opts.task}' is not available`);
    } else {
      const id = gen.taskToId[opts.task];
      if (id === undefined) throw new Error(`whisper prompt: task '${opts.task}' is not in generation_config 'task_to_id'`);
      ids.push(id);
    }
  }
  if (!opts.timestamps) {
    if (gen.noTimestampsTokenId === null) throw new Error("whisper prompt: generation_config has no 'no_timestamps_token_id'");
    ids.push(gen.noTimestampsTokenId);
  }
  return ids;
}

/** Token ids of previous text as HF's `get_prompt_ids` tokenizes it (a leading space, trimmed). */
export function whisperPreviousIds(tokenizer: { encode(text: string): number[] }, text: string): number[] {
  return tokenizer.encode(` ${text.trim()}`);
}

function isParsed(x: unknown): x is WhisperGenerationConfig {
  return typeof x === 'object' && x !== null && 'decoderStartTokenId' in x;
}
