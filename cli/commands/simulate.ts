// `prefstudio simulate`: load an ASR dataset (LibriSpeech tree, seed TSV, or JSONL with `text`),
// bias and corrupt each transcript (src/sim), write TRL preference JSONL and print a summary.
// Without --dataset_config_path the seed script's built-in config is used (biasing 0.9/0.9/1/2,
// errors 0.1..0.25 with D 0.1, S 0.1, I 0.05), except its split: dataset_path is read as given.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import {
  type AsrRecord, type DatasetConfig, type DataRecord, type LoadSummary,
  ConfigError, DatasetError, LoadError, formatRecordError, loadDataset, parseDatasetConfigText,
} from '../../src/data';
import { nodeFileSource, nodeFileTree } from '../../src/data/io/fs-node';
import { type SimSummary, SEED_PROMPT_FORMAT, pairsToJsonl, simulatePairs } from '../../src/sim/simulate';
import { type CommandIo, CommandError, defineFlags, guard, helpText, parseFlags, stdio } from '../flags';

/** One line for `prefstudio --help`. */
export const summary = 'simulate biased prompts and chosen/rejected transcripts from an ASR dataset (TRL JSONL)';

const flags = defineFlags({
  dataset_name: { type: 'enum', values: ['openasr', 'tsv', 'jsonl'], help: 'input format (default: the config\'s dataset_name)' },
  dataset_path: { type: 'string', required: true, metavar: 'PATH', help: 'LibriSpeech folder (openasr), or the .tsv / .jsonl file' },
  dataset_config_path: { type: 'string', metavar: 'FILE', help: "seed-000 dataset config JSON (biasing, simu_perference, split, num_egs); default: the seed script's built-in one" },
  split: { type: 'string', help: 'openasr: split folder inside dataset_path (overrides the config)' },
  num_egs: { type: 'number', int: true, min: 0, help: 'use only the first N examples (overrides the config)' },
  seed: { type: 'number', int: true, min: 0, max: 0xffffffff, default: 42, help: 'random seed: the same seed and inputs give byte-identical output' },
  output: { type: 'string', required: true, metavar: 'FILE', help: 'where to write the TRL preference JSONL' },
  summary_json: { type: 'string', metavar: 'FILE', help: 'also write the summary as JSON' },
  prompt_format: { type: 'string', default: SEED_PROMPT_FORMAT, help: "prompt template, '{}' = the instruction" },
  common_coverage: { type: 'number', min: 0, max: 1, default: 0.5, help: 'biasing: share of tokens covered by "common" words (the rest are rare)' },
  bias_word_prob: { type: 'number', min: 0, max: 1, default: 0.5, help: 'errors: chance that a substitute/insertion comes from the bias list' },
  conversation: { type: 'boolean', help: 'write prompt/chosen/rejected as chat messages (TRL conversational)' },
});

/** The seed script's dataset config when none is given (dpo_online_phi4_multimodal.py). */
const SEED_DEFAULT_CONFIG = JSON.stringify({
  dataset_name: 'openasr',
  biasing: { bias_prob: 0.9, hit_prob: 0.9, max_piece_len: 1, max_num: 2 },
  simu_perference: { error_range: [0.1, 0.25], delete_prob: 0.1, substitute_prob: 0.1, insert_prob: 0.05 },
});

/** Config keys the seed's sampler has that this simulation does not use, and why. */
const IGNORED: Record<string, string> = {
  buffer_size: 'distractors come from the whole dataset, not a buffer',
  new_sampling: 'the list length is always drawn from 1..max_num',
  log_interval: 'see the summary and the output file instead',
  rand_prompt: 'the first prompt of each kind is used',
};

interface Example { id: string; text: string; audio?: string }

