// The dataset config JSON of seed 000 (`examples/configs/audio_dataset_config.json`), validated
// with zod. Unknown keys are warnings naming their path (a typo must not pass silently, nor
// stop a run); wrong types and out-of-range values are errors naming the field path.
// The seed spells the simulation block `simu_perference`; `simu_preference` is accepted too and
// both come out as `simu_preference`.
import { z } from 'zod';
import { jsonErrorPosition } from '../io/json-position';

const prob = z.number().min(0).max(1);
const count = z.number().int().min(0);

/** Biasing options (the seed's PieceSampler). Defaults are the simulation's business; absent stays absent. */
export const biasingSchema = z.object({
  /** Probability that an example gets a biasing prompt at all. */
  bias_prob: prob.optional(),
  /** Probability that a bias-list entry is a piece of the reference (a hit) rather than a distractor. */
  hit_prob: prob.optional(),
  /** Longest piece, in words. */
  max_piece_len: z.number().int().min(1).optional(),
  /** Most entries in the bias list. */
  max_num: count.optional(),
  /** Size of the distractor buffer (pieces seen in earlier examples). */
  buffer_size: z.number().int().min(1).optional(),
  /** The sampler's alternative count draw (`random.randint(0, min(max_num, len))`). */
  new_sampling: z.boolean().optional(),
  /** A word list of common words that are never picked as rare pieces. */
  common_word_file: z.string().optional(),
  common_word_num: count.nullable().optional(),
  /** Marker around bias pieces in the text (`*word*`). */
  tag: z.string().optional(),
  tag_all: z.boolean().optional(),
  log_interval: z.number().int().min(1).nullable().optional(),
  /** Pick the task prompt at random from the prompt list. */
  rand_prompt: z.boolean().optional(),
  /** Share of tokens the common words cover when no common-word list is given (src/sim's rarity rule). */
  common_coverage: prob.optional(),
});

const errorRange = z.union([prob, z.tuple([prob, prob])], { error: 'expected a rate in [0, 1] or a pair [low, high]' });

/** Error simulation options (the seed's ErrorSimulator): a rate drawn from `error_range`, then edits. */
export const errorSimSchema = z.object({
  /** The word error rate of the rejected text is drawn uniformly from this range. */
  error_range: errorRange.optional(),
  delete_prob: prob.optional(),
  substitute_prob: prob.optional(),
  insert_prob: prob.optional(),
  /** Chance that a substitute or insertion is drawn from the bias list rather than the vocabulary. */
  bias_word_prob: prob.optional(),
  /** Write pairs as chat messages rather than plain prompt strings. */
  conversation: z.boolean().optional(),
});

/** Keep only examples whose precomputed WER lies in a range (the seed's `filter`). */
export const werFilterSchema = z.object({
  wer_file: z.string().optional(),
  wer_range: z.tuple([z.number(), z.number()]).optional(),
});

/** The formats a config may name (the seed's two, plus PrefStudio's JSON formats). */
export const datasetNames = ['openasr', 'tsv', 'asr-preference', 'preference', 'prompt', 'adpo'] as const;

/** The whole dataset config as written (before normalization). */
export const datasetConfigSchema = z.object({
  dataset_name: z.enum(datasetNames).optional(),
  /** Dataset config name (`librispeech`). */
  name: z.string().optional(),
  /** Split (`test.clean`); for a local LibriSpeech tree, the split folder. */
  split: z.string().optional(),
  /** Use only the first N examples (the reader stops there). */
  num_egs: count.nullable().optional(),
  streaming: z.boolean().optional(),
  num_shards: z.number().int().min(1).optional(),
  /** TSV files for `dataset_name: "tsv"`. */
  tsv_paths: z.union([z.string(), z.array(z.string())]).optional(),
  /** Local folder holding the dataset (audio paths resolve inside it). */
  data_dir: z.string().optional(),
  biasing: biasingSchema.optional(),
  simu_perference: errorSimSchema.optional(),
  simu_preference: errorSimSchema.optional(),
  filter: werFilterSchema.optional(),
  /** Decode the audio while loading. */
  load_audio: z.boolean().optional(),
});

/** Error simulation options after normalization: `error_range` is always a pair. */
export type ErrorSimConfig = Omit<z.infer<typeof errorSimSchema>, 'error_range'> & { error_range?: [number, number] };
/** Biasing options. */
export type BiasingConfig = z.infer<typeof biasingSchema>;

/** The parsed, normalized dataset config (what the simulation and loaders consume). */
export type DatasetConfig = Omit<z.infer<typeof datasetConfigSchema>, 'simu_perference' | 'simu_preference' | 'tsv_paths'> & {
  simu_preference?: ErrorSimConfig;
  tsv_paths?: string[];
};

