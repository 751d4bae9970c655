// `prefstudio train`: headless preference fine-tuning. Flags are TrainConfig's keys (TRL/HF
// spelling, 1:1), also readable from `--config FILE` (TOML or JSON). Everything that can be
// checked on this side (flag values, folders, files, the dataset's records and media paths,
// conversational records rendered with the model's chat template) is checked before a browser
// starts; then the headless runner serves the built app, opens it in Chromium and drives the
// studio's own training worker.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SCHEDULERS, TRAINERS, type TrainConfig, parseTrainConfig, trainConfigSchema } from '../../src/train/config';
import { DPO_LOSS_TYPES } from '../../src/train/losses/dpo';
import { isModelType, registry } from '../../src/models/registry';
import { type ModelType } from '../../src/models/types';
import { type ChatTemplate } from '../../src/models/io/chat-template';
import { folderChatTemplate, loadHfFolder } from '../../src/models/io/hf-folder';
import { folderSource } from '../../src/models/io/file-source-node';
import { NO_TEMPLATE, needsMedia } from '../../src/train/data';
import { applyChatTemplate } from '../../src/train/tokenize';
import { type DataRecord, type LoadSummary, type PreferenceRecord, formatRecordError, loadDataset } from '../../src/data';
import { nodeFileTree } from '../../src/data/io/fs-node';
import { toExample } from '../../workers/http-io';
import { type CommandIo, CommandError, FlagError, type FlagSchema, type FlagSpec, defineFlags, guard, helpText, parseFlags, stdio } from '../flags';
import { type HeadlessPlan, runHeadless } from '../headless/run';

/** One line for `prefstudio --help`. */
export const summary = 'fine-tune a model with DPO/ORPO/ADPO/SFT in headless Chromium (WebGPU, or WASM)';

