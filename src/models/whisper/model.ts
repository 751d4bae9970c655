// Whisper as two graph builders: the encoder (log-mel features -> hidden states) and the decoder
// (encoder states + token ids -> logits), so a trainer can encode shared audio once and decode
// chosen and rejected transcripts against it. Semantics follow HF `modeling_whisper` in eval mode.
import { Graph, type Value, add, concat, conv1d, gather, mul, relu, reshape, slice, transpose } from '../../engine';
import { attention, causalMask, gelu, geluTanh, layerNorm, linear, paddingMask, silu } from '../../engine/nn';
import { type BuildContext, type CausalLmOutputs, type EncoderInputs, type LinearHook, type Seq2SeqDecoderInputs, type Seq2SeqDef, type WeightSpec } from '../types';
import { type WhisperActivation, type WhisperConfig, fromHfConfig } from './config';
import { weightInputs } from '../io/weights';
import { type LinearInfo, traceLinears } from '../lora/lora';

/** The output-head module name LoRA's `all-linear` leaves out (tied to `embed_tokens` unless config says otherwise). */
export const WHISPER_OUTPUT_MODULE = 'proj_out';

const LN_EPS = 1e-5; // nn.LayerNorm default, as HF Whisper uses

const act: Record<WhisperActivation, (x: Value) => Value> = {
  gelu, gelu_new: geluTanh, gelu_pytorch_tanh: geluTanh, relu, silu, swish: silu,
};

/** Every weight Whisper reads, with HF names and shapes (the tied output head is not listed). */
export function whisperWeightNames(c: WhisperConfig): WeightSpec[] {
  const d = c.dModel;
  const out: WeightSpec[] = [];
  const w = (name: string, ...shape: number[]) => out.push({ name, shape });
  const lin = (m: string, o: number, i: number, bias = true) => { w(`${m}.weight`, o, i); if (bias) w(`${m}.bias`, o); };
  const ln = (m: string) => { w(`${m}.weight`, d); w(`${m}.bias`, d); };
  const attn = (p: string) => {
    lin(`${p}.k_proj`, d, d, false); lin(`${p}.v_proj`, d, d); lin(`${p}.q_proj`, d, d); lin(`${p}.out_proj`, d, d);
  };
  w('model.encoder.conv1.weight', d, c.numMelBins, 3); w('model.encoder.conv1.bias', d);
  w('model.encoder.conv2.weight', d, d, 3); w('model.encoder.conv2.bias', d);
  w('model.encoder.embed_positions.weight', c.maxSourcePositions, d);
  for (let i = 0; i < c.encoderLayers; i++) {
    const p = `model.encoder.layers.${i}`;
    attn(`${p}.self_attn`); ln(`${p}.self_attn_layer_norm`);
    lin(`${p}.fc1`, c.encoderFfnDim, d); lin(`${p}.fc2`, d, c.encoderFfnDim); ln(`${p}.final_layer_norm`);
  }
  ln('model.encoder.layer_norm');
  w('model.decoder.embed_tokens.weight', c.vocabSize, d);
  w('model.decoder.embed_positions.weight', c.maxTargetPositions, d);
  for (let i = 0; i < c.decoderLayers; i++) {
    const p = `model.decoder.layers.${i}`;
    attn(`${p}.self_attn`); ln(`${p}.self_attn_layer_norm`);
    attn(`${p}.encoder_attn`); ln(`${p}.encoder_attn_layer_norm`);
    lin(`${p}.fc1`, c.decoderFfnDim, d); lin(`${p}.fc2`, d, c.decoderFfnDim); ln(`${p}.final_layer_norm`);
  }
  ln('model.decoder.layer_norm');
  if (!c.tieWordEmbeddings) w(`${WHISPER_OUTPUT_MODULE}.weight`, c.vocabSize, d);
  return out;
}

