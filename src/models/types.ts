// The model interface trainers use: a model def turns an HF config into a typed config, names its
// weights, and emits its forward pass into an engine Graph. Weights come from a caller-supplied
// accessor (graph inputs fed from the GPU, constants in tests); every linear layer goes through one
// hook so LoRA can wrap it without touching model code.
import { type Graph, type Value, slice } from '../engine';
import { tokenLogProbs } from '../engine/nn';

/** config.json `model_type` values we support. */
export type ModelType = 'llama' | 'qwen2' | 'whisper';

/** One weight as the HF checkpoint names and shapes it (row-major, PyTorch layout). */
export interface WeightSpec {
  /** HF name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  shape: number[];
}

/** Resolve an HF weight name to a graph Value (a graph input, an initializer, ...). */
export type WeightAccessor = (hfName: string) => Value;

/**
 * Computes one linear layer `y = x W^T + b`. `moduleName` is the HF module path without the
 * `.weight` suffix (`model.layers.0.self_attn.q_proj`, `lm_head`); `weight` is [out, in].
 * The default is `engine/nn` `linear`; LoRA replaces it to add `B(A x) * s` on matching modules.
 */
export type LinearHook = (moduleName: string, x: Value, weight: Value, bias: Value | null) => Value;

/** What every graph builder receives. */
export interface BuildContext {
  graph: Graph;
  /** Where weights come from (see `io/weights.ts` for inputs and constants). */
  weight: WeightAccessor;
  /** Intercepts every linear layer; defaults to a plain linear. */
  linearHook?: LinearHook;
}

/** Batch inputs of a decoder-only LM. */
export interface CausalLmInputs {
  /** Token ids [B, T] (int32 preferred on WebGPU, int64 accepted). T must be fixed. */
  inputIds: Value;
  /** 1 for real tokens, 0 for padding, [B, T] (int32, int64, float32 or bool). Omitted: no padding. */
  attentionMask?: Value | null;
  /**
   * Positions [B, T] (int32 or int64). Omitted: 0..T-1 for every row, as HF does in a plain forward
   * (correct for right padding; with left padding pass `cumsum(mask) - 1` to match HF generate).
   */
  positionIds?: Value | null;
}

/** Outputs of a decoder-only LM forward. */
export interface CausalLmOutputs {
  /**
   * Next-token logits [B, T, V] (float32): logits[:, t] predicts token t + 1. Values at padded
   * positions are unspecified (a left-pad query sees only masked keys): mask them out.
   */
  logits: Value;
  /** Final hidden states after the last norm [B, T, H]. */
  hidden: Value;
}

/** Batch inputs of an encoder (Whisper: log-mel features [B, n_mels, frames]). */
export interface EncoderInputs {
  inputFeatures: Value;
}

/** Batch inputs of a decoder that attends to encoder states. */
export interface Seq2SeqDecoderInputs {
  /** Encoder output [B, S, H]. */
  encoderHidden: Value;
  /** Decoder token ids [B, T]. */
  inputIds: Value;
  /** Decoder padding mask [B, T]; omitted: no padding. */
  attentionMask?: Value | null;
}

/** Fields every model def carries. */
interface ModelDefBase<C> {
  modelType: ModelType;
  /** Parse and validate config.json; throws naming the offending field. */
  fromHfConfig(json: unknown): C;
  /** Every weight the graph reads, with HF names and shapes (tied weights listed once). */
  weightNames(config: C): WeightSpec[];
  /** Module name of the output head that LoRA's `all-linear` skips; 'lm_head' when omitted. */
  outputModule?: string;
}

/** A decoder-only LM (Llama, Qwen2, ...). */
export interface CausalLmDef<C = unknown> extends ModelDefBase<C> {
  kind: 'causal-lm';
  /** Emit the forward pass: ids -> logits. */
  forward(ctx: BuildContext, config: C, inputs: CausalLmInputs): CausalLmOutputs;
}

/** An encoder-decoder model (Whisper): features -> encoder states -> decoder logits. */
export interface Seq2SeqDef<C = unknown> extends ModelDefBase<C> {
  kind: 'seq2seq';
  /** Emit the encoder: features -> hidden states [B, S, H]. */
  encode(ctx: BuildContext, config: C, inputs: EncoderInputs): Value;
  /** Emit the decoder: encoder states + ids -> logits [B, T, V]. */
  decode(ctx: BuildContext, config: C, inputs: Seq2SeqDecoderInputs): CausalLmOutputs;
}

// NOTE: defs are declared with method syntax, so a CausalLmDef<LlamaConfig> is assignable to
// CausalLmDef<unknown> (method parameters are bivariant). Callers that hold a registry entry
// must pass it a config the same def produced with fromHfConfig.
/** Any model def the registry holds. */
export type ModelDef = CausalLmDef | Seq2SeqDef;

/**
 * log p(ids[:, t+1] | ids[:, <=t]) for t < T-1: [B, T-1], from logits [B, T, V] and ids [B, T].
 * Mask it with attention_mask[:, 1:] (and a completion mask) before summing.
 */
export function nextTokenLogProbs(logits: Value, inputIds: Value): Value {
  const T = inputIds.shape[1];
  if (typeof T !== 'number') throw new Error('nextTokenLogProbs needs a fixed sequence length');
  return tokenLogProbs(slice(logits, [0], [T - 1], [1]), slice(inputIds, [1], [T], [1]));
}
