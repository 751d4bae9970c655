import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { folderTokenizer, loadHfFolder } from '../io';
import { folderSource } from '../io/file-source-node';
import { languageCode } from './languages';
import { parseWhisperGenerationConfig, whisperPreviousIds, whisperPromptIds } from './prompt';

const TINY = fileURLToPath(new URL('../../../tests/golden/models/whisper/tiny', import.meta.url));

// The fields of openai/whisper-tiny's generation_config.json that the prompt reads (ids as released).
const whisperTinyGen = {
  decoder_start_token_id: 50258,
  lang_to_id: { '<|en|>': 50259, '<|zh|>': 50260, '<|de|>': 50261 },
  task_to_id: { translate: 50358, transcribe: 50359 },
  no_timestamps_token_id: 50363,
  prev_sot_token_id: 50361,
  is_multilingual: true,
};

describe('whisperPromptIds', () => {
  it('builds start, language, task and no-timestamps from generation_config ids', () => {
    expect(whisperPromptIds(whisperTinyGen, { language: 'Chinese', task: 'transcribe' })).toEqual([50258, 50260, 50359, 50363]);
    expect(whisperPromptIds(whisperTinyGen, { language: 'de', task: 'translate' })).toEqual([50258, 50261, 50358, 50363]);
    expect(whisperPromptIds(whisperTinyGen, { language: '<|en|>', task: 'transcribe', timestamps: true })).toEqual([50258, 50259, 50359]);
    // As HF's tokenizer: no language or task given, no token for them.
    expect(whisperPromptIds(whisperTinyGen)).toEqual([50258, 50363]);
  });

  it('prepends <|startofprev|> and previous ids, keeping the last max/2 - 1', () => {
    const prev = [11, 12, 13, 14, 15];
    expect(whisperPromptIds(whisperTinyGen, { language: 'en', task: 'transcribe', previousIds: prev }))
      .toEqual([50361, 11, 12, 13, 14, 15, 50258, 50259, 50359, 50363]);
    expect(whisperPromptIds(whisperTinyGen, { previousIds: prev, maxTargetPositions: 8 })).toEqual([50361, 13, 14, 15, 50258, 50363]);
    const { prev_sot_token_id: _, ...old } = whisperTinyGen;
    expect(() => whisperPromptIds(old, { previousIds: prev })).toThrow(/prev_sot_token_id/);
    expect(whisperPromptIds(old, { previousIds: [7], prevSotTokenId: 99 })).toEqual([99, 7, 50258, 50363]);
  });

  it('names what is missing or unknown', () => {
    expect(() => whisperPromptIds(whisperTinyGen, { language: 'klingon' })).toThrow(/'klingon' is not in generation_config 'lang_to_id'/);
    expect(() => whisperPromptIds(whisperTinyGen, { language: 'french' })).toThrow(/'french' is not in/);
    expect(() => whisperPromptIds({ lang_to_id: {} })).toThrow(/'decoder_start_token_id' is missing/);
    expect(() => whisperPromptIds({ decoder_start_token_id: 1 })).toThrow(/no_timestamps_token_id/);
    const englishOnly = { decoder_start_token_id: 50257, no_timestamps_token_id: 50362 };
    expect(whisperPromptIds(englishOnly, { language: 'English', task: 'transcribe' })).toEqual([50257, 50362]);
    expect(() => whisperPromptIds(englishOnly, { language: 'de' })).toThrow(/English-only/);
    expect(() => whisperPromptIds(englishOnly, { task: 'translate' })).toThrow(/English-only/);
  });

  it('agrees with the tiny model tokenizer', async () => {
    const folder = await loadHfFolder(folderSource(TINY), { weights: false });
    const tok = folderTokenizer(folder);
    const gen = parseWhisperGenerationConfig(folder.generationConfig);
    const prev = whisperPreviousIds(tok, '  the cat ');
    const ids = whisperPromptIds(gen, { language: 'German', task: 'transcribe', previousIds: prev });
    expect(tok.decode(ids)).toBe('<|startofprev|> the cat<|startoftranscript|><|de|><|transcribe|><|notimestamps|>');
  });
});

describe('languageCode', () => {
  it('accepts codes, English names, aliases and tokens', () => {
    expect(languageCode('Chinese')).toBe('zh');
    expect(languageCode('mandarin')).toBe('zh');
    expect(languageCode('yue')).toBe('yue');
    expect(languageCode('<|ja|>')).toBe('ja');
    expect(languageCode('Haitian Creole')).toBe('ht');
    expect(languageCode('elvish')).toBeNull();
  });
});
