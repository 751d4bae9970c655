// Tiny Llama/Qwen2 models with seeded random weights, as the files of a real HF folder
// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json),
// so tests and the demo load them through the same loader as downloaded checkpoints.
import { Rng } from '../../engine/random';
import { writeSafetensors } from '../io/safetensors';
import { type LlamaConfig, llamaToHfConfig } from './config';
import { llamaWeightNames } from './model';

/** Tiny presets: a Llama with GQA and tied embeddings, and a Qwen2 with q/k/v bias. */
export const TINY_CONFIGS = {
  llama: {
    modelType: 'llama', vocabSize: 260, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2,
    headDim: 8, rmsNormEps: 1e-6, ropeTheta: 10000, maxPositions: 256, tieWordEmbeddings: true,
    qkvBias: false, oBias: false, mlpBias: false,
  },
  qwen2: {
    modelType: 'qwen2', vocabSize: 260, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2,
    headDim: 8, rmsNormEps: 1e-6, ropeTheta: 1e6, maxPositions: 256, tieWordEmbeddings: true,
    qkvBias: true, oBias: false, mlpBias: false,
  },
} as const satisfies Record<string, LlamaConfig>;

/** Special tokens of the tiny byte-level tokenizer: ids 256.. after the 256 byte symbols. */
export const TINY_SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/** Seeded weights: U(-1/sqrt(in), 1/sqrt(in)) linears, U(-1, 1) embeddings, norms near 1. */
export function tinyLlamaWeights(c: LlamaConfig, seed: number): Map<string, Float32Array> {
  const root = new Rng(seed);
  const out = new Map<string, Float32Array>();
  for (const { name, shape } of llamaWeightNames(c)) {
    const rng = root.fork(name); // each tensor its own stream: adding one never moves another
    const n = shape.reduce((p, q) => p * q, 1);
    if (name.endsWith('norm.weight')) out.set(name, rng.uniformArray(n, 0.8, 1.2));
    else if (name === 'model.embed_tokens.weight') out.set(name, rng.uniformArray(n, -1, 1));
    else {
      const a = 1 / Math.sqrt(name.endsWith('.bias') ? c.hiddenSize : shape[1]);
      out.set(name, rng.uniformArray(n, -a, a));
    }
  }
  return out;
}

/** GPT-2's byte -> unicode symbol map (printable bytes map to themselves). */
export function byteSymbols(): string[] {
  const keep: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b);
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b);
  for (let b = 0xae; b <= 0xff; b++) keep.push(b);
  const sym: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) sym[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return sym;
}

/** A byte-level BPE tokenizer.json without merges: every byte is a token, so any text encodes. */
export function tinyTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteSymbols().forEach((s, i) => { vocab[s] = i; });
  TINY_SPECIALS.forEach((s, i) => { vocab[s] = 256 + i; });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: TINY_SPECIALS.map((s, i) => ({ id: 256 + i, content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
}

const CHATML = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Every file of a tiny HF folder for `c` with weights from `seed` (vocabSize must be >= 259). */
export function tinyLlamaFolder(c: LlamaConfig, seed: number): Record<string, Uint8Array | string> {
  if (c.vocabSize < 256 + TINY_SPECIALS.length) throw new Error(`tiny model: vocab_size ${c.vocabSize} is smaller than the byte tokenizer (259)`);
  const eos = 256;
  const weights = tinyLlamaWeights(c, seed);
  const shapes = new Map(llamaWeightNames(c).map((s) => [s.name, s.shape]));
  const tensors = Object.fromEntries([...weights].map(([n, data]) => [n, { shape: shapes.get(n)!, data }]));
  const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
  return {
    'config.json': json({ ...llamaToHfConfig(c), bos_token_id: null, eos_token_id: eos, pad_token_id: eos }),
    'generation_config.json': json({ eos_token_id: [eos, 258], pad_token_id: eos }),
    'model.safetensors': writeSafetensors(tensors),
    'tokenizer.json': json(tinyTokenizerJson()),
    'tokenizer_config.json': json({
      bos_token: null, eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', clean_up_tokenization_spaces: false,
      model_max_length: c.maxPositions, chat_template: CHATML, tokenizer_class: 'PreTrainedTokenizerFast',
    }),
  };
}
