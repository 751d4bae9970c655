// Tiny random Whisper checkpoints as complete HF folders (config, safetensors, generation and
// preprocessor configs, a byte-level BPE tokenizer), for tests, demos and the headless runner.
// The vocabulary layout matches tests/golden/models/whisper/gen.py: text tokens first, then
// Whisper's special tokens in Whisper's order (<|endoftext|>, <|startoftranscript|>, languages, ...).
import { Rng } from '../../engine/random';
import { type TensorToWrite, writeSafetensors } from '../io/safetensors';
import { type WhisperConfig, toHfConfig } from './config';
import { whisperWeightNames } from './model';

/** Sizes of a tiny model; every field has a small default. */
export interface TinyWhisperOptions {
  seed: number;
  dModel?: number;
  encoderLayers?: number;
  decoderLayers?: number;
  heads?: number;
  ffnDim?: number;
  numMelBins?: number;
  /** Input frames per example (2 * max_source_positions); default 100 (1 s at hop 160). */
  frames?: number;
  maxTargetPositions?: number;
  /** Language codes with a `<|xx|>` token; default en, zh, de. */
  languages?: string[];
}

const CHARS = [...'abcdefghijklmnopqrstuvwxyz', 'Ġ', "'", '.', ',', ...'0123456789'];
const MERGES = ['Ġ t', 'h e', 'Ġt he', 'Ġ a', 'i n', 'e r', 'o n', 'Ġ s', 'Ġ w', 'o r', 'a t', 'e n',
  'Ġ c', 'i s', 'Ġ o', 'Ġ b', 'e s', 'i t', 'a n', 'Ġ h', 'Ġ i', 'Ġ m', 'Ġ d', 'in g'];

const specials = (langs: string[]): string[] => [
  '<|endoftext|>', '<|startoftranscript|>', ...langs.map((l) => `<|${l}|>`), '<|translate|>', '<|transcribe|>',
  '<|startoflm|>', '<|startofprev|>', '<|nocaptions|>', '<|notimestamps|>',
  ...[0, 1, 2, 3, 4].map((i) => `<|${(0.02 * i).toFixed(2)}|>`),
];

/** The tiny vocabulary: token -> id (text tokens, merges, then special tokens). */
export function tinyWhisperVocab(languages: string[] = ['en', 'zh', 'de']): Map<string, number> {
  const v = new Map<string, number>();
  for (const t of [...CHARS, ...MERGES.map((m) => m.replace(' ', '')), ...specials(languages)]) v.set(t, v.size);
  return v;
}

/** Whisper's encoder position table: [sin | cos] over log-spaced timescales (max 10000). */
export function sinusoids(length: number, channels: number): Float32Array {
  const half = channels / 2;
  const inc = Math.log(10000) / (half - 1);
  const out = new Float32Array(length * channels);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const a = t * Math.exp(-inc * i);
      out[t * channels + i] = Math.sin(a);
      out[t * channels + half + i] = Math.cos(a);
    }
  }
  return out;
}

/** The config a tiny model gets for `opts`. */
export function tinyWhisperConfig(opts: TinyWhisperOptions): WhisperConfig {
  const v = tinyWhisperVocab(opts.languages);
  const eot = v.get('<|endoftext|>')!;
  const frames = opts.frames ?? 100;
  if (frames % 2) throw new Error('tinyWhisper: frames must be even');
  return {
    modelType: 'whisper', dModel: opts.dModel ?? 32,
    encoderLayers: opts.encoderLayers ?? 2, decoderLayers: opts.decoderLayers ?? 2,
    encoderAttentionHeads: opts.heads ?? 4, decoderAttentionHeads: opts.heads ?? 4,
    encoderFfnDim: opts.ffnDim ?? 64, decoderFfnDim: opts.ffnDim ?? 64,
    numMelBins: opts.numMelBins ?? 80, maxSourcePositions: frames / 2, maxTargetPositions: opts.maxTargetPositions ?? 32,
    vocabSize: v.size, activationFunction: 'gelu', scaleEmbedding: false, tieWordEmbeddings: true,
    padTokenId: eot, bosTokenId: eot, eosTokenId: eot, decoderStartTokenId: v.get('<|startoftranscript|>')!,
  };
}