/** Shared helpers over one build context. */
function builder(ctx: BuildContext) {
  const hook: LinearHook = ctx.linearHook ?? ((_m, x, weight, bias) => linear(x, weight, bias));
  const W = ctx.weight;
  const lin = (m: string, x: Value, bias = true) => hook(m, x, W(`${m}.weight`), bias ? W(`${m}.bias`) : null);
  const ln = (m: string, x: Value) => layerNorm(x, W(`${m}.weight`), W(`${m}.bias`), LN_EPS);
  // [B, T, H*dh] <-> [B, H, T, dh]
  const heads = (x: Value, h: number, dh: number) => transpose(reshape(x, [0, 0, h, dh]), [0, 2, 1, 3]);
  const merge = (x: Value, d: number) => reshape(transpose(x, [0, 2, 1, 3]), [0, 0, d]);
  /** HF WhisperAttention: q scaled by dh^-0.5, k_proj without bias; `kv` is the key/value source. */
  const mha = (p: string, x: Value, kv: Value, h: number, mask: Value | null) => {
    const d = x.shape[2] as number;
    const dh = d / h;
    const q = heads(lin(`${p}.q_proj`, x), h, dh);
    const k = heads(lin(`${p}.k_proj`, kv, false), h, dh);
    const v = heads(lin(`${p}.v_proj`, kv), h, dh);
    return lin(`${p}.out_proj`, merge(attention(q, k, v, mask, 1 / Math.sqrt(dh)), d));
  };
  return { lin, ln, mha, W };
}

/**
 * Encoder: features [B, n_mels, T] -> hidden [B, ceil(T/2), d]. T must be fixed and at most
 * 2 * max_source_positions.
 * NOTE: HF insists on exactly 2 * max_source_positions frames (3000 for 30 s); shorter inputs
 * here use the first positions of the sinusoidal table, as OpenAI's reference slices it.
 */
export function whisperEncode(ctx: BuildContext, c: WhisperConfig, inputs: EncoderInputs): Value {
  const x = inputs.inputFeatures;
  const frames = x.shape[2];
  if (x.rank !== 3 || x.shape[1] !== c.numMelBins) throw new Error(`whisper encoder: features must be [B, ${c.numMelBins}, T], got [${x.shape.join(', ')}]`);
  if (typeof frames !== 'number') throw new Error('whisper encoder: the number of frames must be fixed');
  const s = Math.ceil(frames / 2);
  if (s > c.maxSourcePositions) throw new Error(`whisper encoder: ${frames} frames give ${s} positions, more than max_source_positions ${c.maxSourcePositions}`);
  const { ln, lin, mha, W } = builder(ctx);
  const e = 'model.encoder';
  // Conv stem (frozen, forward only): k3 pad 1, GELU, k3 stride 2 pad 1, GELU. HF uses exact GELU here.
  let h = gelu(conv1d(x, W(`${e}.conv1.weight`), W(`${e}.conv1.bias`), 1, 1));
  h = gelu(conv1d(h, W(`${e}.conv2.weight`), W(`${e}.conv2.bias`), 2, 1));
  h = transpose(h, [0, 2, 1]);
  h = add(h, slice(W(`${e}.embed_positions.weight`), [0], [s], [0]));
  const f = act[c.activationFunction];
  for (let i = 0; i < c.encoderLayers; i++) {
    const p = `${e}.layers.${i}`;
    const a = ln(`${p}.self_attn_layer_norm`, h);
    h = add(h, mha(`${p}.self_attn`, a, a, c.encoderAttentionHeads, null));
    h = add(h, lin(`${p}.fc2`, f(lin(`${p}.fc1`, ln(`${p}.final_layer_norm`, h)))));
  }
  return ln(`${e}.layer_norm`, h);
}

/**
 * Decoder: encoder states [B, S, d] + ids [B, L] (+ padding mask [B, L]) -> logits [B, L, V].
 * L must be fixed; positions are 0..L-1 for every row (HF's plain forward), so pad on the right.
 */
