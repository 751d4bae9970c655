// Llama / Qwen2 config.json -> a validated, typed config (and back, for tiny test models).

/** A decoder-only LM of the Llama family (Llama, SmolLM, Qwen2). */
export interface LlamaConfig {
  modelType: 'llama' | 'qwen2';
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** Key/value heads (grouped-query attention); equals numHeads for plain multi-head attention. */
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositions: number;
  /** lm_head shares model.embed_tokens.weight. */
  tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections (Qwen2 always; Llama when attention_bias). */
  qkvBias: boolean;
  /** Bias on o_proj (Llama attention_bias). */
  oBias: boolean;
  /** Bias on gate/up/down projections (Llama mlp_bias). */
  mlpBias: boolean;
}

type Json = Record<string, unknown>;

function field(j: Json, name: string, kind: 'int' | 'number' | 'bool', fallback?: number | boolean): number | boolean {
  const v = j[name] ?? fallback;
  const bad = (): never => { throw new Error(`config.json: '${name}' must be ${kind === 'int' ? 'a positive integer' : kind === 'bool' ? 'a boolean' : 'a positive number'} (got ${JSON.stringify(j[name])})`); };
  if (v === undefined || v === null) bad();
  if (kind === 'bool') return typeof v === 'boolean' ? v : bad();
  if (typeof v !== 'number' || !(v > 0) || (kind === 'int' && !Number.isInteger(v))) bad();
  return v as number;
}

/** Parse a Llama or Qwen2 config.json; unsupported features throw naming the field. */
export function llamaFromHfConfig(json: unknown): LlamaConfig {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('config.json: not a JSON object');
  const j = json as Json;
  const modelType = j.model_type;
  if (modelType !== 'llama' && modelType !== 'qwen2') throw new Error(`config.json: model_type '${String(modelType)}' is not llama or qwen2`);
  const int = (n: string, d?: number) => field(j, n, 'int', d) as number;
  const num = (n: string, d?: number) => field(j, n, 'number', d) as number;
  const bool = (n: string, d: boolean) => field(j, n, 'bool', d) as boolean;

  const act = j.hidden_act ?? 'silu';
  if (act !== 'silu') throw new Error(`config.json: hidden_act '${String(act)}' is not supported (only 'silu')`);
  if (j.rope_scaling !== undefined && j.rope_scaling !== null) {
    throw new Error(`config.json: rope_scaling ${JSON.stringify(j.rope_scaling)} is not supported (only null)`);
  }
  // Newer transformers write RoPE settings as rope_parameters {rope_type, rope_theta}.
  let ropeTheta = num('rope_theta', 10000);
  const rp = j.rope_parameters;
  if (rp !== undefined && rp !== null) {
    const p = rp as Json;
    if (typeof p !== 'object' || (p.rope_type ?? 'default') !== 'default') {
      throw new Error(`config.json: rope_parameters ${JSON.stringify(rp)} is not supported (only rope_type 'default')`);
    }
    if (p.rope_theta !== undefined) ropeTheta = field(p, 'rope_theta', 'number') as number;
  }
  if (modelType === 'qwen2' && j.use_sliding_window === true) {
    throw new Error("config.json: use_sliding_window true is not supported (sliding-window attention)");
  }

  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) {
    throw new Error(`config.json: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  const defaultHeadDim = hiddenSize / numHeads;
  const headDim = j.head_dim === undefined || j.head_dim === null ? defaultHeadDim : int('head_dim');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new Error(`config.json: head_dim ${headDim} must be an even integer (RoPE)`);
  const attentionBias = bool('attention_bias', false);
  return {
    modelType,
    vocabSize: int('vocab_size'),
    hiddenSize,
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: num('rms_norm_eps', 1e-6),
    ropeTheta,
    maxPositions: int('max_position_embeddings', 2048),
    tieWordEmbeddings: bool('tie_word_embeddings', false),
    qkvBias: modelType === 'qwen2' ? true : attentionBias,
    oBias: modelType === 'qwen2' ? false : attentionBias,
    mlpBias: modelType === 'qwen2' ? false : bool('mlp_bias', false),
  };
}

/** The config.json an HF `save_pretrained` would write for `c` (tiny models, round trips). */
export function llamaToHfConfig(c: LlamaConfig): Json {
  const base: Json = {
    architectures: [c.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: c.modelType,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    max_position_embeddings: c.maxPositions,
    tie_word_embeddings: c.tieWordEmbeddings,
    torch_dtype: 'float32',
  };
  if (c.modelType === 'qwen2') return { ...base, use_sliding_window: false, sliding_window: null };
  if (c.qkvBias !== c.oBias) throw new Error('llama: attention_bias puts a bias on q, k, v and o alike');
  return { ...base, attention_bias: c.qkvBias, mlp_bias: c.mlpBias };
}