/** Run with the arguments after `simulate`; resolves to the exit code. */
export function run(argv: string[], io: CommandIo = stdio): Promise<number> {
  return guard('simulate', io, async () => {
    const { flags: f, help } = parseFlags(flags, argv);
    if (help) { io.out(helpText('simulate', summary, flags)); return 0; }

    const cfgFile = f.dataset_config_path ?? '(built-in seed config)';
    const config = readConfig(f.dataset_config_path, io);
    for (const [k, why] of Object.entries(IGNORED)) if (config.biasing?.[k as keyof typeof config.biasing] !== undefined) io.err(`warning: ${cfgFile}: biasing.${k}: ignored (${why})`);
    if (config.biasing?.common_word_num !== undefined && config.biasing.common_word_file === undefined) io.err(`warning: ${cfgFile}: biasing.common_word_num: ignored without common_word_file`);
    if (config.filter !== undefined) io.err(`warning: ${cfgFile}: filter: ignored (simulate does not filter by a WER file)`);

    const name = f.dataset_name ?? jsonlName(config.dataset_name, cfgFile);
    const limit = f.num_egs ?? config.num_egs ?? undefined;
    const { examples, load, root } = await readExamples(name, f.dataset_path, f.split ?? config.split, limit);
    if (examples.length === 0) throw new CommandError(`${f.dataset_path}: no usable examples (${load.skipped} skipped)${firstError(load)}`);

    const commonWords = config.biasing?.common_word_file !== undefined
      ? readCommonWords(config.biasing.common_word_file, config.biasing.common_word_num ?? undefined) : undefined;
    let result: ReturnType<typeof simulatePairs>;
    try {
      result = simulatePairs(examples.map((e) => e.text), {
        seed: f.seed,
        biasing: config.biasing ? {
          ...definedOnly({ bias_prob: config.biasing.bias_prob, hit_prob: config.biasing.hit_prob, max_piece_len: config.biasing.max_piece_len, max_num: config.biasing.max_num, tag: config.biasing.tag, tag_all: config.biasing.tag_all }),
          common_coverage: f.common_coverage,
          ...(commonWords ? { common_words: commonWords } : {}),
        } : null,
        errors: { ...definedOnly(config.simu_preference ?? {}), bias_word_prob: f.bias_word_prob, conversation: f.conversation },
        prompt_format: f.prompt_format,
      });
    } catch (e) {
      // Range checks of the sim layer name the section and field; the file is ours to add.
      throw new CommandError(`${e instanceof Error && /^(biasing|simu_preference)\./.test(e.message) ? `${cfgFile}: ` : ''}${e instanceof Error ? e.message : String(e)}`);
    }

    const outDir = nodePath.dirname(nodePath.resolve(f.output));
    const jsonl = pairsToJsonl(result, (i) => {
      const e = examples[i];
      return { id: e.id, audio: e.audio === undefined ? [] : [audioPath(nodePath.resolve(root, e.audio), outDir)] };
    });
    write(f.output, jsonl);
    const report = {
      dataset: {
        name, path: f.dataset_path, read: load.read, kept: load.kept, skipped: load.skipped, skipped_by_reason: load.skippedByReason,
        // openasr errors name files inside the tree; show them from the working folder.
        first_errors: load.errors.slice(0, 10).map((e) => formatRecordError(name === 'openasr' ? { ...e, file: nodePath.join(f.dataset_path, e.file) } : e)),
        stopped_early: load.stoppedEarly,
      },
      output: f.output,
      seed: f.seed,
      config: { biasing: reportBiasing(result.resolved.biasing), simu_preference: result.resolved.errors, prompt_format: result.resolved.promptFormat },
      ...result.summary,
    };
    if (f.summary_json !== undefined) write(f.summary_json, JSON.stringify(report, null, 2) + '\n');
    for (const line of textSummary(report, result.summary)) io.out(line);
    return 0;
  });
}

/** The biasing settings for the report: a common-word list is summarized by its size. */
function reportBiasing(b: ReturnType<typeof simulatePairs>['resolved']['biasing']) {
  if (b === null) return null;
  const { common_words, ...rest } = b;
  return common_words === undefined ? rest : { ...rest, common_words: `${common_words.length} words` };
}

function readConfig(path: string | undefined, io: CommandIo): DatasetConfig {
  let text = SEED_DEFAULT_CONFIG;
  if (path !== undefined) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new CommandError(`--dataset_config_path: cannot read ${path}${errno(e)}`);
    }
  }
  try {
    const parsed = parseDatasetConfigText(text, path ?? 'built-in config');
    for (const w of parsed.warnings) io.err(`warning: ${w}`);
    return parsed.config;
  } catch (e) {
    if (e instanceof ConfigError) throw new CommandError(e.message);
    throw e;
  }
}

function jsonlName(name: DatasetConfig['dataset_name'], cfgFile: string): 'openasr' | 'tsv' | 'jsonl' {
  if (name === undefined || name === 'openasr' || name === 'tsv') return name ?? 'openasr';
  throw new CommandError(`${cfgFile}: dataset_name: '${name}' already holds preferences; simulate reads openasr, tsv or jsonl (give --dataset_name)`);
}

function errno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': is a directory' : code ? ` (${code})` : '';
}

function firstError(s: LoadSummary): string {
  return s.errors.length ? `; first: ${formatRecordError(s.errors[0])}` : '';
}

/** Drop keys whose value is undefined, so they do not mask the simulation's defaults. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The seed's read_words: the first word of each of the first N lines, normalized. */
function readCommonWords(path: string, n: number | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CommandError(`biasing.common_word_file: cannot read ${path}${errno(e)}`);
  }
  const words = text.split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0] ?? '').filter((w) => w !== '');
  return n === undefined ? words : words.slice(0, n);
}

