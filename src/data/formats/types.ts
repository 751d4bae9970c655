// The record types every dataset format produces, and the per-record error channel.
// Records hold media as paths (relative to the dataset root when one is set), never bytes:
// decoding is `src/data/audio` and `src/data/image`'s job, later and on demand.

/** A JSON value as JSON.parse returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject { [key: string]: JsonValue }

/** One part of a multimodal message content (TRL/transformers chat format). */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; image?: string }
  | { type: 'audio'; audio?: string };

/** A chat message: `{ role, content }`; content is text or a list of parts. */
export interface Message {
  role: string;
  content: string | ContentPart[];
}

/** Where a record came from: file and 1-based line (0 when it has no line, e.g. a folder scan). */
export interface SourceRef {
  file: string;
  line: number;
}

/** An ASR example before simulation: `openasr` (LibriSpeech tree) and `tsv` produce these. */
export interface AsrRecord {
  kind: 'asr';
  id: string;
  /** The audio file (for TSV: the first of `audioPaths`, as the seed uses). */
  audio: string;
  /** Reference transcript (for TSV: the last message's content). */
  text: string;
  speaker?: string;
  chapter?: string;
  /** TSV: every path of the row's audio list. */
  audioPaths?: string[];
  /** TSV: the row's messages. */
  messages?: Message[];
  src: SourceRef;
}

/** Seed 003's JSON/JSONL record (Whisper ORPO): one audio, a chosen and a rejected transcript. */
export interface AsrPreferenceRecord {
  kind: 'asr-preference';
  id?: string;
  audio: string;
  /** Seconds, when the record gives it. */
  duration?: number;
  chosen: string;
  rejected: string;
  language?: string;
  src: SourceRef;
}

/** Fields shared by the TRL-shaped records. */
interface TrlBase {
  id?: string;
  /** Audio paths the prompt refers to. */
  audio?: string[];
  /** Image paths the prompt refers to (TRL's `images` column). */
  images?: string[];
  src: SourceRef;
}

/** A TRL preference example, standard (strings) or conversational (message lists). */
export type PreferenceRecord = TrlBase & { kind: 'preference'; implicitPrompt: boolean } & (
  | { format: 'standard'; prompt: string; chosen: string; rejected: string }
  | { format: 'conversational'; prompt: Message[]; chosen: Message[]; rejected: Message[] }
);

/** A TRL prompt-only example (online DPO), standard or conversational. */
export type PromptRecord = TrlBase & { kind: 'prompt' } & (
  | { format: 'standard'; prompt: string }
  | { format: 'conversational'; prompt: Message[] }
);

/** Seed 002's ADPO example: one response, two contexts (text and images). */
export interface AdpoRecord {
  kind: 'adpo';
  id?: string;
  response: string;
  chosen: string | Message[];
  chosenImages: string[];
  rejected: string | Message[];
  rejectedImages: string[];
  src: SourceRef;
}

/** A plain row of a parent dataset (the input of templated sources). */
export interface RowRecord {
  kind: 'row';
  values: JsonObject;
  src: SourceRef;
}

/** Any record a format can produce. */
export type DataRecord = AsrRecord | AsrPreferenceRecord | PreferenceRecord | PromptRecord | AdpoRecord | RowRecord;

/** Why a record was skipped (the summary counts each). */
export type SkipReason =
  | 'encoding' // not UTF-8
  | 'syntax' // not parseable (JSON, Python literal, TSV columns)
  | 'field' // a field is missing or has the wrong type or value
  | 'path' // a media path escapes the dataset root
  | 'missing-file' // a media file does not exist
  | 'orphan-audio' // an audio file with no transcript line
  | 'duplicate' // an id seen before
  | 'filtered'; // dropped on purpose by a filter (duration, length): not an error

/** One bad record: `file:line: field: message`. */
export interface RecordError {
  file: string;
  /** 1-based line; 0 when the problem has no line (a file found by a folder scan). */
  line: number;
  field: string;
  message: string;
  reason: SkipReason;
}

/** `file:line: field: message` (the line is left out when 0). */
export function formatRecordError(e: RecordError): string {
  return `${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.field}: ${e.message}`;
}

/** What a format parser yields: a good record, a bad one, a deliberate drop, or a warning. */
export type Parsed<T> =
  | { kind: 'record'; record: T }
  | { kind: 'error'; error: RecordError }
  | { kind: 'filtered'; reason: string; src: SourceRef }
  | { kind: 'warning'; key: string; message: string };

/** Thrown inside a record parser for a bad field; the parser turns it into an error event. */
export class FieldError extends Error {
  constructor(readonly field: string, message: string, readonly reason: SkipReason = 'field') {
    super(message);
    this.name = 'FieldError';
  }
}