const flagsNoDefaults = defineFlags({
  trainer: { type: 'enum', values: TRAINERS, help: 'the objective: dpo, orpo, adpo (two contexts, one response) or sft' },
  model_name_or_path: { type: 'string', required: true, metavar: 'DIR', help: 'a local HF model folder (config.json, model.safetensors, tokenizer.json)' },
  dataset_name: { type: 'string', required: true, metavar: 'FILE', help: 'the training data: TRL preference JSONL/JSON (text, or chat messages through the model\'s chat template), or seed-003 records with audio.path; media paths resolve under its folder' },
  eval_dataset_name: { type: 'string', metavar: 'FILE', help: 'evaluation data in the same format, evaluated every eval_steps (which then defaults to logging_steps)' },
  dataset_format: { type: 'string', metavar: 'FORMAT', help: 'dataset format: auto, preference (TRL), asr-preference (seed 003) or adpo (seed 002, text contexts)' },
  output_dir: { type: 'string', required: true, metavar: 'DIR', help: 'where the adapter, metrics.jsonl, trainer_state.json and checkpoint-N/ go (created if missing)' },
  seed: { type: 'number', int: true, help: 'one seed for LoRA init, dropout and shuffling' },
  learning_rate: { type: 'number', help: 'peak learning rate of AdamW' },
  lr_scheduler_type: { type: 'enum', values: SCHEDULERS, help: 'learning-rate schedule after warmup' },
  warmup_ratio: { type: 'number', min: 0, max: 1, help: 'warmup as a fraction of the total steps' },
  warmup_steps: { type: 'number', int: true, min: 0, help: 'warmup steps (overrides warmup_ratio when > 0)' },
  weight_decay: { type: 'number', min: 0, help: "AdamW's decoupled weight decay" },
  adam_beta1: { type: 'number', help: "AdamW's beta1" },
  adam_beta2: { type: 'number', help: "AdamW's beta2" },
  adam_epsilon: { type: 'number', help: "AdamW's epsilon" },
  max_grad_norm: { type: 'number', min: 0, help: 'clip the global gradient norm to this (0: no clipping)' },
  per_device_train_batch_size: { type: 'number', int: true, min: 1, help: 'preference pairs per forward/backward' },
  gradient_accumulation_steps: { type: 'number', int: true, min: 1, help: 'micro-batches per optimizer step' },
  num_train_epochs: { type: 'number', help: 'passes over the dataset (fractions allowed)' },
  max_steps: { type: 'number', int: true, help: 'optimizer steps; > 0 overrides num_train_epochs' },
  logging_steps: { type: 'number', int: true, min: 1, help: 'log metrics every N steps' },
  save_steps: { type: 'number', int: true, min: 1, help: 'write checkpoint-N/ every N steps' },
  eval_steps: { type: 'number', int: true, min: 1, help: 'evaluate every N steps' },
  resume_from_checkpoint: { type: 'string', metavar: 'DIR|last', help: 'continue from a checkpoint-N/ folder; "last" (or "true") takes the newest in output_dir' },
  beta: { type: 'number', min: 0, help: 'DPO/ORPO temperature (ORPO: lambda)' },
  loss_type: { type: 'list', metavar: 'TYPE,...', help: `DPO loss type(s): ${DPO_LOSS_TYPES.join(', ')}` },
  loss_weights: { type: 'list', of: 'number', help: 'one weight per loss_type' },
  label_smoothing: { type: 'number', min: 0, max: 0.5, help: 'cDPO label smoothing' },
  max_length: { type: 'number', int: true, min: 1, help: 'prompt + completion tokens at most' },
  max_prompt_length: { type: 'number', int: true, min: 1, help: 'prompt tokens at most (the start is cut)' },
  max_completion_length: { type: 'number', int: true, min: 1, help: 'completion tokens at most (the end is cut)' },
  precompute_ref_log_probs: { type: 'boolean', help: 'compute reference log-probs once before training' },
  use_peft: { type: 'boolean', help: 'train a LoRA adapter (PEFT format) instead of all weights' },
  lora_r: { type: 'number', int: true, min: 1, help: 'LoRA rank' },
  lora_alpha: { type: 'number', help: 'LoRA alpha (scale alpha/r)' },
  lora_dropout: { type: 'number', min: 0, max: 0.999, help: 'dropout on the LoRA input' },
  lora_target_modules: { type: 'list', metavar: 'NAME,...', help: 'modules to adapt (names or all-linear); default PEFT\'s for the model type' },
  use_rslora: { type: 'boolean', help: 'scale LoRA by alpha/sqrt(r)' },
  adapter_path: { type: 'string', metavar: 'DIR', help: 'a PEFT adapter folder to start from (needs --use_peft)' },
  language: { type: 'string', help: 'Whisper: transcript language for the decoder prompt' },
  task: { type: 'enum', values: ['transcribe', 'translate'], help: 'Whisper: decoder task token' },
  device: { type: 'enum', values: ['webgpu', 'wasm'], help: 'webgpu (a GPU through Vulkan, else SwiftShader) or wasm (CPU, in the same worker)' },
});

// Each flag shows (and parses to) TrainConfig's own default, read from the schema, so help,
// files and the worker can never disagree about a default.
const defaults = trainConfigSchema.parse({ model_name_or_path: '-', dataset_name: '-', output_dir: '-' }) as Record<string, unknown>;

/** The flags of `prefstudio train`: one per TrainConfig key, with TrainConfig's defaults. */
export const flags: FlagSchema = Object.fromEntries(Object.entries(flagsNoDefaults).map(([k, spec]): [string, FlagSpec] => {
  const d = defaults[k];
  return [k, d === undefined || ('required' in spec && spec.required) ? spec : ({ ...spec, default: d } as FlagSpec)];
}));

/** The environment the runner reads, for `--help`. */
const ENVIRONMENT = [
  'environment:',
  '  PREFSTUDIO_CHROMIUM=PATH     the Chromium/Chrome to drive (default /usr/bin/chromium)',
  '  PREFSTUDIO_WEBGPU_ADAPTER=vulkan|swiftshader  where WebGPU runs (default: the GPU through Vulkan when',
  '                               /dev/nvidia0 or /dev/dri/renderD* exists, else SwiftShader, WebGPU on the CPU)',
  '  PREFSTUDIO_BUILD=auto|never|always  build dist/ when missing or older than the sources (auto, default)',
  '  PREFSTUDIO_APP_DIR=DIR       serve this build instead of dist/',
  '  PREFSTUDIO_VERBOSE=1         show browser warnings (ORT placement notes, ...)',
  '',
  'Ctrl-C stops after the current step and writes checkpoint-N/ (exit 130); resume with --resume_from_checkpoint last.',
].join('\n');