/** One invalid field, with its dotted path (`biasing.bias_prob`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** An invalid config: every issue, one per line, `file: path: message`. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${file}: ${i.path || '(top level)'}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** A parsed config and its warnings (unknown keys). */
export interface ParsedConfig {
  config: DatasetConfig;
  warnings: string[];
}

function pathString(path: PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

// Unknown keys, by walking the value alongside the object schemas.
function unknownKeys(schema: z.ZodType, value: unknown, path: PropertyKey[], out: string[]): void {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  if (!(s instanceof z.ZodObject) || typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const shape = s.shape as Record<string, z.ZodType>;
  for (const [k, v] of Object.entries(value)) {
    const p = [...path, k];
    if (!(k in shape)) out.push(`${pathString(p)}: unknown key (known here: ${Object.keys(shape).join(', ')})`);
    else unknownKeys(shape[k], v, p, out);
  }
}

/** Validate a config object. Throws ConfigError listing every bad field; unknown keys are warnings. */
export function parseDatasetConfig(value: unknown, file = 'dataset config'): ParsedConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(file, [{ path: '', message: `expected a JSON object, got ${typeName(value)}` }]);
  const r = datasetConfigSchema.safeParse(value);
  if (!r.success) {
    throw new ConfigError(file, r.error.issues.map((i) => {
      const got = i.path.reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<PropertyKey, unknown>)[k] : undefined), value);
      const msg = i.code === 'invalid_type' ? `expected ${i.expected}, got ${typeName(got)}` : i.message.replace(/^Invalid input: /, '');
      return { path: pathString(i.path), message: msg };
    }));
  }
  const warnings: string[] = [];
  unknownKeys(datasetConfigSchema, value, [], warnings);
  const { simu_perference, simu_preference, tsv_paths, ...rest } = r.data;
  if (simu_perference && simu_preference) throw new ConfigError(file, [{ path: 'simu_preference', message: 'give either simu_perference (the seed spelling) or simu_preference, not both' }]);
  const sim = simu_preference ?? simu_perference;
  const config: DatasetConfig = { ...rest };
  if (tsv_paths !== undefined) config.tsv_paths = typeof tsv_paths === 'string' ? [tsv_paths] : tsv_paths;
  if (sim) {
    const { error_range, ...probs } = sim;
    const range: [number, number] | undefined = error_range === undefined ? undefined : typeof error_range === 'number' ? [error_range, error_range] : error_range;
    if (range && range[0] > range[1]) throw new ConfigError(file, [{ path: `${simu_preference ? 'simu_preference' : 'simu_perference'}.error_range`, message: `low ${range[0]} is above high ${range[1]}` }]);
    config.simu_preference = { ...probs, ...(range ? { error_range: range } : {}) };
  }
  if (config.filter?.wer_range && config.filter.wer_range[0] > config.filter.wer_range[1]) {
    throw new ConfigError(file, [{ path: 'filter.wer_range', message: `low ${config.filter.wer_range[0]} is above high ${config.filter.wer_range[1]}` }]);
  }
  return { config, warnings: warnings.map((w) => `${file}: ${w}`) };
}

/** Parse config JSON text; a syntax error names the file, line and column. */
export function parseDatasetConfigText(text: string, file = 'dataset config'): ParsedConfig {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const pos = jsonErrorPosition(body);
    const msg = (e as Error).message;
    throw new ConfigError(pos ? `${file}:${pos.line}` : file, [{ path: '', message: `invalid JSON${pos ? ` at column ${pos.column}` : ''}: ${msg}` }]);
  }
  return parseDatasetConfig(value, file);
}

/** How many examples to read: the smaller of `num_egs` and `--max_train_samples` (undefined = all). */
export function exampleLimit(config: Pick<DatasetConfig, 'num_egs'>, maxTrainSamples?: number | null): number | undefined {
  const a = config.num_egs ?? undefined;
  const b = maxTrainSamples ?? undefined;
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** A templated prompt source as a config file gives it (seed 004; TOML or JSON). */
export const templatedSourceSchema = z.object({
  /** A prompt template with `{column}` placeholders (a standard prompt)... */
  template: z.string().optional(),
  /** ...or chat messages whose contents are templates (a conversational prompt). */
  messages: z.array(z.object({ role: z.string().min(1), content: z.string() })).min(1).optional(),
  take: count.optional(),
  filter_length: z.boolean().optional(),
  max_new_tokens: z.number().int().min(1).optional(),
}).refine((t) => (t.template === undefined) !== (t.messages === undefined), { message: 'give exactly one of template or messages' })
  .refine((t) => !t.filter_length || t.max_new_tokens !== undefined, { message: 'filter_length needs max_new_tokens', path: ['max_new_tokens'] });

/** A parsed templated source config. */
export type TemplatedSourceConfig = z.infer<typeof templatedSourceSchema>;
