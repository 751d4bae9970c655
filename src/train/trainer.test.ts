// The trainer's behaviour on the tiny golden models: reference log-probs, output folders that
// reload, resume equivalence, stopping, logging windows, gradient accumulation, full fine-tuning.
import { describe, expect, it } from 'vitest';
import { Graph, GraphSession, type Tensor, readFloat, tensor } from '../engine';
import { type FileSource, weightInputs } from '../models/io';
import { folderSource } from '../models/io/file-source-node';
import { type LoraAdapter, attachLora, loadPeftAdapter } from '../models/lora';
import { loadModel } from '../models/registry';
import {
  ADAPTER_DIRS, MODEL_DIRS, examplesOf, firstStep, golden, loadAudio, wasm,
} from '../../tests/golden/train/golden';
import { type TrainConfigInput, parseTrainConfig } from './config';
import { FeatureSource, batchLayout, buildBatch, prepareExample, runLength, sequentialBatches } from './data';
import { buildReferenceGraph } from './graphs';
import { type LogEntry, type MemorySink, type TrainExample, memorySink } from './io';
import { declarePolicyInputs, policyForward, rowLogps, splitRows } from './policy';
import { type ModelSetup, loadSetup } from './setup';
import { type TrainSummary, train } from './trainer';

type Kind = 'llama' | 'whisper';
const base = { model_name_or_path: 'tiny', dataset_name: 'golden', output_dir: 'out' };
const setupOf = (k: Kind) => loadSetup(folderSource(MODEL_DIRS[k]), { language: 'en', task: 'transcribe', max_length: 1024 });

/** `n` examples cycling through the generator's records. */
function examples(k: Kind, n: number): TrainExample[] {
  const xs = examplesOf(golden[k].examples);
  return [...Array(n).keys()].map((i) => ({ ...xs[i % xs.length], id: `e${i}` }));
}

async function run(k: Kind, cfg: TrainConfigInput | object, o: { xs?: TrainExample[]; evalXs?: TrainExample[]; resume?: FileSource; adapter?: FileSource; stopAfter?: number; out?: MemorySink } = {}) {
  const out = o.out ?? memorySink();
  const logs: LogEntry[] = [];
  let steps = 0;
  const summary: TrainSummary = await train(parseTrainConfig({ ...base, ...cfg }), {
    ort: wasm(), backend: 'wasm', model: folderSource(MODEL_DIRS[k]), examples: o.xs ?? examples(k, 3), evalExamples: o.evalXs, loadAudio,
    adapter: o.adapter, resume: o.resume, output: out, onLog: (e) => logs.push(e),
    onProgress: (p) => { if (p.phase === 'train') steps = p.step; }, shouldStop: () => o.stopAfter !== undefined && steps >= o.stopAfter,
  });
  return { out, logs, summary, train: logs.filter((e) => 'loss' in e) };
}

