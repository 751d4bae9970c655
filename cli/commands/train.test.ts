import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../../src/train/config';
import type { CommandIo } from '../flags';
import type { HeadlessPlan } from '../headless/run';
import { RUNNER_FLAGS, flags, latestCheckpoint, run } from './train';

const dir = mkdtempSync(join(tmpdir(), 'train-cli-'));
const lmModel = join(dir, 'lm');
const whisperModel = join(dir, 'whisper');
const lmData = join(dir, 'data', 'pairs.jsonl');
const asrData = join(dir, 'asr', 'train.jsonl');
const out = join(dir, 'out');

beforeAll(() => {
  // planTrain reads only config.json of a model folder; the runner (not called here) loads the rest.
  mkdirSync(lmModel); writeFileSync(join(lmModel, 'config.json'), '{"model_type": "llama"}');
  mkdirSync(whisperModel); writeFileSync(join(whisperModel, 'config.json'), '{"model_type": "whisper"}');
  mkdirSync(join(dir, 'data'));
  writeFileSync(lmData, [
    { prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' },
    { prompt: 'One plus one is', chosen: ' two.', rejected: ' three.' },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n');
  mkdirSync(join(dir, 'asr', 'wav'), { recursive: true });
  writeFileSync(join(dir, 'asr', 'wav', 'a.wav'), 'RIFF');
  writeFileSync(asrData, `${JSON.stringify({ audio: { path: 'wav/a.wav' }, duration: 1, chosen: 'hi there', rejected: 'high there', language: 'en' })}\n`);
});

interface Outcome { code: number; out: string; err: string; plan: HeadlessPlan | null }

async function train(...argv: string[]): Promise<Outcome> {
  const o: string[] = [];
  const e: string[] = [];
  const io: CommandIo = { out: (t) => o.push(t), err: (t) => e.push(t) };
  let plan: HeadlessPlan | null = null;
  const code = await run(argv, io, async (p) => { plan = p; return 0; });
  return { code, out: o.join('\n'), err: e.join('\n'), plan };
}

const base = () => ['--model_name_or_path', lmModel, '--dataset_name', lmData, '--output_dir', out];

/** An error run: non-zero, exactly one line on stderr, and the runner (the browser) never started. */
async function fails(argv: string[], pattern: RegExp, code = 2): Promise<string> {
  const r = await train(...argv);
  expect(r.plan, 'the runner must not start').toBeNull();
  expect(r.code).toBe(code);
  expect(r.err.split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^prefstudio train: /);
  expect(r.err).toMatch(pattern);
  return r.err;
}

describe('prefstudio train: flags', () => {
  it('has exactly one flag per TrainConfig key, plus the runner\'s eval file', () => {
    expect(Object.keys(flags).sort()).toEqual([...Object.keys(trainConfigSchema.shape), ...RUNNER_FLAGS].sort());
  });

  it('--eval_dataset_name is checked like the training file and turns evaluation on every logging_steps', async () => {
    const r = await train(...base(), '--eval_dataset_name', lmData, '--logging_steps', '3');
    expect(r.err).toBe('');
    expect(r.plan).toMatchObject({ evalFile: resolve(lmData), evalRecords: 2 });
    expect(r.plan!.config.eval_steps).toBe(3);
    expect('eval_dataset_name' in r.plan!.config).toBe(false);
    expect((await train(...base(), '--eval_dataset_name', lmData, '--eval_steps', '5')).plan!.config.eval_steps).toBe(5);
    await fails([...base(), '--eval_dataset_name', join(dir, 'none.jsonl')], /--eval_dataset_name: cannot read .*none\.jsonl: no such file/, 1);
  });

  it('--help lists every flag with its default', async () => {
    const r = await train('--help');
    expect(r.code).toBe(0);
    expect(r.plan).toBeNull();
    for (const k of Object.keys(flags)) expect(r.out).toContain(`--${k}`);
    expect(r.out).toContain('--config FILE');
    expect(r.out).toMatch(/--learning_rate NUM\s+peak learning rate of AdamW \(default: 0\.000001\)/);
    expect(r.out).toMatch(/--trainer \{dpo,orpo,adpo,sft\}/);
  });

  it('maps TRL/HF flags 1:1 onto the config, TrainConfig defaults for the rest', async () => {
    const r = await train(...base(), '--trainer', 'orpo', '--learning_rate', '5e-5', '--beta', '0.2',
      '--per-device-train-batch-size', '2', '--gradient_accumulation_steps=3', '--max_steps', '4', '--use_peft',
      '--lora_r', '4', '--lora_alpha', '8', '--lora_dropout', '0', '--lora_target_modules', 'q_proj', 'v_proj',
      '--loss_type', 'sigmoid,sft', '--loss_weights', '1', '0.5', '--lr_scheduler_type', 'cosine', '--warmup_ratio', '0.1',
      '--max_grad_norm', '0.5', '--weight_decay', '0.01', '--logging_steps', '1', '--save_steps', '2', '--seed', '3',
      '--max_length', '64', '--max_prompt_length', '32', '--max_completion_length', '16', '--label_smoothing', '0.1',
      '--device', 'wasm', '--no-precompute_ref_log_probs');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const c = r.plan!.config;
    expect(c).toMatchObject({
      trainer: 'orpo', learning_rate: 5e-5, beta: 0.2, per_device_train_batch_size: 2, gradient_accumulation_steps: 3,
      max_steps: 4, use_peft: true, lora_r: 4, lora_alpha: 8, lora_dropout: 0, lora_target_modules: ['q_proj', 'v_proj'],
      loss_type: ['sigmoid', 'sft'], loss_weights: [1, 0.5], lr_scheduler_type: 'cosine', warmup_ratio: 0.1, max_grad_norm: 0.5,
      weight_decay: 0.01, logging_steps: 1, save_steps: 2, seed: 3, max_length: 64, max_prompt_length: 32,
      max_completion_length: 16, label_smoothing: 0.1, device: 'wasm', precompute_ref_log_probs: false,
    });
    // Untouched keys keep TrainConfig's (TRL's) defaults.
    const defaults = trainConfigSchema.parse({ model_name_or_path: lmModel, dataset_name: lmData, output_dir: out });
    expect(c.num_train_epochs).toBe(defaults.num_train_epochs);
    expect(c.adam_beta2).toBe(defaults.adam_beta2);
    expect(c.warmup_steps).toBe(defaults.warmup_steps);
    expect(r.plan).toMatchObject({ modelDir: resolve(lmModel), modelType: 'llama', dataFile: resolve(lmData), dataRecords: 2, outputDir: resolve(out) });
  });

  it('reads a TOML or JSON config; the command line wins', async () => {
    const toml = join(dir, 'run.toml');
    writeFileSync(toml, `model_name_or_path = "${lmModel}"\ndataset_name = "${lmData}"\noutput_dir = "${out}"\n[training]\nlearning_rate = 2e-5\nbeta = 0.3\nloss_type = ["ipo"]\n`);
    const r = await train('--config', toml, '--beta', '0.05');
    expect(r.err).toBe('');
    expect(r.plan!.config).toMatchObject({ learning_rate: 2e-5, beta: 0.05, loss_type: ['ipo'] });
    const json = join(dir, 'run.json');
    writeFileSync(json, JSON.stringify({ model_name_or_path: lmModel, dataset_name: lmData, output_dir: out, max_steps: 2, use_peft: true }));
    expect((await train('--config', json)).plan!.config).toMatchObject({ max_steps: 2, use_peft: true });
  });
});

describe('prefstudio train: one-line errors before any browser starts', () => {
  it('bad flag values and unknown flags', async () => {
    await fails([...base(), '--learning_rate', 'fast'], /--learning_rate: expected a number, got 'fast'/);
    await fails([...base(), '--lerning_rate', '1e-5'], /unknown flag --lerning_rate \(did you mean --learning_rate\?\)/);
    await fails([...base(), '--trainer', 'ppo'], /--trainer: expected one of dpo, orpo, adpo, sft, got 'ppo'/);
    await fails([...base(), '--per_device_train_batch_size', '0'], /--per_device_train_batch_size: expected a number >= 1/);
    await fails([...base(), '--loss_type', 'sigmoidd'], /--loss_type: unknown loss type 'sigmoidd'/);
    await fails([...base(), '--loss_type', 'sigmoid', 'ipo', '--loss_weights', '1'], /--loss_weights: 1 weights for 2 loss types/);
    await fails([...base(), '--adapter_path', lmModel], /--adapter_path: needs use_peft/);
    await fails([...base(), '--dataset_format', 'openasr'], /--dataset_format: expected one of auto, preference, asr-preference, adpo, got 'openasr'/);
    await fails(['--dataset_name', lmData, '--output_dir', out], /--model_name_or_path: required/);
  });

  it('a config key that does not exist, a bad value in the file, an unreadable config', async () => {
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, `model_name_or_path = "${lmModel}"\nlerning_rate = 1e-5\n`);
    await fails(['--config', bad], /bad\.toml:2: lerning_rate: unknown setting \(did you mean --learning_rate\?\)/);
    const neg = join(dir, 'neg.toml');
    writeFileSync(neg, `model_name_or_path = "${lmModel}"\ndataset_name = "${lmData}"\noutput_dir = "${out}"\nlearning_rate = -1\n`);
    await fails(['--config', neg], /neg\.toml: learning_rate: too small/);
    await fails(['--config', join(dir, 'nope.toml')], /--config: cannot read .*nope\.toml: no such file/);
  });

  it('missing or wrong folders and files', async () => {
    const noModel = ['--model_name_or_path', join(dir, 'missing'), '--dataset_name', lmData, '--output_dir', out];
    await fails(noModel, /--model_name_or_path: cannot read .*missing: no such file or folder \(a local HF model folder; Hub ids are not downloaded\)/, 1);
    await fails(['--model_name_or_path', join(dir, 'data'), '--dataset_name', lmData, '--output_dir', out], /has no config\.json/, 1);
    await fails(['--model_name_or_path', lmModel, '--dataset_name', join(dir, 'nope.jsonl'), '--output_dir', out], /--dataset_name: cannot read .*nope\.jsonl: no such file or folder/, 1);
    await fails(['--model_name_or_path', lmModel, '--dataset_name', join(dir, 'data'), '--output_dir', out], /--dataset_name: .* is a folder/, 1);
    await fails(['--model_name_or_path', lmModel, '--dataset_name', lmData, '--output_dir', lmData], /--output_dir: .* is a file/, 1);
    await fails([...base(), '--use_peft', '--adapter_path', join(dir, 'data')], /--adapter_path: .* has no adapter_config\.json/, 1);
    const odd = join(dir, 'odd');
    mkdirSync(odd); writeFileSync(join(odd, 'config.json'), '{"model_type": "gpt2"}');
    await fails(['--model_name_or_path', odd, '--dataset_name', lmData, '--output_dir', out], /model_type "gpt2" is not supported/, 1);
  });

  it('bad dataset records, media paths outside the dataset folder, data that does not fit the model', async () => {
    const broken = join(dir, 'data', 'broken.jsonl');
    writeFileSync(broken, '{"prompt":"a","chosen":" b","rejected":" c"}\n{"prompt":"a","chosen":" b"}\n{not json\n');
    await fails(['--model_name_or_path', lmModel, '--dataset_name', broken, '--output_dir', out], /--dataset_name: broken\.jsonl:2: rejected: missing \(and 1 more bad record\)/, 1);
    writeFileSync(join(dir, 'secret.wav'), 'RIFF');
    const escape = join(dir, 'asr', 'escape.jsonl');
    writeFileSync(escape, `${JSON.stringify({ audio: { path: '../secret.wav' }, chosen: 'a', rejected: 'b' })}\n`);
    await fails(['--model_name_or_path', whisperModel, '--dataset_name', escape, '--output_dir', out], /escape\.jsonl:1: audio\.path: path "\.\.\/secret\.wav" escapes the dataset root/, 1);
    const abs = join(dir, 'asr', 'abs.jsonl');
    writeFileSync(abs, `${JSON.stringify({ audio: { path: join(dir, 'secret.wav') }, chosen: 'a', rejected: 'b' })}\n`);
    await fails(['--model_name_or_path', whisperModel, '--dataset_name', abs, '--output_dir', out], /abs\.jsonl:1: audio\.path: absolute path .* is outside the dataset root/, 1);
    await fails(['--model_name_or_path', whisperModel, '--dataset_name', lmData, '--output_dir', out], /the model is Whisper but 2 of 2 records have no audio/, 1);
    await fails(['--model_name_or_path', lmModel, '--dataset_name', asrData, '--output_dir', out], /--dataset_name: every record carries audio or images, but the model \(llama\) is text-only/, 1);
    const empty = join(dir, 'data', 'empty.jsonl');
    writeFileSync(empty, '');
    await fails(['--model_name_or_path', lmModel, '--dataset_name', empty, '--output_dir', out, '--dataset_format', 'preference'], /no training records/, 1);
  });

  it('ADPO records go with --trainer adpo only; ADPO images are refused up front', async () => {
    const adpo = join(dir, 'data', 'adpo.jsonl');
    writeFileSync(adpo, `${JSON.stringify({ response: ' blue.', chosen: 'The sky is', rejected: 'Grass is' })}\n`);
    const ok = await train('--trainer', 'adpo', '--model_name_or_path', lmModel, '--dataset_name', adpo, '--output_dir', out);
    expect(ok.err).toBe('');
    expect(ok.plan!.config.trainer).toBe('adpo');
    await fails(['--model_name_or_path', lmModel, '--dataset_name', adpo, '--output_dir', out], /holds ADPO records \(one response, two contexts\): use --trainer adpo/, 1);
    await fails(['--trainer', 'adpo', ...base()], /--trainer adpo needs ADPO records .* holds 'preference' records/, 1);
    const pics = join(dir, 'data', 'pics.jsonl');
    writeFileSync(join(dir, 'data', 'a.png'), 'png');
    writeFileSync(pics, `${JSON.stringify({ response: 'r', chosen: 'c', chosen_images: ['a.png'], rejected: 'x', rejected_images: [] })}\n`);
    await fails(['--trainer', 'adpo', '--model_name_or_path', lmModel, '--dataset_name', pics, '--output_dir', out], /pics\.jsonl:1: ADPO with images needs a vision-language model/, 1);
  });

  it('conversational records: rendered with the model\'s chat template up front; no template is one line naming the model folder', async () => {
    const chat = join(dir, 'data', 'chat.jsonl');
    const m = (role: string, content: string) => ({ role, content });
    writeFileSync(chat, [
      { prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' },
      { prompt: [m('user', 'hi')], chosen: [m('assistant', 'hello')], rejected: [m('assistant', 'go away')] },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    // lmModel has no tokenizer_config.json and no chat_template.jinja.
    await fails(['--model_name_or_path', lmModel, '--dataset_name', chat, '--output_dir', out],
      new RegExp(`^prefstudio train: --dataset_name: chat\\.jsonl:2: conversational records need the model's chat template, and ${lmModel} has none \\(no chat_template in tokenizer_config\\.json and no chat_template\\.jinja\\)$`), 1);
    const withTemplate = (name: string, files: Record<string, string>): string => {
      const d = join(dir, name);
      mkdirSync(d);
      writeFileSync(join(d, 'config.json'), '{"model_type": "llama"}');
      for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
      return d;
    };
    const chatMl = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    const chatModel = withTemplate('chat-lm', { 'tokenizer_config.json': JSON.stringify({ eos_token: '</s>', chat_template: chatMl }) });
    const ok = await train('--model_name_or_path', chatModel, '--dataset_name', chat, '--output_dir', out);
    expect(ok.err).toBe('');
    expect(ok.plan).toMatchObject({ dataRecords: 2 });
    // A chat_template.jinja file is a template too.
    const jinjaModel = withTemplate('jinja-lm', { 'chat_template.jinja': chatMl });
    expect((await train('--model_name_or_path', jinjaModel, '--dataset_name', chat, '--output_dir', out)).plan).toMatchObject({ dataRecords: 2 });
    // The README's fixture: standard and conversational rows train; the row with audio and images is left out for a text-only model.
    const good = await train('--model_name_or_path', chatModel, '--dataset_name', resolve('tests/fixtures/data/preference-good.jsonl'), '--output_dir', out);
    expect(good.err).toBe('');
    expect(good.plan).toMatchObject({ dataRecords: 4 });
    // A template that raises, or one TRL cannot split into prompt and completion, fails on the record.
    const strict = withTemplate('strict-lm', { 'chat_template.jinja': "{% if messages[0]['role'] != 'system' %}{{ raise_exception('a system message must come first') }}{% endif %}" });
    await fails(['--model_name_or_path', strict, '--dataset_name', chat, '--output_dir', out], /^prefstudio train: --dataset_name: chat\.jsonl:2: chat template: a system message must come first$/, 1);
    const unsplittable = withTemplate('odd-lm', { 'chat_template.jinja': '{% for x in messages %}{{ x.content }}{% endfor %}{% if add_generation_prompt %}>{% endif %}' });
    await fails(['--model_name_or_path', unsplittable, '--dataset_name', chat, '--output_dir', out], /chat\.jsonl:2: the chat template's rendering of prompt \+ chosen does not start with its rendering of the prompt alone/, 1);
    // Whisper has no chat template either.
    await fails(['--model_name_or_path', whisperModel, '--dataset_name', chat, '--output_dir', out], /chat\.jsonl:2: conversational records need the model's chat template/, 1);
  });

  it('seed-003 records for Whisper pass; their audio folder is the dataset folder', async () => {
    const r = await train('--model_name_or_path', whisperModel, '--dataset_name', asrData, '--output_dir', out);
    expect(r.err).toBe('');
    expect(r.plan).toMatchObject({ modelType: 'whisper', dataFile: resolve(asrData), dataRecords: 1 });
  });

  it('resume_from_checkpoint: a folder, or "last" for the newest checkpoint-N in output_dir', async () => {
    const o = join(dir, 'resume-out');
    mkdirSync(join(o, 'checkpoint-2'), { recursive: true });
    mkdirSync(join(o, 'checkpoint-10'));
    mkdirSync(join(o, 'checkpoint-x'));
    expect(latestCheckpoint(o)).toBe(join(o, 'checkpoint-10'));
    const args = ['--model_name_or_path', lmModel, '--dataset_name', lmData, '--output_dir', o];
    const last = await train(...args, '--resume_from_checkpoint', 'last');
    expect(last.plan!.resumeDir).toBe(join(o, 'checkpoint-10'));
    expect(last.plan!.config.resume_from_checkpoint).toBe(join(o, 'checkpoint-10'));
    expect((await train(...args, '--resume_from_checkpoint', join(o, 'checkpoint-2'))).plan!.resumeDir).toBe(resolve(o, 'checkpoint-2'));
    await fails([...base(), '--resume_from_checkpoint', 'true', '--output_dir', join(dir, 'fresh')], /--resume_from_checkpoint: no checkpoint-N folder in/, 1);
    await fails([...base(), '--resume_from_checkpoint', join(o, 'checkpoint-99')], /--resume_from_checkpoint: cannot read .*checkpoint-99: no such file or folder/, 1);
  });
});
