// LoRA settings with PEFT's meaning, module matching as PEFT does it, and adapter_config.json.

/** PEFT's LoraConfig, the fields we honour (others must keep PEFT's defaults; see fromAdapterConfigJson). */
export interface LoraConfig {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  /**
   * A list (a module matches when its name equals an entry or ends with `.entry`), `'all-linear'`
   * (every linear but the output head), or any other string: a regex that must match the whole name.
   */
  targetModules: readonly string[] | string;
  /** Scale `alpha / sqrt(r)` instead of `alpha / r`. */
  useRslora: boolean;
  /** Per-module rank overrides: pattern (matching the name's end, PEFT-style) -> r. */
  rankPattern: Readonly<Record<string, number>>;
  /** Per-module alpha overrides, like `rankPattern`. */
  alphaPattern: Readonly<Record<string, number>>;
  /** PEFT task type: `CAUSAL_LM` for LMs; null for Whisper, as PEFT's Whisper recipes leave it. */
  taskType: string | null;
  baseModelNameOrPath: string | null;
  revision: string | null;
}

/** PEFT's shorthand for every linear layer but the output head. */
export const ALL_LINEAR = 'all-linear';

/** PEFT's default target_modules per model_type (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING). */
export const PEFT_DEFAULT_TARGETS: Readonly<Record<'llama' | 'qwen2' | 'whisper', readonly string[]>> = {
  llama: ['q_proj', 'v_proj'], qwen2: ['q_proj', 'v_proj'], whisper: ['q_proj', 'v_proj'],
};

/**
 * The task_type to save: `CAUSAL_LM` for decoder-only LMs; null for Whisper, as the common PEFT
 * Whisper recipes (HF's int8 Whisper LoRA notebook) leave it unset; `SEQ_2_SEQ_LM` would load
 * too. Either way PEFT's keys carry the same `base_model.model.` prefix.
 */
export function peftTaskType(kind: 'causal-lm' | 'seq2seq'): string | null {
  return kind === 'causal-lm' ? 'CAUSAL_LM' : null;
}

/** A LoraConfig from a few fields, with PEFT's defaults for the rest (r 8, alpha 8, no dropout). */
export function loraConfig(c: Partial<LoraConfig> & Pick<LoraConfig, 'targetModules'>): LoraConfig {
  const cfg: LoraConfig = {
    r: 8, loraAlpha: 8, loraDropout: 0, useRslora: false, rankPattern: {}, alphaPattern: {},
    taskType: null, baseModelNameOrPath: null, revision: null, ...c,
  };
  if (!Number.isInteger(cfg.r) || cfg.r <= 0) throw new Error(`lora: r must be a positive integer, got ${cfg.r}`);
  if (!(cfg.loraDropout >= 0 && cfg.loraDropout < 1)) throw new Error(`lora: lora_dropout must be in [0, 1), got ${cfg.loraDropout}`);
  if (!Number.isFinite(cfg.loraAlpha)) throw new Error(`lora: lora_alpha must be a number, got ${cfg.loraAlpha}`);
  if (Array.isArray(cfg.targetModules) ? cfg.targetModules.length === 0 : cfg.targetModules === '') throw new Error('lora: target_modules is empty');
  if (typeof cfg.targetModules === 'string' && !isAllLinear(cfg.targetModules)) fullMatch(cfg.targetModules); // fail early on a bad regex
  for (const [k, v] of Object.entries(cfg.rankPattern)) if (!Number.isInteger(v) || v <= 0) throw new Error(`lora: rank_pattern '${k}' must be a positive integer, got ${v}`);
  return cfg;
}

const isAllLinear = (t: string): boolean => t.toLowerCase() === ALL_LINEAR;

function fullMatch(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new Error(`lora: target_modules regex '${pattern}' is invalid: ${(e as Error).message}`);
  }
}

/**
 * True when PEFT would adapt `moduleName` (an HF module path such as
 * `model.decoder.layers.0.self_attn.q_proj`). `outputModule` is excluded by `all-linear` only.
 */
export function matchesTarget(target: LoraConfig['targetModules'], moduleName: string, outputModule: string | null = null): boolean {
  if (typeof target === 'string') {
    if (isAllLinear(target)) return moduleName !== outputModule;
    return fullMatch(target).test(moduleName);
  }
  return target.some((t) => moduleName === t || moduleName.endsWith(`.${t}`));
}

/** The first pattern key PEFT's `get_pattern_key` would pick for `moduleName`, or null. */
function patternKey(patterns: Readonly<Record<string, number>>, moduleName: string): string | null {
  for (const k of Object.keys(patterns)) if (new RegExp(`^(?:.*\\.)?(?:${k})$`).test(moduleName)) return k;
  return null;
}