/** Summed completion log-probs of every row under a policy with `adapter` baked in (null: the base model). */
async function rowLogpsOf(s: ModelSetup, k: Kind, xs: TrainExample[], adapter: LoraAdapter | null): Promise<{ chosen: number[]; rejected: number[] }> {
  const prepared = xs.map((x, i) => prepareExample(x, i, s, parseTrainConfig(base), 'pairs'));
  const layout = batchLayout('pairs', runLength([prepared], s), s, prepared);
  const g = new Graph('check');
  const x = declarePolicyInputs(g, layout);
  const hook = adapter ? attachLora(adapter, g, { params: 'constants' }).hook : undefined;
  const f = policyForward({ graph: g, weight: weightInputs(g, s.specs), linearHook: hook }, s.model, x, layout);
  const [c, r] = splitRows(rowLogps(f, x.completionMask));
  g.output('c', c);
  g.output('r', r);
  const ort = wasm();
  const session = await GraphSession.create(ort, g, { backend: 'wasm' });
  const b = await buildBatch(prepared, sequentialBatches(xs.length, xs.length)[0], layout, s.padId, k === 'whisper' ? new FeatureSource(s, loadAudio) : null);
  const feeds: Record<string, Tensor> = {};
  for (const [n, h] of Object.entries(b.feeds)) feeds[n] = tensor(ort, h.dtype, h.data, h.dims);
  for (const w of s.specs) feeds[w.name] = tensor(ort, 'float32', s.weights.get(w.name)!, w.shape);
  const res = await session.run(Object.fromEntries(Object.entries(feeds).filter(([n]) => session.session.inputNames.includes(n))));
  await session.release();
  return { chosen: [...(await readFloat(res.c))], rejected: [...(await readFloat(res.r))] };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const close = (got: number, want: number, rtol = 1e-4, atol = 1e-5) => {
  if (!(Math.abs(got - want) <= rtol * Math.abs(want) + atol)) throw new Error(`got ${got}, want ${want}`);
};

describe('reference log-probs', () => {
  for (const k of ['llama', 'whisper'] as const) {
    it(`${k}: the reference graph gives the base model's log-probs (adapter off) per example`, async () => {
      const s = await setupOf(k);
      const xs = examplesOf(golden[k].examples);
      const prepared = xs.map((x, i) => prepareExample(x, i, s, parseTrainConfig(base), 'pairs'));
      const layout = batchLayout('pairs', runLength([prepared], s), s, prepared);
      const ort = wasm();
      const session = await GraphSession.create(ort, buildReferenceGraph(s.model, s.specs, layout), { backend: 'wasm' });
      // Batches of 2: the second is the smaller last batch (the symbolic row dim).
      const got: { chosen: number[]; rejected: number[] } = { chosen: [], rejected: [] };
      for (const idx of sequentialBatches(xs.length, 2)) {
        const b = await buildBatch(prepared, idx, layout, s.padId, k === 'whisper' ? new FeatureSource(s) : null);
        const feeds = { ...Object.fromEntries(s.specs.map((w) => [w.name, tensor(ort, 'float32', s.weights.get(w.name)!, w.shape)])) };
        for (const [n, h] of Object.entries(b.feeds)) feeds[n] = tensor(ort, h.dtype, h.data, h.dims);
        const res = await session.run(feeds);
        got.chosen.push(...(await readFloat(res.ref_chosen_logps)));
        got.rejected.push(...(await readFloat(res.ref_rejected_logps)));
      }
      await session.release();
      const want = golden[k].ref_logps;
      got.chosen.forEach((v, i) => close(v, want.chosen[i]));
      got.rejected.forEach((v, i) => close(v, want.rejected[i]));
    });

    it(`${k}: precomputed and in-graph references give the same first step (LoRA: adapter off; full: initial weights)`, async () => {
      for (const name of ['dpo/sigmoid', 'full/dpo']) {
        const c = golden[k].cases.find((x) => x.name === name)!;
        const pre = await firstStep(k, c);
        const inGraph = await firstStep(k, c, { precompute_ref_log_probs: false });
        for (const key of ['loss', 'grad_norm', 'rewards/chosen', 'rewards/margins', 'logps/chosen', 'logps/rejected']) close(inGraph[key], pre[key], 1e-5, 1e-6);
        close(pre.loss, c.expected.loss);
      }
    });

    it(`${k}: a fresh adapter (B = 0) starts at the reference: rewards are 0, logps the base model's`, async () => {
      const { train: logs } = await run(k, { use_peft: true, per_device_train_batch_size: 3, max_steps: 1, logging_steps: 1, lora_r: 4, seed: 3 });
      const e = logs[0];
      for (const key of ['rewards/chosen', 'rewards/rejected', 'rewards/margins']) expect(Math.abs(e[key])).toBeLessThan(1e-5);
      close(e['logps/chosen'], mean(golden[k].ref_logps.chosen));
      close(e['logps/rejected'], mean(golden[k].ref_logps.rejected));
      close(e.loss, Math.LN2, 1e-6);
      expect(e.grad_norm).toBeGreaterThan(0); // B = 0 still gets a gradient through A x
    });
  }
});

describe('output folder', () => {
  for (const k of ['llama', 'whisper'] as const) {
    it(`${k}: a 2-step run writes adapter, metrics.jsonl, trainer_state.json and checkpoint-2; the adapter reloads to the trained log-probs`, async () => {
      const xs = examples(k, 3);
      const { out, logs, summary } = await run(k, {
        use_peft: true, lora_r: 4, lora_alpha: 8, lora_dropout: 0.1, learning_rate: 0.05, per_device_train_batch_size: 2, max_steps: 2,
        logging_steps: 1, save_steps: 100, eval_steps: 2, seed: 5,
      }, { xs, evalXs: xs });
      expect(summary).toMatchObject({ globalStep: 2, totalSteps: 2, stopped: false, reference: 'inputs' });
      for (const f of ['adapter_config.json', 'adapter_model.safetensors', 'metrics.jsonl', 'trainer_state.json', 'training_args.json',
        'checkpoint-2/adapter_model.safetensors', 'checkpoint-2/optimizer.safetensors', 'checkpoint-2/trainer_state.json', 'checkpoint-2/rng_state.json']) {
        expect(out.files.has(f), f).toBe(true);
      }
      const cfg = JSON.parse(out.text('adapter_config.json')) as Record<string, unknown>;
      expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, lora_dropout: 0.1, target_modules: ['q_proj', 'v_proj'], task_type: k === 'llama' ? 'CAUSAL_LM' : null });
      const lines = out.text('metrics.jsonl').trim().split('\n').map((l) => JSON.parse(l) as LogEntry);
      expect(lines.map((l) => l.step)).toEqual([1, 2]);
      for (const key of ['loss', 'grad_norm', 'learning_rate', 'epoch', 'rewards/chosen', 'rewards/rejected', 'rewards/accuracies', 'rewards/margins',
        'logps/chosen', 'logps/rejected', 'logits/chosen', 'logits/rejected']) expect(lines[1], key).toHaveProperty([key]);
      expect(lines.map((l) => l.epoch)).toEqual([0.5, 1]); // 2 batches per epoch
      const state = JSON.parse(out.text('trainer_state.json')) as { global_step: number; log_history: LogEntry[] };
      expect(state.global_step).toBe(2);
      expect(state.log_history.map((e) => Object.keys(e).find((x) => ['loss', 'eval_loss', 'train_loss'].includes(x)))).toEqual(['loss', 'loss', 'eval_loss', 'train_loss']);
      // The adapter in output_dir, reloaded, gives the log-probs the trainer evaluated after step 2.
      const s = await setupOf(k);
      const adapter = await loadPeftAdapter(out.source(''), { linears: s.linears, outputModule: s.outputModule });
      const ev = logs.find((e) => 'eval_loss' in e)!;
      const lp = await rowLogpsOf(s, k, xs, adapter);
      // TRL averages evaluation metrics over batches: [0, 1] and [2] at batch size 2.
      const byBatch = (v: number[]) => (mean(v.slice(0, 2)) + v[2]) / 2;
      close(byBatch(lp.chosen), ev['eval_logps/chosen']);
      close(byBatch(lp.rejected), ev['eval_logps/rejected']);
      const before = await rowLogpsOf(s, k, xs, null);
      expect(Math.abs(mean(lp.chosen) - mean(before.chosen))).toBeGreaterThan(1e-3); // training moved the model
      expect(out.files.get('checkpoint-2/adapter_model.safetensors')).toEqual(out.files.get('adapter_model.safetensors'));
    });
  }

  it('full fine-tuning writes model.safetensors with the model files; the folder loads as a model', async () => {
    const { out } = await run('llama', { use_peft: false, trainer: 'orpo', learning_rate: 0.01, per_device_train_batch_size: 3, max_steps: 2, save_steps: 1 });
    for (const f of ['model.safetensors', 'config.json', 'tokenizer.json', 'checkpoint-1/model.safetensors', 'checkpoint-1/optimizer.safetensors']) expect(out.files.has(f), f).toBe(true);
    const m = await loadModel(out.source(''));
    const w0 = await (await loadModel(folderSource(MODEL_DIRS.llama))).weights.readFloat32('model.layers.0.self_attn.q_proj.weight');
    const w2 = await m.weights.readFloat32('model.layers.0.self_attn.q_proj.weight');
    expect(w2.length).toBe(w0.length);
    expect(w2.some((v, i) => v !== w0[i])).toBe(true);
  });
});

