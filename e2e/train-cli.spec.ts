// `prefstudio train` end to end: the real CLI as a child process against the built app, training a
// tiny LM (DPO) and a tiny Whisper (ORPO) for a few steps on WebGPU (SwiftShader in CI) and the LM
// on WASM (also on TRL's mixed standard/conversational fixture, through the chat template), then
// checking output_dir: the PEFT adapter, metrics.jsonl, trainer_state.json and checkpoints; that
// the saved adapter, merged into the base weights in Node (ORT WASM), reproduces the log-probs the
// worker's trained model reported; Ctrl-C (a checkpoint) and resuming from it; and that failures
// are one clear line with a non-zero exit.
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type ExampleLogps, adapterLogps, mean } from '../cli/headless/adapter-logps';
import { type TinyRun, writeLmRun, writeWhisperRun } from '../cli/headless/fixtures';
import { type TrainConfig } from '../src/train/config';
import { testOrt } from '../src/engine/testing/ort';

test.describe.configure({ mode: 'serial' });

const work = mkdtempSync(join(tmpdir(), 'train-cli-e2e-'));
const app = join(work, 'app');
let lm: TinyRun;
let asr: TinyRun;
const stepTimes: Record<string, string> = {};

interface Run { code: number | null; out: string; err: string }

/**
 * Run the CLI: `bin` is `node bin/prefstudio.mjs` (the npx entry), `tsx` is one node process
 * (`node --import tsx cli/main.ts`), so a signal sent to its pid reaches the runner itself.
 */
