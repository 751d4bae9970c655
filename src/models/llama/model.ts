// The Llama / Qwen2 decoder as an engine graph, following HF modeling_llama / modeling_qwen2:
// embed -> N x [RMSNorm -> GQA attention with RoPE -> residual -> RMSNorm -> SwiGLU -> residual]
// -> RMSNorm -> lm_head (tied to the embeddings or not).
import {
  type Value, add, cast, concat, cos, gather, mul, neg, reshape, sin, slice, transpose, unsqueeze,
} from '../../engine';
import { attention, causalMask, linear, paddingMask, rmsNorm, silu } from '../../engine/nn';
import { type BuildContext, type CausalLmInputs, type CausalLmOutputs, type LinearHook, type WeightSpec } from '../types';
import { type LlamaConfig } from './config';

/** HF weight names and shapes of a Llama/Qwen2 checkpoint (lm_head only when untied). */
export function llamaWeightNames(c: LlamaConfig): WeightSpec[] {
  const H = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const out: WeightSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, H] }];
  const lin = (name: string, o: number, i: number, bias: boolean) => {
    out.push({ name: `${name}.weight`, shape: [o, i] });
    if (bias) out.push({ name: `${name}.bias`, shape: [o] });
  };
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    out.push({ name: `${p}.input_layernorm.weight`, shape: [H] });
    lin(`${p}.self_attn.q_proj`, q, H, c.qkvBias);
    lin(`${p}.self_attn.k_proj`, kv, H, c.qkvBias);
    lin(`${p}.self_attn.v_proj`, kv, H, c.qkvBias);
    lin(`${p}.self_attn.o_proj`, H, q, c.oBias);
    out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [H] });
    lin(`${p}.mlp.gate_proj`, c.intermediateSize, H, c.mlpBias);
    lin(`${p}.mlp.up_proj`, c.intermediateSize, H, c.mlpBias);
    lin(`${p}.mlp.down_proj`, H, c.intermediateSize, c.mlpBias);
  }
  out.push({ name: 'model.norm.weight', shape: [H] });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, H] });
  return out;
}

/** RoPE inverse frequencies theta^(-2i/d), i < d/2, rounded to float32 as HF computes them. */
export function ropeInvFreq(c: LlamaConfig): Float32Array {
  const half = c.headDim / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) out[i] = 1 / c.ropeTheta ** ((2 * i) / c.headDim);
  return out;
}

/**
 * cos and sin tables for RoPE, each broadcastable against [B, T, heads, D]: constants [T, 1, D]
 * for positions 0..T-1, or computed in the graph [B, T, 1, D] from position ids.
 */
function ropeTables(c: LlamaConfig, g: Value['graph'], T: number, positionIds: Value | null): [Value, Value] {
  const inv = ropeInvFreq(c);
  const D = c.headDim;
  if (!positionIds) {
    const cs = new Float32Array(T * D);
    const sn = new Float32Array(T * D);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < D / 2; i++) {
        const a = Math.fround(t * inv[i]); // HF forms the angle in float32
        cs[t * D + i] = cs[t * D + i + D / 2] = Math.cos(a);
        sn[t * D + i] = sn[t * D + i + D / 2] = Math.sin(a);
      }
    }
    return [g.constant({ dtype: 'float32', shape: [T, 1, D], data: cs }), g.constant({ dtype: 'float32', shape: [T, 1, D], data: sn })];
  }
  const pos = unsqueeze(cast(positionIds, 'float32'), [-1]); // [B, T, 1]
  const freqs = mul(pos, g.constant({ dtype: 'float32', shape: [D / 2], data: inv })); // [B, T, D/2]
  const emb = unsqueeze(concat([freqs, freqs], -1), [2]); // [B, T, 1, D]
  return [cos(emb), sin(emb)];
}