/** Flags of the runner that are not TrainConfig keys (the evaluation file rides in the job, not the config). */
export const RUNNER_FLAGS = ['eval_dataset_name'] as const;

/** Formats a trainer can train on, and the record kinds they give. */
const TRAINABLE = ['auto', 'preference', 'asr-preference', 'adpo'] as const;

/** Turn parsed flags into a validated TrainConfig; errors name the flag (or the config file's key). */
export function configFromFlags(values: Record<string, unknown>, argv: readonly string[] = []): TrainConfig {
  const input = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== undefined && !(RUNNER_FLAGS as readonly string[]).includes(k)));
  let config: TrainConfig;
  try {
    config = parseTrainConfig(input, 'train');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /^train: ([\w.]+): (.*)$/.exec(msg);
    if (!m) throw new FlagError(msg);
    const key = m[1].split('.')[0];
    const file = configFileOf(argv);
    const where = file !== undefined && !onCommandLine(argv, key) ? `${file}: ${key}` : `--${key}`;
    throw new FlagError(`${where}: ${m[2].charAt(0).toLowerCase()}${m[2].slice(1)}`);
  }
  if (config.trainer === 'dpo' || config.trainer === 'adpo') {
    const bad = config.loss_type.find((t) => !(DPO_LOSS_TYPES as readonly string[]).includes(t));
    if (bad !== undefined) throw new FlagError(`--loss_type: unknown loss type '${bad}' (one of ${DPO_LOSS_TYPES.join(', ')})`);
  }
  if (!(TRAINABLE as readonly string[]).includes(config.dataset_format)) {
    throw new FlagError(`--dataset_format: expected one of ${TRAINABLE.join(', ')}, got '${config.dataset_format}' (simulate pairs from ASR data with \`prefstudio simulate\` first)`);
  }
  return config;
}

function configFileOf(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

function onCommandLine(argv: readonly string[], key: string): boolean {
  const spellings = new Set([key, key.replaceAll('_', '-')]);
  return argv.some((a) => a.startsWith('--') && spellings.has(a.slice(2).split('=')[0].replace(/^no[-_]/, '')));
}

const errnoText = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file or folder' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder, not a file' : code ?? String(e);
};

function folder(flag: string, path: string, what: string): string {
  const abs = resolve(path);
  let st;
  try { st = statSync(abs); } catch (e) { throw new CommandError(`${flag}: cannot read ${path}: ${errnoText(e)} (${what})`); }
  if (!st.isDirectory()) throw new CommandError(`${flag}: ${path} is a file, expected a folder (${what})`);
  return abs;
}

function readJsonFile(flag: string, path: string): unknown {
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new CommandError(`${flag}: ${path}: ${e instanceof SyntaxError ? `invalid JSON: ${e.message}` : errnoText(e)}`);
  }
}

/** The newest `checkpoint-N` folder in `dir`, or undefined. */
export function latestCheckpoint(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const steps = readdirSync(dir, { withFileTypes: true })
    .map((d) => (d.isDirectory() ? /^checkpoint-(\d+)$/.exec(d.name) : null))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  return steps.length ? join(dir, `checkpoint-${Math.max(...steps)}`) : undefined;
}

/** What the dataset check found: its summary, the record kind, how many records carry audio, and how many a text-only model leaves out. */
export interface DatasetCheck { summary: LoadSummary; kind: DataRecord['kind']; withAudio: number; records: number; leftOut: number }

/** What the dataset check needs of the model: its folder, whether it takes text only, and its chat template (read when first needed). */
export interface ModelCheck { dir: string; modelType: ModelType; textOnly: boolean; chatTemplate: () => Promise<ChatTemplate | null> }

/**
 * Read the dataset once in Node with the same parser the worker uses: bad records and paths fail
 * here, before a browser starts. With `model`, conversational records are rendered with its chat
 * template (a missing template or one that fails names the record), and a text-only model leaves
 * out records that need audio or images, as the worker does (`records` counts those kept).
 */
