// Whisper's config.json, parsed and checked: only the fields the graph and the prompt need.

/** Activations Whisper checkpoints use in their feed-forward blocks (HF `ACT2FN` names). */
export type WhisperActivation = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu' | 'silu' | 'swish';

/** A Whisper encoder-decoder as config.json describes it (HF `WhisperConfig`). */
export interface WhisperConfig {
  modelType: 'whisper';
  dModel: number;
  encoderLayers: number;
  decoderLayers: number;
  encoderAttentionHeads: number;
  decoderAttentionHeads: number;
  encoderFfnDim: number;
  decoderFfnDim: number;
  numMelBins: number;
  /** Encoder positions (frames after the stride-2 conv): 1500 for 30 s. */
  maxSourcePositions: number;
  /** Decoder positions: 448 for the released checkpoints. */
  maxTargetPositions: number;
  vocabSize: number;
  activationFunction: WhisperActivation;
  /** Multiply token embeddings by sqrt(d_model). */
  scaleEmbedding: boolean;
  /** Logits use `model.decoder.embed_tokens.weight` (true) or a separate `proj_out.weight`. */
  tieWordEmbeddings: boolean;
  padTokenId: number;
  bosTokenId: number;
  eosTokenId: number;
  decoderStartTokenId: number;
}

const ACTIVATIONS: readonly WhisperActivation[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu', 'silu', 'swish'];

type Json = Record<string, unknown>;

function int(c: Json, key: string, fallback?: number): number {
  const v = c[key] ?? fallback;
  if (v === undefined) throw new Error(`whisper config: '${key}' is missing`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`whisper config: '${key}' must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function positive(c: Json, key: string, fallback?: number): number {
  const v = int(c, key, fallback);
  if (v === 0) throw new Error(`whisper config: '${key}' must be positive`);
  return v;
}

function bool(c: Json, key: string, fallback: boolean): boolean {
  const v = c[key] ?? fallback;
  if (typeof v !== 'boolean') throw new Error(`whisper config: '${key}' must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Parse config.json of a Whisper checkpoint; throws naming the offending field. Defaults follow HF's WhisperConfig. */
export function fromHfConfig(json: unknown): WhisperConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('whisper config: config.json must be an object');
  const c = json as Json;
  if (c.model_type !== undefined && c.model_type !== 'whisper') throw new Error(`whisper config: model_type is '${String(c.model_type)}', expected 'whisper'`);
  const act = c.activation_function ?? 'gelu';
  if (typeof act !== 'string' || !ACTIVATIONS.includes(act as WhisperActivation)) {
    throw new Error(`whisper config: activation_function '${String(act)}' is not supported (${ACTIVATIONS.join(', ')})`);
  }
  const cfg: WhisperConfig = {
    modelType: 'whisper',
    dModel: positive(c, 'd_model'),
    encoderLayers: positive(c, 'encoder_layers'),
    decoderLayers: positive(c, 'decoder_layers'),
    encoderAttentionHeads: positive(c, 'encoder_attention_heads'),
    decoderAttentionHeads: positive(c, 'decoder_attention_heads'),
    encoderFfnDim: positive(c, 'encoder_ffn_dim'),
    decoderFfnDim: positive(c, 'decoder_ffn_dim'),
    numMelBins: positive(c, 'num_mel_bins', 80),
    maxSourcePositions: positive(c, 'max_source_positions', 1500),
    maxTargetPositions: positive(c, 'max_target_positions', 448),
    vocabSize: positive(c, 'vocab_size'),
    activationFunction: act as WhisperActivation,
    scaleEmbedding: bool(c, 'scale_embedding', false),
    tieWordEmbeddings: bool(c, 'tie_word_embeddings', true),
    padTokenId: int(c, 'pad_token_id', 50256),
    bosTokenId: int(c, 'bos_token_id', 50256),
    eosTokenId: int(c, 'eos_token_id', 50256),
    decoderStartTokenId: int(c, 'decoder_start_token_id', 50257),
  };
  if (cfg.dModel % cfg.encoderAttentionHeads) throw new Error(`whisper config: d_model ${cfg.dModel} is not divisible by encoder_attention_heads ${cfg.encoderAttentionHeads}`);
  if (cfg.dModel % cfg.decoderAttentionHeads) throw new Error(`whisper config: d_model ${cfg.dModel} is not divisible by decoder_attention_heads ${cfg.decoderAttentionHeads}`);
  for (const k of ['padTokenId', 'bosTokenId', 'eosTokenId', 'decoderStartTokenId'] as const) {
    if (cfg[k] >= cfg.vocabSize) throw new Error(`whisper config: ${k} ${cfg[k]} is outside the vocabulary (vocab_size ${cfg.vocabSize})`);
  }
  return cfg;
}

/** The config.json fields for `cfg` (what `fromHfConfig` reads back), for writing tiny models. */
export function toHfConfig(cfg: WhisperConfig): Record<string, unknown> {
  return {
    architectures: ['WhisperForConditionalGeneration'],
    model_type: 'whisper',
    d_model: cfg.dModel,
    encoder_layers: cfg.encoderLayers,
    decoder_layers: cfg.decoderLayers,
    encoder_attention_heads: cfg.encoderAttentionHeads,
    decoder_attention_heads: cfg.decoderAttentionHeads,
    encoder_ffn_dim: cfg.encoderFfnDim,
    decoder_ffn_dim: cfg.decoderFfnDim,
    num_mel_bins: cfg.numMelBins,
    max_source_positions: cfg.maxSourcePositions,
    max_target_positions: cfg.maxTargetPositions,
    vocab_size: cfg.vocabSize,
    activation_function: cfg.activationFunction,
    scale_embedding: cfg.scaleEmbedding,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    pad_token_id: cfg.padTokenId,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    decoder_start_token_id: cfg.decoderStartTokenId,
    torch_dtype: 'float32',
  };
}