async function readExamples(name: 'openasr' | 'tsv' | 'jsonl', path: string, split: string | undefined, limit: number | undefined): Promise<{ examples: Example[]; load: LoadSummary; root: string }> {
  if (!existsSync(path)) throw new CommandError(`--dataset_path: ${path}: no such file or folder`);
  const isDir = statSync(path).isDirectory();
  if (name === 'openasr' && !isDir) throw new CommandError(`--dataset_path: ${path}: openasr reads a LibriSpeech folder, not a file`);
  if (name !== 'openasr' && isDir) throw new CommandError(`--dataset_path: ${path}: ${name} reads a file, not a folder`);
  const root = nodePath.resolve(isDir ? path : nodePath.dirname(path));
  const tree = nodeFileTree(root, isDir ? path : nodePath.dirname(path));
  const source = isDir ? undefined : nodeFileSource(path, path);
  const examples: Example[] = [];
  let load: LoadSummary;
  try {
    if (name === 'jsonl') {
      // Plain rows: `text` (required), `id`, and `audio` (a path, or {path}) or `audio_path`.
      const stream = loadDataset({ format: 'rows', source, tree });
      load = stream.summary;
      let n = 0;
      for await (const r of stream) {
        const e = fromRow(r, n, load);
        if (e) examples.push(e);
        if (limit !== undefined && examples.length >= limit) { load.stoppedEarly = true; break; }
        n++;
      }
    } else {
      const stream = name === 'openasr'
        ? loadDataset({ format: 'openasr', tree, split, limit })
        : loadDataset({ format: 'tsv', source, tree, limit });
      load = stream.summary;
      for await (const r of stream) examples.push(fromAsr(r));
    }
  } catch (e) {
    // Unreadable input (a missing split folder, bad bytes) is the user's to fix; bugs propagate.
    if (e instanceof DatasetError || e instanceof LoadError || (e instanceof Error && !(e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError))) {
      throw new CommandError(e.message);
    }
    throw e;
  }
  return { examples, load, root };
}

function fromAsr(r: AsrRecord): Example {
  return { id: r.id, text: r.text, audio: r.audio };
}

function fromRow(r: DataRecord, n: number, load: LoadSummary): Example | undefined {
  if (r.kind !== 'row') return undefined;
  const v = r.values;
  const skip = (field: string, message: string) => {
    const error = { file: r.src.file, line: r.src.line, field, message, reason: 'field' as const };
    load.kept--; load.skipped++;
    load.skippedByReason.field = (load.skippedByReason.field ?? 0) + 1;
    if (load.errors.length < 50) load.errors.push(error);
    return undefined;
  };
  if (typeof v.text !== 'string') return skip('text', v.text === undefined ? 'missing' : `expected a string, got ${JSON.stringify(v.text)}`);
  if (v.text.trim() === '') return skip('text', 'empty transcript');
  const audioVal = v.audio ?? v.audio_path;
  const audio = typeof audioVal === 'string' ? audioVal
    : typeof audioVal === 'object' && audioVal !== null && !Array.isArray(audioVal) && typeof audioVal.path === 'string' ? audioVal.path : undefined;
  if (audioVal !== undefined && audio === undefined) return skip('audio', `expected a path or {"path": ...}, got ${JSON.stringify(audioVal)}`);
  const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : `row${n + 1}`;
  return { id, text: v.text, ...(audio !== undefined ? { audio } : {}) };
}

/** Relative to the output file's folder (where JSONL loaders look) when inside it, else absolute. */
function audioPath(abs: string, outDir: string): string {
  const rel = nodePath.relative(outDir, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !nodePath.isAbsolute(rel);
  return (inside ? rel : abs).split(nodePath.sep).join('/');
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CommandError(`cannot write ${path}${code === 'ENOENT' ? ': no such folder' : code ? ` (${code})` : ''}`);
  }
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function textSummary(r: { dataset: { read: number; kept: number; skipped: number; skipped_by_reason: object; first_errors: string[] }; output: string }, s: SimSummary): string[] {
  const reasons = Object.entries(r.dataset.skipped_by_reason).map(([k, v]) => `${k} ${String(v)}`).join(', ');
  const lines = [
    `dataset: ${r.dataset.read} records read, ${r.dataset.kept} kept, ${r.dataset.skipped} skipped${reasons ? ` (${reasons})` : ''}`,
    ...r.dataset.first_errors.slice(0, 5).map((e) => `  skipped: ${e}`),
    `pairs: ${s.utterances} written to ${r.output} (${s.identical} identical to their reference), ${s.referenceWords} reference words`,
    `errors per reference word: configured S ${pct(s.configured.substitutionRate)} D ${pct(s.configured.deletionRate)} I ${pct(s.configured.insertionRate)} (total ${pct(s.configured.errorRate)})`,
    `                           measured   S ${pct(s.measured.substitutionRate)} D ${pct(s.measured.deletionRate)} I ${pct(s.measured.insertionRate)} (WER ${pct(s.measured.wer)})`,
  ];
  const b = s.bias;
  lines.push(b.enabled
    ? `biasing: ${b.lists} lists, ${b.entries} entries: ${b.hits} hits, ${b.distractors} distractors (hit fraction ${pct(b.hitFraction)}; kept ${pct(b.keepRate)} of ${b.candidates} drawn true pieces); ${b.rareWords} rare words${b.rareThreshold === null ? '' : ` (common: count >= ${b.rareThreshold})`}`
    : 'biasing: off (no biasing section)');
  return lines;
}
