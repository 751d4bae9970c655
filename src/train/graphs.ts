// The graphs of a run: the reference pass (adapter off, forward only), the training loss (policy +
// objective, optionally with the reference in the same graph) and evaluation (the loss without
// gradients). Weights are graph inputs by HF name, so one set of (GPU) tensors feeds every session.
import { Graph, type Value } from '../engine';
import { type InputSpec, type TrainStepSpec } from '../engine/train-step';
import { type AttachOptions, type DropoutInput, type LoraAdapter, attachLora } from '../models/lora';
import { type BuildContext, type WeightSpec } from '../models/types';
import { weightInputs } from '../models/io';
import { stopGradient } from './losses';
import { type ObjectiveConfig, needsReference, objective } from './objective';
import { type BatchLayout, PAIRS, type PolicyModel, declarePolicyInputs, policyForward, policyInputSpecs, policyInputsOf, rowLogps, splitRows } from './policy';

/** Input names of the reference log-probs fed to training and evaluation graphs. */
export const REF_INPUTS = { chosen: 'ref_chosen_logps', rejected: 'ref_rejected_logps' } as const;

/** The reference weights' input names when the reference runs inside a full fine-tuning graph. */
export const refWeightName = (hfName: string): string => `ref.${hfName}`;

/** Forward only, no adapter: the summed completion log-probs of the chosen and the rejected rows. */
export function buildReferenceGraph(model: PolicyModel, specs: readonly WeightSpec[], layout: BatchLayout): Graph {
  const g = new Graph('reference_logps');
  const x = declarePolicyInputs(g, layout);
  const f = policyForward({ graph: g, weight: weightInputs(g, specs) }, model, x, layout);
  const [c, r] = splitRows(rowLogps(f, x.completionMask));
  g.output(REF_INPUTS.chosen, c);
  g.output(REF_INPUTS.rejected, r);
  return g;
}

/** How the loss graph gets its reference log-probs. */
export type ReferenceMode =
  | 'none' // ORPO, SFT
  | 'inputs' // precomputed, fed per batch
  | 'adapter-off' // LoRA: a second forward without the hook on the same weights
  | 'weights'; // full fine-tuning: a second forward on the initial weights (`ref.<name>` inputs)

/** Everything the loss graph needs to know. */
export interface LossSetup {
  model: PolicyModel;
  layout: BatchLayout;
  objective: ObjectiveConfig;
  reference: ReferenceMode;
  adapter: LoraAdapter | null;
}

/** Emit policy forward + objective into `g`. `weight` gives base (or trained) weights; `lora` the A/B values. */
function emitLoss(
  g: Graph, s: LossSetup, batch: Record<string, Value>, weight: (n: string) => Value, refWeight: ((n: string) => Value) | null,
  lora: { params: AttachOptions['params']; dropout: boolean } | null,
): { loss: Value; metrics: Record<string, Value>; dropoutInputs: DropoutInput[] } {
  const x = policyInputsOf(batch);
  let dropoutInputs: DropoutInput[] = [];
  const ctx: BuildContext = { graph: g, weight };
  if (s.adapter && lora) {
    const att = attachLora(s.adapter, g, { params: lora.params, dropout: lora.dropout });
    ctx.linearHook = att.hook;
    dropoutInputs = att.dropoutInputs;
  }
  const f = policyForward(ctx, s.model, x, s.layout, { tokenMetrics: s.objective.trainer === 'sft' });
  let refChosen: Value | undefined;
  let refRejected: Value | undefined;
  if (s.reference === 'inputs') {
    refChosen = batch[REF_INPUTS.chosen];
    refRejected = batch[REF_INPUTS.rejected];
  } else if (s.reference === 'adapter-off' || s.reference === 'weights') {
    const w = s.reference === 'weights' ? refWeight : weight;
    if (!w) throw new Error('the reference pass needs reference weights');
    const rf = policyForward({ graph: g, weight: w }, s.model, x, s.layout);
    [refChosen, refRejected] = splitRows(rowLogps(rf, x.completionMask)).map(stopGradient);
  }
  const out = objective(s.objective, { forward: f, inputs: x, refChosen, refRejected, encoderDecoder: s.model.def.kind === 'seq2seq' });
  return { ...out, dropoutInputs };
}