function cli(args: string[], o: { entry?: 'bin' | 'tsx'; env?: Record<string, string>; onOut?: (text: string, pid: number) => void; timeoutMs?: number } = {}): Promise<Run> {
  const argv = o.entry === 'tsx' ? ['--import', 'tsx', 'cli/main.ts', 'train', ...args] : ['bin/prefstudio.mjs', 'train', ...args];
  // A private copy of dist/ (npm run test:e2e has just built it): a rebuild elsewhere cannot pull it away mid-run.
  const p = spawn(process.execPath, argv, { env: { ...process.env, PREFSTUDIO_APP_DIR: app, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (c: Buffer) => { out += c.toString(); o.onOut?.(out, p.pid!); });
  p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const timer = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 240_000);
  return new Promise((ok) => p.on('close', (code) => { clearTimeout(timer); ok({ code, out, err }); }));
}

const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const lines = (path: string): Record<string, number>[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

/** safetensors header: tensor name -> shape. */
function safetensorsShapes(path: string): Record<string, number[]> {
  const b = readFileSync(path);
  const n = Number(b.readBigUInt64LE(0));
  const h = JSON.parse(b.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[] }>;
  return Object.fromEntries(Object.entries(h).filter(([k]) => k !== '__metadata__').map(([k, v]) => [k, v.shape]));
}

/** The step time the CLI printed in its summary line. */
function stepTime(out: string): string {
  return /done: .*$/m.exec(out)?.[0] ?? '(no summary line)';
}

const common = ['--use_peft', '--lora_r', '4', '--lora_alpha', '8', '--lora_dropout', '0', '--per_device_train_batch_size', '2',
  '--logging_steps', '1', '--learning_rate', '1e-2', '--seed', '11'];

/** The saved adapter must reproduce the worker's eval log-probs (taken from its trained in-memory state) within 1e-3. */
function expectReproduced(eval_: Record<string, number>, saved: ExampleLogps, base: ExampleLogps, kind: 'sum' | 'mean'): void {
  const pick = (l: ExampleLogps) => kind === 'sum' ? [mean(l.chosenSum), mean(l.rejectedSum)] : [mean(l.chosenMean), mean(l.rejectedMean)];
  const [c, r] = pick(saved);
  const [c0, r0] = pick(base);
  const tol = (x: number) => 1e-3 * Math.max(1, Math.abs(x));
  expect(Math.abs(eval_['eval_logps/chosen'] - c), `chosen: worker ${eval_['eval_logps/chosen']} vs saved adapter ${c}`).toBeLessThan(tol(c));
  expect(Math.abs(eval_['eval_logps/rejected'] - r), `rejected: worker ${eval_['eval_logps/rejected']} vs saved adapter ${r}`).toBeLessThan(tol(r));
  // And the comparison can fail: training moved the log-probs well past that tolerance.
  expect(Math.abs(c - c0) + Math.abs(r - r0)).toBeGreaterThan(5 * tol(c));
}

test.beforeAll(async () => {
  cpSync('dist', app, { recursive: true });
  lm = await writeLmRun(work);
  asr = await writeWhisperRun(work);
});

test.afterAll(() => {
  // Figures for the report: per-step wall time on this machine's WebGPU adapter (SwiftShader in CI) and WASM.
  for (const [k, v] of Object.entries(stepTimes)) console.log(`step time ${k}: ${v}`);
});

test('tiny LM, DPO on WebGPU: PEFT adapter, metrics, state, checkpoints; the adapter reproduces the trained log-probs', async () => {
  test.setTimeout(300_000);
  const out = join(work, 'out-lm');
  const r = await cli(['--model_name_or_path', lm.model, '--dataset_name', lm.data, '--output_dir', out, ...common,
    '--max_steps', '3', '--save_steps', '2', '--eval_dataset_name', lm.data, '--eval_steps', '3']);
  expect(r.err, r.out).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^backend: WebGPU on /m);
  if (process.env.PREFSTUDIO_WEBGPU_ADAPTER !== 'vulkan') expect(r.out).toMatch(/^backend: WebGPU on .*swiftshader/im);
  expect(r.out).toMatch(/^step 3\/3 .*loss \d/m);
  expect(r.out).toMatch(/^eval at step 3: eval_loss /m);
  expect(r.out).toMatch(/^done: 3 steps in /m);
  stepTimes['LM webgpu'] = stepTime(r.out);

  const cfg = json<Record<string, unknown>>(join(out, 'adapter_config.json'));
  expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ['q_proj', 'v_proj'], bias: 'none', task_type: 'CAUSAL_LM', base_model_name_or_path: lm.model });
  const shapes = safetensorsShapes(join(out, 'adapter_model.safetensors'));
  // 2 layers x {q_proj, v_proj} x {A, B}; A is [r, in], B is [out, r] (q: 4 heads x 8, v: 2 kv heads x 8).
  expect(Object.keys(shapes).sort()).toEqual([0, 1].flatMap((l) => ['q_proj', 'v_proj'].flatMap((m) => ['A', 'B'].map((w) => `base_model.model.model.layers.${l}.self_attn.${m}.lora_${w}.weight`))).sort());
  expect(shapes['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight']).toEqual([4, 32]);
  expect(shapes['base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight']).toEqual([16, 4]);

  const metrics = lines(join(out, 'metrics.jsonl'));
  expect(metrics.map((m) => m.step)).toEqual([1, 2, 3]);
  for (const m of metrics) {
    for (const k of ['loss', 'grad_norm', 'learning_rate', 'rewards/accuracies', 'rewards/margins', 'rewards/chosen', 'logps/chosen', 'epoch']) {
      expect(Number.isFinite(m[k]), `${k} at step ${m.step}`).toBe(true);
    }
  }
  expect(metrics[2].loss).toBeLessThan(metrics[0].loss); // lr 1e-2 on 4 pairs: DPO's loss falls from log 2
  const state = json<{ global_step: number; max_steps: number; log_history: Record<string, number>[] }>(join(out, 'trainer_state.json'));
  expect(state.global_step).toBe(3);
  expect(state.log_history.filter((e) => 'loss' in e)).toEqual(metrics);
  const evalEntry = state.log_history.find((e) => 'eval_loss' in e)!;
  expect(evalEntry.step).toBe(3);
  expect(json<{ global_step: number }>(join(out, 'checkpoint-2', 'trainer_state.json')).global_step).toBe(2);
  for (const f of ['adapter_config.json', 'adapter_model.safetensors']) expect(existsSync(join(out, 'checkpoint-2', f)), f).toBe(true);

  const config = json<TrainConfig>(join(out, 'training_args.json'));
  const ort = testOrt();
  const saved = await adapterLogps(ort, { modelDir: lm.model, adapterDir: out, dataFile: lm.data, config });
  const base = await adapterLogps(ort, { modelDir: lm.model, dataFile: lm.data, config });
  expectReproduced(evalEntry, saved, base, 'sum');
});