/** Random weights with HF names: linears ~ N(0, 1/in), norms near 1, sinusoidal encoder positions. */
export function tinyWhisperWeights(c: WhisperConfig, seed: number): Map<string, Float32Array> {
  const root = new Rng(seed);
  const out = new Map<string, Float32Array>();
  for (const { name, shape } of whisperWeightNames(c)) {
    const n = shape.reduce((p, q) => p * q, 1);
    const rng = root.fork(name);
    let data: Float32Array;
    if (name === 'model.encoder.embed_positions.weight') data = sinusoids(shape[0], shape[1]);
    else if (/layer_norm\.weight$/.test(name)) data = rng.normalArray(n, 1, 0.1);
    else if (name.endsWith('.bias')) data = rng.normalArray(n, 0, 0.05);
    else if (name === 'model.decoder.embed_tokens.weight') data = rng.normalArray(n, 0, 0.5);
    else if (name === 'model.decoder.embed_positions.weight') data = rng.normalArray(n, 0, 0.1);
    else data = rng.normalArray(n, 0, 1 / Math.sqrt(shape.slice(1).reduce((p, q) => p * q, 1)));
    out.set(name, data);
  }
  return out;
}

/** A byte-level BPE tokenizer.json over the tiny vocabulary, special tokens as added tokens. */
function tokenizerJson(vocab: Map<string, number>, special: string[]): unknown {
  const added = special.map((s) => ({ id: vocab.get(s)!, content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: Object.fromEntries(vocab), merges: MERGES,
    },
  };
}

const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;

/** Every file of a tiny random Whisper folder (write with `writeFolder`, or serve with `memorySource`). */
export function tinyWhisperFiles(opts: TinyWhisperOptions): Record<string, Uint8Array | string> {
  const langs = opts.languages ?? ['en', 'zh', 'de'];
  const c = tinyWhisperConfig(opts);
  const v = tinyWhisperVocab(langs);
  const id = (t: string) => v.get(t)!;
  const eot = id('<|endoftext|>');
  const weights = tinyWhisperWeights(c, opts.seed);
  const shapes = new Map(whisperWeightNames(c).map((s) => [s.name, s.shape]));
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, data] of weights) tensors[name] = { shape: shapes.get(name)!, data };
  const frames = 2 * c.maxSourcePositions;
  return {
    'config.json': json(toHfConfig(c)),
    'model.safetensors': writeSafetensors(tensors),
    'generation_config.json': json({
      bos_token_id: eot, eos_token_id: eot, pad_token_id: eot, decoder_start_token_id: c.decoderStartTokenId,
      is_multilingual: true,
      lang_to_id: Object.fromEntries(langs.map((l) => [`<|${l}|>`, id(`<|${l}|>`)])),
      task_to_id: { translate: id('<|translate|>'), transcribe: id('<|transcribe|>') },
      no_timestamps_token_id: id('<|notimestamps|>'), prev_sot_token_id: id('<|startofprev|>'),
      begin_suppress_tokens: [id('Ġ'), eot], suppress_tokens: [], max_length: c.maxTargetPositions,
    }),
    'preprocessor_config.json': json({
      feature_extractor_type: 'WhisperFeatureExtractor', processor_class: 'WhisperProcessor', feature_size: c.numMelBins,
      sampling_rate: 16000, hop_length: 160, n_fft: 400, chunk_length: (frames * 160) / 16000, n_samples: frames * 160,
      nb_max_frames: frames, padding_side: 'right', padding_value: 0, return_attention_mask: false,
    }),
    'tokenizer.json': json(tokenizerJson(v, specials(langs))),
    'tokenizer_config.json': json({
      tokenizer_class: 'WhisperTokenizer', bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>',
      unk_token: '<|endoftext|>', model_max_length: c.maxTargetPositions, clean_up_tokenization_spaces: false,
    }),
  };
}