describe('resume and stop', () => {
  it('llama, LoRA with dropout, shuffled epochs, a smaller last batch: resuming gives the same next losses', async () => {
    const cfg = { use_peft: true, lora_r: 4, lora_dropout: 0.2, learning_rate: 0.02, per_device_train_batch_size: 2, num_train_epochs: 2, logging_steps: 1, save_steps: 2, seed: 11 };
    const xs = examples('llama', 5); // 3 batches per epoch: 2, 2, 1
    const full = await run('llama', cfg, { xs });
    expect(full.train.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const resumed = await run('llama', cfg, { xs, resume: full.out.source('checkpoint-4') });
    expect(resumed.train.map((e) => e.step)).toEqual([5, 6]);
    for (const [i, e] of resumed.train.entries()) {
      const want = full.train[4 + i];
      for (const key of ['loss', 'grad_norm', 'learning_rate', 'epoch', 'logps/chosen', 'rewards/margins']) expect(e[key], key).toBe(want[key]);
    }
    expect(resumed.summary.logHistory.filter((e) => 'loss' in e)).toHaveLength(6); // the checkpoint's history carried on
    expect(resumed.out.files.get('adapter_model.safetensors')).toEqual(full.out.files.get('adapter_model.safetensors'));
  });

  it('whisper with gradient accumulation: shouldStop saves a checkpoint, and resuming it matches the uninterrupted run', async () => {
    const cfg = { use_peft: true, lora_r: 4, lora_dropout: 0.1, learning_rate: 0.02, per_device_train_batch_size: 1, gradient_accumulation_steps: 2, max_steps: 4, logging_steps: 1, save_steps: 100, seed: 2 };
    const xs = examples('whisper', 3);
    const full = await run('whisper', cfg, { xs });
    const stopped = await run('whisper', cfg, { xs, stopAfter: 2 });
    expect(stopped.summary).toMatchObject({ stopped: true, globalStep: 2 });
    expect(stopped.out.files.has('checkpoint-2/optimizer.safetensors')).toBe(true);
    expect(stopped.out.files.has('adapter_model.safetensors')).toBe(false); // the final model is written only by a finished run
    const resumed = await run('whisper', cfg, { xs, resume: stopped.out.source('checkpoint-2'), out: stopped.out });
    expect(resumed.train.map((e) => e.step)).toEqual([3, 4]);
    resumed.train.forEach((e, i) => { expect(e.loss).toBe(full.train[2 + i].loss); expect(e.grad_norm).toBe(full.train[2 + i].grad_norm); });
    // metrics.jsonl of the shared output folder holds each step once.
    expect(stopped.out.text('metrics.jsonl').trim().split('\n').map((l) => (JSON.parse(l) as LogEntry).step)).toEqual([1, 2, 3, 4]);
  });

  it('full fine-tuning resumes from model.safetensors and the AdamW moments', async () => {
    const cfg = { use_peft: false, learning_rate: 0.01, per_device_train_batch_size: 3, max_steps: 3, save_steps: 2, logging_steps: 1, weight_decay: 0.1 };
    const full = await run('llama', cfg);
    const resumed = await run('llama', cfg, { resume: full.out.source('checkpoint-2') });
    expect(resumed.train[0].step).toBe(3);
    expect(resumed.train[0].loss).toBe(full.train[2].loss);
  });
});

describe('logging and accumulation', () => {
  it('averages metrics over the logging window; learning_rate is the next step\'s, as HF logs it', async () => {
    const cfg = { use_peft: true, lora_r: 4, learning_rate: 0.01, warmup_steps: 1, per_device_train_batch_size: 1, max_steps: 4, seed: 9 };
    const every = (await run('llama', { ...cfg, logging_steps: 1 })).train;
    const pairs = (await run('llama', { ...cfg, logging_steps: 2 })).train;
    expect(pairs.map((e) => e.step)).toEqual([2, 4]);
    for (const [i, e] of pairs.entries()) {
      for (const key of ['loss', 'rewards/margins', 'logps/chosen']) close(e[key], (every[2 * i][key] + every[2 * i + 1][key]) / 2, 1e-6, 1e-7);
      expect(e.grad_norm).toBe(every[2 * i + 1].grad_norm); // the window's last step
    }
    // linear schedule, 1 warmup step, 4 steps: lr(s) = 0.01 * (4 - s) / 3 after warmup
    [0.01, (0.01 * 2) / 3, 0.01 / 3, 0].forEach((lr, i) => close(every[i].learning_rate, lr, 1e-12, 0));
    expect(every.map((e) => e.epoch)).toEqual([1 / 3, 2 / 3, 1, 1 + 1 / 3]);
  });

  it('two accumulated micro-batches of 1 give the first step of one batch of 2', async () => {
    const cfg = { use_peft: true, lora_r: 4, lora_dropout: 0, max_steps: 1, logging_steps: 1, seed: 4 };
    const xs = examples('llama', 2);
    const one = (await run('llama', { ...cfg, per_device_train_batch_size: 2 }, { xs })).train[0];
    const acc = (await run('llama', { ...cfg, per_device_train_batch_size: 1, gradient_accumulation_steps: 2 }, { xs })).train[0];
    close(acc.loss, one.loss, 1e-6, 1e-7);
    close(acc.grad_norm, one.grad_norm, 1e-5, 1e-7);
  });

  it('continues from --adapter_path: the loaded adapter, not a fresh one, is trained', async () => {
    const c = golden.llama.cases.find((x) => x.name === 'dpo/sigmoid')!;
    const { train: logs, out } = await run('llama', { use_peft: true, adapter_path: 'given', per_device_train_batch_size: 3, max_steps: 1, logging_steps: 1 }, {
      adapter: folderSource(ADAPTER_DIRS.llama),
    });
    close(logs[0].loss, c.expected.loss);
    expect(JSON.parse(out.text('adapter_config.json'))).toMatchObject({ r: 4, lora_alpha: 8 });
  });
});