export function whisperDecode(ctx: BuildContext, c: WhisperConfig, inputs: Seq2SeqDecoderInputs): CausalLmOutputs {
  const { inputIds, encoderHidden, attentionMask } = inputs;
  const len = inputIds.shape[1];
  if (inputIds.rank !== 2 || typeof len !== 'number') throw new Error('whisper decoder: input ids must be [B, L] with L fixed');
  if (len > c.maxTargetPositions) throw new Error(`whisper decoder: ${len} tokens exceed max_target_positions ${c.maxTargetPositions}`);
  if (encoderHidden.rank !== 3 || encoderHidden.shape[2] !== c.dModel) throw new Error(`whisper decoder: encoder states must be [B, S, ${c.dModel}], got [${encoderHidden.shape.join(', ')}]`);
  const { ln, lin, mha, W } = builder(ctx);
  const g = inputIds.graph;
  const dd = 'model.decoder';
  const embed = W(`${dd}.embed_tokens.weight`);
  let h = gather(embed, inputIds, 0);
  if (c.scaleEmbedding) h = mul(h, Math.sqrt(c.dModel));
  h = add(h, slice(W(`${dd}.embed_positions.weight`), [0], [len], [0]));
  // Additive mask [.., L, L]: causal, plus padded keys when a mask is given.
  const causal = causalMask(g, len);
  const selfMask = attentionMask ? add(causal, paddingMask(attentionMask)) : causal;
  const f = act[c.activationFunction];
  for (let i = 0; i < c.decoderLayers; i++) {
    const p = `${dd}.layers.${i}`;
    const a = ln(`${p}.self_attn_layer_norm`, h);
    h = add(h, mha(`${p}.self_attn`, a, a, c.decoderAttentionHeads, selfMask));
    h = add(h, mha(`${p}.encoder_attn`, ln(`${p}.encoder_attn_layer_norm`, h), encoderHidden, c.decoderAttentionHeads, null));
    h = add(h, lin(`${p}.fc2`, f(lin(`${p}.fc1`, ln(`${p}.final_layer_norm`, h)))));
  }
  const hidden = ln(`${dd}.layer_norm`, h);
  const head = c.tieWordEmbeddings ? embed : W(`${WHISPER_OUTPUT_MODULE}.weight`);
  const hook: LinearHook = ctx.linearHook ?? ((_m, x, weight, bias) => linear(x, weight, bias));
  return { logits: hook(WHISPER_OUTPUT_MODULE, hidden, head, null), hidden };
}

/**
 * Encode once, decode several id batches against the same audio (chosen and rejected): the
 * batches are stacked along B so every decoder weight is read once; returns logits per batch.
 */
export function whisperDecodeShared(
  ctx: BuildContext, c: WhisperConfig, encoderHidden: Value, batches: { inputIds: Value; attentionMask?: Value | null }[],
): Value[] {
  if (batches.length === 1) return [whisperDecode(ctx, c, { encoderHidden, ...batches[0] }).logits];
  const ids = concat(batches.map((b) => b.inputIds), 0);
  const masks = batches.every((b) => b.attentionMask) ? concat(batches.map((b) => b.attentionMask!), 0) : null;
  if (!masks && batches.some((b) => b.attentionMask)) throw new Error('whisperDecodeShared: give a mask for every batch or for none');
  const enc = concat(batches.map(() => encoderHidden), 0);
  const { logits } = whisperDecode(ctx, c, { encoderHidden: enc, inputIds: ids, attentionMask: masks });
  const sizes = batches.map((b) => b.inputIds.shape[0]);
  if (!sizes.every((n): n is number => typeof n === 'number')) throw new Error('whisperDecodeShared: batch sizes must be fixed to split the logits');
  let at = 0;
  return sizes.map((n) => { const part = slice(logits, [at], [at + n], [0]); at += n; return part; });
}

/** Every linear layer (HF module name, in, out) in graph order, the output head last: what LoRA targets match. */
export function whisperLinears(c: WhisperConfig): LinearInfo[] {
  return traceLinears((linearHook) => {
    const g = new Graph('whisper-trace');
    const ctx: BuildContext = { graph: g, weight: weightInputs(g, whisperWeightNames(c)), linearHook };
    const enc = whisperEncode(ctx, c, { inputFeatures: g.input('features', 'float32', [1, c.numMelBins, 2]) });
    whisperDecode(ctx, c, { encoderHidden: enc, inputIds: g.input('ids', 'int32', [1, 1]) });
  });
}

/** The registry entry for `model_type: "whisper"`. */
export const whisperDef: Seq2SeqDef<WhisperConfig> = {
  kind: 'seq2seq',
  modelType: 'whisper',
  fromHfConfig,
  weightNames: whisperWeightNames,
  encode: whisperEncode,
  decode: whisperDecode,
};
