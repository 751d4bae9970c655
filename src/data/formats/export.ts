// Export any preference-shaped record stream as TRL preference JSONL, one object per line.
// Field layout (media stay paths, relative to the dataset root when one was set):
//   preference     {"id"?, "prompt", "chosen", "rejected", "audio"?, "images"?}
//                  prompt/chosen/rejected: strings (standard) or message lists (conversational);
//                  an implicit prompt is written out explicitly, so TRL reads the same split.
//   asr-preference {"id"?, "prompt": "", "chosen", "rejected", "audio", "duration"?, "language"?}
//                  (an explicit empty prompt keeps TRL from cutting a shared transcript prefix)
//   prompt         {"id"?, "prompt", "audio"?, "images"?}   (TRL prompt-only, for online DPO)
//   adpo           {"id"?, "response", "chosen", "chosen_images", "rejected", "rejected_images"}
// `audio` is one path string, or a list when a record has several clips; `images` is a list.
import type { TextSink } from '../io/jsonl-writer';
import { BufferedSink } from '../io/jsonl-writer';
import type { AdpoRecord, AsrPreferenceRecord, DataRecord, JsonObject, PreferenceRecord, PromptRecord } from './types';

/** Records that have a TRL JSONL form. */
export type ExportableRecord = PreferenceRecord | PromptRecord | AsrPreferenceRecord | AdpoRecord;

/** Thrown for a record that has no preference form (an ASR example before simulation, a raw row). */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

function mediaFields(r: { audio?: string[]; images?: string[] }): JsonObject {
  const out: JsonObject = {};
  if (r.audio && r.audio.length > 0) out.audio = r.audio.length === 1 ? r.audio[0] : r.audio;
  if (r.images && r.images.length > 0) out.images = r.images;
  return out;
}

// Messages are plain data already; this only narrows the type for JSON output.
function asJson(v: string | PreferenceRecord['prompt'] | AdpoRecord['chosen']): JsonObject[keyof JsonObject] {
  return v as unknown as JsonObject[keyof JsonObject];
}

/** The TRL JSONL object of one record (see the file comment for the layout). */
export function toTrlRow(r: DataRecord): JsonObject {
  const id: JsonObject = r.kind !== 'row' && r.id !== undefined ? { id: r.id } : {};
  switch (r.kind) {
    case 'preference':
      return { ...id, prompt: asJson(r.prompt), chosen: asJson(r.chosen), rejected: asJson(r.rejected), ...mediaFields(r) };
    case 'prompt':
      return { ...id, prompt: asJson(r.prompt), ...mediaFields(r) };
    case 'asr-preference':
      return {
        ...id, prompt: '', chosen: r.chosen, rejected: r.rejected, audio: r.audio,
        ...(r.duration !== undefined ? { duration: r.duration } : {}),
        ...(r.language !== undefined ? { language: r.language } : {}),
      };
    case 'adpo':
      return { ...id, response: r.response, chosen: asJson(r.chosen), chosen_images: r.chosenImages, rejected: asJson(r.rejected), rejected_images: r.rejectedImages };
    case 'asr':
      throw new ExportError(`${r.src.file}:${r.src.line}: an ASR example (${r.id}) has no chosen/rejected yet: simulate preferences first`);
    case 'row':
      throw new ExportError(`${r.src.file}:${r.src.line}: a raw row has no preference form`);
  }
}

/** Write records as TRL JSONL to `sink` (closed at the end); resolves to the number written. */
export async function writeTrlJsonl(records: AsyncIterable<DataRecord> | Iterable<DataRecord>, sink: TextSink): Promise<{ written: number }> {
  const out = new BufferedSink(sink);
  let written = 0;
  try {
    for await (const r of records) {
      await out.write(JSON.stringify(toTrlRow(r)) + '\n');
      written++;
    }
  } finally {
    await out.close();
  }
  return { written };
}