/** Rank, alpha and scale of one module (rank/alpha patterns applied; `alpha/r` or `alpha/sqrt(r)`). */
export function moduleHyper(cfg: LoraConfig, moduleName: string): { r: number; alpha: number; scale: number } {
  const rk = patternKey(cfg.rankPattern, moduleName);
  const ak = patternKey(cfg.alphaPattern, moduleName);
  const r = rk === null ? cfg.r : cfg.rankPattern[rk];
  const alpha = ak === null ? cfg.loraAlpha : cfg.alphaPattern[ak];
  return { r, alpha, scale: cfg.useRslora ? alpha / Math.sqrt(r) : alpha / r };
}

/**
 * adapter_config.json as PEFT's `save_pretrained` writes it. `targets` are the adapted module
 * names: PEFT stores `all-linear` resolved to that list (sorted here for stable files), while
 * lists and regexes are stored as given. Only fields PEFT 0.10+ knows are written, so older
 * PEFT versions load the file too; `inference_mode` is true, as PEFT saves it.
 */
export function toAdapterConfigJson(cfg: LoraConfig, targets: readonly string[]): Record<string, unknown> {
  const t = cfg.targetModules;
  return {
    alpha_pattern: { ...cfg.alphaPattern },
    auto_mapping: null,
    base_model_name_or_path: cfg.baseModelNameOrPath,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: cfg.loraAlpha,
    lora_dropout: cfg.loraDropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: cfg.r,
    rank_pattern: { ...cfg.rankPattern },
    revision: cfg.revision,
    target_modules: typeof t === 'string' ? (isAllLinear(t) ? [...targets].sort() : t) : [...t],
    task_type: cfg.taskType,
    use_dora: false,
    use_rslora: cfg.useRslora,
  };
}

type Json = Record<string, unknown>;

/**
 * Parse a PEFT adapter_config.json. Settings we cannot honour (DoRA, bias training, modules_to_save,
 * fan_in_fan_out, layer selection, other PEFT types) throw naming the field.
 */
export function fromAdapterConfigJson(json: unknown): LoraConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('adapter_config.json: not a JSON object');
  const c = json as Json;
  const fail = (msg: string): never => { throw new Error(`adapter_config.json: ${msg}`); };
  if (c.peft_type !== 'LORA') fail(`peft_type is ${JSON.stringify(c.peft_type)}; only "LORA" adapters are supported`);
  const unsupported: [string, (v: unknown) => boolean][] = [
    ['use_dora', (v) => v === true],
    ['fan_in_fan_out', (v) => v === true],
    ['bias', (v) => v !== undefined && v !== 'none'],
    ['lora_bias', (v) => v === true],
    ['modules_to_save', (v) => Array.isArray(v) && v.length > 0],
    ['layers_to_transform', (v) => v !== undefined && v !== null],
    ['layer_replication', (v) => v !== undefined && v !== null],
    ['exclude_modules', (v) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)],
    ['target_parameters', (v) => Array.isArray(v) && v.length > 0],
  ];
  for (const [k, bad] of unsupported) if (bad(c[k])) fail(`${k} = ${JSON.stringify(c[k])} is not supported`);
  const num = (k: string, fallback: number): number => {
    const v = c[k] ?? fallback;
    return typeof v === 'number' ? v : fail(`${k} must be a number, got ${JSON.stringify(v)}`);
  };
  const str = (k: string): string | null => {
    const v = c[k];
    if (v === undefined || v === null) return null;
    return typeof v === 'string' ? v : fail(`${k} must be a string or null, got ${JSON.stringify(v)}`);
  };
  const pattern = (k: string): Record<string, number> => {
    const v = c[k] ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'number')) fail(`${k} must map patterns to numbers`);
    return { ...(v as Record<string, number>) };
  };
  const t = c.target_modules;
  let targetModules: string[] | string;
  if (typeof t === 'string') targetModules = t;
  else if (Array.isArray(t) && t.every((x) => typeof x === 'string')) targetModules = [...(t as string[])];
  else targetModules = fail(`target_modules must be a list of names or a regex string, got ${JSON.stringify(t)}`);
  const rslora = c.use_rslora ?? false;
  if (typeof rslora !== 'boolean') fail(`use_rslora must be true or false, got ${JSON.stringify(rslora)}`);
  try {
    return loraConfig({
      r: num('r', 8),
      loraAlpha: num('lora_alpha', 8),
      loraDropout: num('lora_dropout', 0),
      targetModules,
      useRslora: rslora as boolean,
      rankPattern: pattern('rank_pattern'),
      alphaPattern: pattern('alpha_pattern'),
      taskType: str('task_type'),
      baseModelNameOrPath: str('base_model_name_or_path'),
      revision: str('revision'),
    });
  } catch (e) {
    return fail((e as Error).message.replace(/^lora: /, ''));
  }
}