test('tiny LM on --device wasm: same losses as WebGPU, step for step', async () => {
  test.setTimeout(180_000);
  const out = join(work, 'out-lm-wasm');
  const r = await cli(['--model_name_or_path', lm.model, '--dataset_name', lm.data, '--output_dir', out, ...common, '--max_steps', '3', '--save_steps', '2', '--device', 'wasm'], { entry: 'tsx' });
  expect(r.err, r.out).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^backend: WASM \(CPU/m);
  stepTimes['LM wasm'] = stepTime(r.out);
  const cpu = lines(join(out, 'metrics.jsonl'));
  const gpu = lines(join(work, 'out-lm', 'metrics.jsonl'));
  expect(cpu.map((m) => m.step)).toEqual([1, 2, 3]);
  for (let i = 0; i < 3; i++) {
    for (const k of ['loss', 'grad_norm', 'rewards/margins']) {
      expect(Math.abs(cpu[i][k] - gpu[i][k]), `${k} at step ${i + 1}: wasm ${cpu[i][k]} webgpu ${gpu[i][k]}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(gpu[i][k])));
    }
  }
});

test('tiny LM on the README\'s mixed TRL fixture (--device wasm): conversational rows go through the chat template, the media row is left out; the adapter reproduces the trained log-probs', async () => {
  test.setTimeout(180_000);
  const out = join(work, 'out-chat');
  const data = resolve('tests/fixtures/data/preference-good.jsonl');
  const r = await cli(['--model_name_or_path', lm.model, '--dataset_name', data, '--output_dir', out, ...common, '--max_steps', '2',
    '--eval_dataset_name', data, '--eval_steps', '2', '--device', 'wasm'], { entry: 'tsx' });
  expect(r.err, r.out).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/, 4 records from .*preference-good\.jsonl/);
  expect(r.out).toMatch(/^dataset: preference: read 5, kept 5, skipped 0$/m);
  expect(r.out).toMatch(/^dataset: 1 record with audio or images left out \(the model is text-only\)$/m);
  expect(lines(join(out, 'metrics.jsonl')).map((m) => [m.step, m.epoch])).toEqual([[1, 0.5], [2, 1]]); // 4 examples, batches of 2
  // The same 4 records in Node (the media row dropped from a copy): rendered, tokenized and scored there, they match the worker.
  const textOnly = join(work, 'chat-data', 'pairs.jsonl');
  mkdirSync(dirname(textOnly), { recursive: true });
  writeFileSync(textOnly, readFileSync(data, 'utf8').split('\n').filter((l) => l.trim() && !l.includes('"audio"')).join('\n') + '\n');
  const config = json<TrainConfig>(join(out, 'training_args.json'));
  const ort = testOrt();
  const saved = await adapterLogps(ort, { modelDir: lm.model, adapterDir: out, dataFile: textOnly, config });
  const base = await adapterLogps(ort, { modelDir: lm.model, dataFile: textOnly, config });
  expect(saved.chosenSum).toHaveLength(4);
  const state = json<{ log_history: Record<string, number>[] }>(join(out, 'trainer_state.json'));
  expectReproduced(state.log_history.find((e) => 'eval_loss' in e)!, saved, base, 'sum');
});

test('tiny Whisper, ORPO on WebGPU with seed-003 WAV records: adapter, metrics, reproduced log-probs', async () => {
  test.setTimeout(300_000);
  const out = join(work, 'out-whisper');
  const r = await cli(['--trainer', 'orpo', '--model_name_or_path', asr.model, '--dataset_name', asr.data, '--output_dir', out, ...common,
    '--max_steps', '3', '--eval_dataset_name', asr.data, '--eval_steps', '3'], { entry: 'tsx' });
  expect(r.err, r.out).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^dataset: asr-preference: read 4, kept 4, skipped 0/m);
  expect(r.out).toMatch(/^done: 3 steps in /m);
  stepTimes['Whisper webgpu'] = stepTime(r.out);

  const cfg = json<Record<string, unknown>>(join(out, 'adapter_config.json'));
  expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, target_modules: ['q_proj', 'v_proj'] });
  const keys = Object.keys(safetensorsShapes(join(out, 'adapter_model.safetensors')));
  expect(keys.length).toBeGreaterThan(0);
  for (const k of keys) expect(k).toMatch(/^base_model\.model\.model\.(encoder|decoder)\.layers\.\d+\.(self_attn|encoder_attn)\.(q|v)_proj\.lora_[AB]\.weight$/);
  expect(keys.some((k) => k.includes('.encoder.'))).toBe(true);
  expect(keys.some((k) => k.includes('.encoder_attn.'))).toBe(true);

  const metrics = lines(join(out, 'metrics.jsonl'));
  expect(metrics.map((m) => m.step)).toEqual([1, 2, 3]);
  for (const m of metrics) {
    for (const k of ['loss', 'grad_norm', 'learning_rate', 'rewards/accuracies', 'nll_loss', 'log_odds_ratio']) expect(Number.isFinite(m[k]), `${k}`).toBe(true);
  }
  const state = json<{ global_step: number; log_history: Record<string, number>[] }>(join(out, 'trainer_state.json'));
  expect(state.global_step).toBe(3);
  const config = json<TrainConfig>(join(out, 'training_args.json'));
  const ort = testOrt();
  const saved = await adapterLogps(ort, { modelDir: asr.model, adapterDir: out, dataFile: asr.data, config });
  const base = await adapterLogps(ort, { modelDir: asr.model, dataFile: asr.data, config });
  expectReproduced(state.log_history.find((e) => 'eval_loss' in e)!, saved, base, 'mean');
});

test('Ctrl-C stops after the current step with a checkpoint; --resume_from_checkpoint last continues from it', async () => {
  test.setTimeout(300_000);
  const out = join(work, 'out-stop');
  const args = ['--model_name_or_path', lm.model, '--dataset_name', lm.data, '--output_dir', out, ...common, '--save_steps', '500'];
  let sent = false;
  const r = await cli([...args, '--max_steps', '500'], {
    entry: 'tsx',
    onOut: (text, pid) => { if (!sent && /^step 2\//m.test(text)) { sent = true; process.kill(pid, 'SIGINT'); } },
  });
  expect(sent).toBe(true);
  expect(r.err).toBe('');
  expect(r.code).toBe(130);
  expect(r.out).toContain('stopping after the current step');
  expect(r.out).toMatch(/stopped early; checkpoint written/);
  const stoppedAt = json<{ global_step: number }>(join(out, 'trainer_state.json')).global_step;
  expect(stoppedAt).toBeGreaterThanOrEqual(2);
  expect(stoppedAt).toBeLessThan(500);
  expect(existsSync(join(out, `checkpoint-${stoppedAt}`, 'adapter_model.safetensors'))).toBe(true);

  const resumed = await cli([...args, '--max_steps', String(stoppedAt + 2), '--resume_from_checkpoint', 'last'], { entry: 'tsx' });
  expect(resumed.err, resumed.out).toBe('');
  expect(resumed.code).toBe(0);
  expect(resumed.out).toMatch(new RegExp(`^step ${stoppedAt + 1}/${stoppedAt + 2} `, 'm'));
  expect(json<{ global_step: number }>(join(out, 'trainer_state.json')).global_step).toBe(stoppedAt + 2);
  expect(lines(join(out, 'metrics.jsonl')).map((m) => m.step)).toEqual(Array.from({ length: stoppedAt + 2 }, (_, i) => i + 1));
});

test('errors are one line and a non-zero exit: before the browser (flags, files) and from inside it (a broken model)', async () => {
  test.setTimeout(120_000);
  const bad = await cli(['--model_name_or_path', lm.model, '--dataset_name', lm.data, '--output_dir', join(work, 'x'), '--learning_rate', 'fast']);
  expect(bad.code).toBe(2);
  expect(bad.err.trim()).toBe("prefstudio train: --learning_rate: expected a number, got 'fast'");
  const escape = join(asr.data, '..', 'escape.jsonl');
  writeFileSync(escape, `${JSON.stringify({ audio: { path: '../../etc/passwd' }, chosen: 'a', rejected: 'b' })}\n`);
  const esc = await cli(['--model_name_or_path', asr.model, '--dataset_name', escape, '--output_dir', join(work, 'x')], { entry: 'tsx' });
  expect(esc.code).toBe(1);
  expect(esc.err.trim()).toBe('prefstudio train: --dataset_name: escape.jsonl:1: audio.path: path "../../etc/passwd" escapes the dataset root');
  expect(esc.out).toBe(''); // nothing started

  // An app that throws in the page: the run ends with the page's error, not a hang.
  const throwing = join(work, 'throwing-app');
  cpSync(app, throwing, { recursive: true });
  writeFileSync(join(throwing, 'index.html'), '<!doctype html><script>throw new Error("the studio failed to start")</script>');
  const pe = await cli(['--model_name_or_path', lm.model, '--dataset_name', lm.data, '--output_dir', join(work, 'x'), '--max_steps', '1'], { entry: 'tsx', env: { PREFSTUDIO_APP_DIR: throwing } });
  expect(pe.code).toBe(1);
  expect(pe.err.trim()).toBe('prefstudio train: page error: the studio failed to start');

  // A model whose weights file is cut short passes the Node-side checks and fails in the worker.
  const broken = join(work, 'broken-llama');
  cpSync(lm.model, broken, { recursive: true });
  truncateSync(join(broken, 'model.safetensors'), 64);
  const r = await cli(['--model_name_or_path', broken, '--dataset_name', lm.data, '--output_dir', join(work, 'out-broken'), ...common, '--max_steps', '1'], { entry: 'tsx' });
  expect(r.code).toBe(1);
  const errLines = r.err.trim().split('\n');
  expect(errLines).toHaveLength(1);
  expect(errLines[0]).toMatch(/^prefstudio train: training failed: .*safetensors/);
});