export async function checkDataset(flag: string, file: string, format: string, model?: ModelCheck): Promise<DatasetCheck> {
  const root = dirname(file);
  const stream = loadDataset({ format: format as 'auto', source: basename(file), tree: nodeFileTree(root), maxErrors: 5 });
  let records = 0;
  let withAudio = 0;
  let leftOut = 0;
  let kind: DataRecord['kind'] | undefined;
  try {
    for await (const r of stream) {
      kind ??= r.kind;
      if (r.kind === 'adpo' && (r.chosenImages.length || r.rejectedImages.length)) throw new CommandError(`${flag}: ${r.src.file}:${r.src.line}: ADPO with images needs a vision-language model, which is not supported yet`);
      const ex = r.kind === 'preference' || r.kind === 'asr-preference' ? toExample(r) : null;
      if (ex?.audio !== undefined) withAudio++;
      if (model?.textOnly && ex && needsMedia(ex)) { leftOut++; continue; }
      records++;
      if (r.kind === 'preference' && r.format === 'conversational' && model) await checkChat(flag, r, model);
    }
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw new CommandError(`${flag}: ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const s = stream.summary;
  if (kind !== undefined && kind !== 'asr-preference' && kind !== 'preference' && kind !== 'adpo') {
    throw new CommandError(`${flag}: ${file}: records are '${s.format}', not preference pairs (need prompt/chosen/rejected, seed 003's audio/chosen/rejected, or ADPO's response/chosen/rejected)`);
  }
  if (s.errors.length > 0) {
    const bad = s.skipped - (s.skippedByReason.filtered ?? 0);
    throw new CommandError(`${flag}: ${formatRecordError(s.errors[0])}${bad > 1 ? ` (and ${bad - 1} more bad record${bad > 2 ? 's' : ''})` : ''}`);
  }
  if (kind !== undefined && records === 0 && leftOut > 0) throw new CommandError(`${flag}: every record carries audio or images, but the model (${model?.modelType}) is text-only`);
  if (records === 0 || kind === undefined) throw new CommandError(`${flag}: ${file}: no training records${s.skipped ? ` (${s.skipped} filtered out)` : ''}`);
  return { summary: s, kind, withAudio, records, leftOut };
}

/** Render a conversational record as training will (TRL's chat-template split); failures name the record, or the model folder when it has no template. */
async function checkChat(flag: string, r: Extract<PreferenceRecord, { format: 'conversational' }>, model: ModelCheck): Promise<void> {
  const at = `${r.src.file}:${r.src.line}`;
  const template = await model.chatTemplate();
  if (!template) throw new CommandError(`${flag}: ${at}: conversational records need the model's chat template, and ${model.dir} has none (${NO_TEMPLATE})`);
  try {
    applyChatTemplate(template, r);
  } catch (e) {
    throw new CommandError(`${flag}: ${at}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The model side of the dataset check: text-only unless the registry's model is seq2seq (Whisper); the template from the folder's files. */
export function modelCheck(dir: string, modelType: ModelType): ModelCheck {
  let template: Promise<ChatTemplate | null> | undefined;
  return {
    dir,
    modelType,
    textOnly: registry[modelType].kind === 'causal-lm',
    chatTemplate: () => (template ??= (async () => {
      try {
        return folderChatTemplate(await loadHfFolder(folderSource(dir), { weights: false }));
      } catch (e) {
        throw new CommandError(`--model_name_or_path: ${e instanceof Error ? e.message : String(e)}`);
      }
    })()),
  };
}

/** Check folders and files, resolve `resume_from_checkpoint: last`, and build the runner's plan. */
export async function planTrain(config: TrainConfig, evalDataset?: string): Promise<HeadlessPlan> {
  const model = folder('--model_name_or_path', config.model_name_or_path, 'a local HF model folder; Hub ids are not downloaded');
  if (!existsSync(join(model, 'config.json'))) throw new CommandError(`--model_name_or_path: ${config.model_name_or_path} has no config.json (not an HF model folder?)`);
  const modelType = (readJsonFile('--model_name_or_path', join(model, 'config.json')) as { model_type?: unknown } | null)?.model_type;
  if (!isModelType(modelType)) throw new CommandError(`--model_name_or_path: config.json model_type ${JSON.stringify(modelType)} is not supported (llama, qwen2, whisper)`);

  const modelSide = modelCheck(model, modelType);
  const dataset = async (flag: string, path: string): Promise<{ file: string; records: number }> => {
    const file = resolve(path);
    try {
      if (statSync(file).isDirectory()) throw new CommandError(`${flag}: ${path} is a folder; give the JSONL/JSON file`);
      accessSync(file, constants.R_OK);
    } catch (e) {
      if (e instanceof CommandError) throw e;
      throw new CommandError(`${flag}: cannot read ${path}: ${errnoText(e)}`);
    }
    const data = await checkDataset(flag, file, config.dataset_format, modelSide);
    if ((data.kind === 'adpo') !== (config.trainer === 'adpo')) {
      throw new CommandError(config.trainer === 'adpo'
        ? `${flag}: --trainer adpo needs ADPO records (response, chosen and rejected contexts); ${path} holds '${data.kind}' records`
        : `${flag}: ${path} holds ADPO records (one response, two contexts): use --trainer adpo`);
    }
    if (modelType === 'whisper' && data.withAudio < data.records) throw new CommandError(`${flag}: the model is Whisper but ${data.records - data.withAudio} of ${data.records} records have no audio`);
    return { file, records: data.records };
  };
  const data = await dataset('--dataset_name', config.dataset_name);
  const evalData = evalDataset === undefined ? undefined : await dataset('--eval_dataset_name', evalDataset);

  let adapter: string | undefined;
  if (config.adapter_path !== undefined) {
    adapter = folder('--adapter_path', config.adapter_path, 'a PEFT adapter folder');
    if (!existsSync(join(adapter, 'adapter_config.json'))) throw new CommandError(`--adapter_path: ${config.adapter_path} has no adapter_config.json (not a PEFT adapter folder?)`);
  }

  const output = resolve(config.output_dir);
  if (existsSync(output) && !statSync(output).isDirectory()) throw new CommandError(`--output_dir: ${config.output_dir} is a file, expected a folder`);
  try {
    mkdirSync(output, { recursive: true });
    accessSync(output, constants.W_OK);
  } catch (e) {
    throw new CommandError(`--output_dir: cannot write ${config.output_dir}: ${errnoText(e)}`);
  }

  let resume: string | undefined;
  let resolved = config;
  const r = config.resume_from_checkpoint;
  if (r !== undefined && !/^(false|no|0)$/i.test(r)) {
    if (/^(true|yes|1|last|latest)$/i.test(r)) {
      resume = latestCheckpoint(output);
      if (!resume) throw new CommandError(`--resume_from_checkpoint: no checkpoint-N folder in ${config.output_dir}`);
    } else {
      resume = folder('--resume_from_checkpoint', r, 'a checkpoint-N folder');
    }
    resolved = { ...config, resume_from_checkpoint: resume };
  } else if (r !== undefined) {
    resolved = { ...config, resume_from_checkpoint: undefined };
  }
  // As HF's TrainingArguments: evaluation every logging_steps unless eval_steps says otherwise.
  if (evalData && resolved.eval_steps === undefined) resolved = { ...resolved, eval_steps: resolved.logging_steps };
  return {
    config: resolved, modelDir: model, modelType, dataFile: data.file, dataRecords: data.records,
    ...(evalData ? { evalFile: evalData.file, evalRecords: evalData.records } : {}),
    adapterDir: adapter, resumeDir: resume, outputDir: output,
  };
}

/** Run with the arguments after `train`; resolves to the exit code. `launch` is the headless runner (swapped in tests). */
export function run(argv: string[], io: CommandIo = stdio, launch: (plan: HeadlessPlan, io: CommandIo) => Promise<number> = runHeadless): Promise<number> {
  return guard('train', io, async () => {
    const parsed = parseFlags(flags, argv);
    if (parsed.help) { io.out(`${helpText('train', summary, flags)}\n\n${ENVIRONMENT}`); return 0; }
    const config = configFromFlags(parsed.flags as Record<string, unknown>, argv);
    const evalFile = (parsed.flags as Record<string, unknown>).eval_dataset_name;
    const plan = await planTrain(config, typeof evalFile === 'string' ? evalFile : undefined);
    return launch(plan, io);
  });
}