/** x * cos + rotate_half(x) * sin, rotate_half(x) = [-x2, x1] over halves of the last axis. */
function applyRope(x: Value, cs: Value, sn: Value, D: number): Value {
  const x1 = slice(x, [0], [D / 2], [-1]);
  const x2 = slice(x, [D / 2], [D], [-1]);
  return add(mul(x, cs), mul(concat([neg(x2), x1], -1), sn));
}

const plainLinear: LinearHook = (_name, x, w, b) => linear(x, w, b);

/** Emit the decoder forward: ids [B, T] -> logits [B, T, V]. T must be fixed (static shape buckets). */
export function llamaForward(ctx: BuildContext, c: LlamaConfig, inputs: CausalLmInputs): CausalLmOutputs {
  const { graph: g, weight: w } = ctx;
  const hook = ctx.linearHook ?? plainLinear;
  const ids = inputs.inputIds;
  const T = ids.shape[1];
  if (ids.rank !== 2 || typeof T !== 'number') throw new Error(`llama: input ids must be [B, T] with a fixed T (got [${ids.shape.join(', ')}])`);
  const { numHeads: Hq, numKvHeads: Hkv, headDim: D } = c;
  const rep = Hq / Hkv;
  const proj = (name: string, x: Value, bias: boolean) => hook(name, x, w(`${name}.weight`), bias ? w(`${name}.bias`) : null);

  const [cs, sn] = ropeTables(c, g, T, inputs.positionIds ?? null);
  // Additive mask: causal [T, T] (+ key padding [B, 1, 1, T]) -> rank 5 to broadcast against
  // the grouped scores [B, Hkv, rep, T, T].
  let mask = causalMask(g, T);
  if (inputs.attentionMask) mask = unsqueeze(add(mask, paddingMask(inputs.attentionMask)), [1]);

  let h = gather(w('model.embed_tokens.weight'), ids, 0); // [B, T, H]
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const x = rmsNorm(h, w(`${p}.input_layernorm.weight`), c.rmsNormEps);
    // NOTE: grouped-query attention without repeating k/v: q is viewed as [B, Hkv, rep, T, D] and
    // k, v as [B, Hkv, 1, T, D]; MatMul broadcasts the rep axis. Query head j = kv * rep + r uses
    // kv head j // rep, as HF's repeat_kv does.
    let q = applyRope(reshape(proj(`${p}.self_attn.q_proj`, x, c.qkvBias), [0, 0, Hq, D]), cs, sn, D);
    q = transpose(reshape(q, [0, 0, Hkv, rep, D]), [0, 2, 3, 1, 4]);
    const k = applyRope(reshape(proj(`${p}.self_attn.k_proj`, x, c.qkvBias), [0, 0, Hkv, D]), cs, sn, D);
    const v = reshape(proj(`${p}.self_attn.v_proj`, x, c.qkvBias), [0, 0, Hkv, D]);
    const kT = unsqueeze(transpose(k, [0, 2, 1, 3]), [2]);
    const vT = unsqueeze(transpose(v, [0, 2, 1, 3]), [2]);
    const o = attention(q, kT, vT, mask, 1 / Math.sqrt(D)); // [B, Hkv, rep, T, D]
    const merged = reshape(transpose(o, [0, 3, 1, 2, 4]), [0, 0, Hq * D]);
    h = add(h, proj(`${p}.self_attn.o_proj`, merged, c.oBias));

    const y = rmsNorm(h, w(`${p}.post_attention_layernorm.weight`), c.rmsNormEps);
    const act = mul(silu(proj(`${p}.mlp.gate_proj`, y, c.mlpBias)), proj(`${p}.mlp.up_proj`, y, c.mlpBias));
    h = add(h, proj(`${p}.mlp.down_proj`, act, c.mlpBias));
  }
  const hidden = rmsNorm(h, w('model.norm.weight'), c.rmsNormEps);
  const head = w(c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  return { logits: hook('lm_head', hidden, head, null), hidden };
}