/** Batch input specs of the loss graph (policy inputs plus reference log-probs when fed). */
export function lossBatchSpecs(s: LossSetup): Record<string, InputSpec> {
  const specs = policyInputSpecs(s.layout);
  if (s.reference === 'inputs') {
    specs[REF_INPUTS.chosen] = { dtype: 'float32', shape: [PAIRS] };
    specs[REF_INPUTS.rejected] = { dtype: 'float32', shape: [PAIRS] };
  }
  return specs;
}

/** The training-step spec: trainable params (LoRA keys or HF names), frozen weights, the loss. */
export function trainSpec(
  s: LossSetup, specs: readonly WeightSpec[], trainable: ReadonlyMap<string, number[]>,
): { spec: TrainStepSpec; dropoutInputs: () => DropoutInput[] } {
  if (needsReference(s.objective.trainer) === (s.reference === 'none')) throw new Error(`trainer ${s.objective.trainer}: reference mode '${s.reference}' does not fit`);
  const shapes = new Map(specs.map((w) => [w.name, w.shape]));
  const frozen: Record<string, InputSpec> = {};
  for (const w of specs) if (!trainable.has(w.name)) frozen[w.name] = { dtype: 'float32', shape: w.shape };
  if (s.reference === 'weights') for (const w of specs) frozen[refWeightName(w.name)] = { dtype: 'float32', shape: w.shape };
  let dropout: DropoutInput[] = [];
  const spec: TrainStepSpec = {
    params: Object.fromEntries([...trainable].map(([n, shape]) => [n, { dtype: 'float32', shape }])),
    frozen,
    batch: lossBatchSpecs(s),
    loss: ({ graph, params, frozen: fz, batch }) => {
      const weight = (n: string): Value => {
        const v = s.adapter ? fz[n] : params[n] ?? fz[n];
        if (!v) throw new Error(`weight '${n}' is not among the model's weights${shapes.has(n) ? '' : ' (unknown name)'}`);
        return v;
      };
      const refWeight = s.reference === 'weights' ? (n: string) => fz[refWeightName(n)] : null;
      const out = emitLoss(graph, s, batch, weight, refWeight, s.adapter ? { params: (k) => params[k], dropout: true } : null);
      dropout = out.dropoutInputs;
      return { loss: out.loss, metrics: out.metrics };
    },
  };
  return { spec, dropoutInputs: () => dropout };
}

/** Evaluation: the loss and metrics, no gradients; LoRA A/B are inputs by PEFT key, weights by HF name. */
export function buildEvalGraph(s: LossSetup, specs: readonly WeightSpec[]): { graph: Graph; metricNames: string[] } {
  const g = new Graph('eval_loss');
  const batch = Object.fromEntries(Object.entries(lossBatchSpecs(s)).map(([n, t]) => [n, g.input(n, t.dtype, t.shape)]));
  const weight = weightInputs(g, specs);
  const refWeight = s.reference === 'weights'
    ? weightInputs(g, specs.map((w) => ({ name: refWeightName(w.name), shape: w.shape })))
    : null;
  const refAccess = refWeight ? (n: string) => refWeight(refWeightName(n)) : null;
  const { loss, metrics } = emitLoss(g, s, batch, weight, refAccess, s.adapter ? { params: 'inputs', dropout: false } : null);
  g.output('loss', loss);
  for (const [n, v] of Object.entries(metrics)) g.output(n, v);
  return { graph: g, metricNames: ['loss', ...Object.keys(metrics)] };
}
