// One entry point for every dataset format: `loadDataset({ format, source, tree, ... })`, used
// by the CLI, the worker and the UI alike, plus format auto-detection where it is unambiguous.
import type { DatasetConfig } from '../config/dataset-config';
import { exampleLimit } from '../config/dataset-config';
import type { ByteSource } from '../io/byte-source';
import type { FileTree } from '../io/file-tree';
import { dirName } from '../io/paths';
import type { AsrPreferenceOptions } from './asr-preference';
import { parseAsrPreference } from './asr-preference';
import { parseAdpo } from './adpo';
import { isObject } from './fields';
import type { JsonContainer } from './json-records';
import { parseJsonRecords } from './json-records';
import { parseOpenAsr } from './openasr';
import { parsePreference } from './preference';
import { parsePrompts } from './prompt';
import { parseRows } from './rows';
import type { StreamOptions } from './stream';
import { DatasetStream } from './stream';
import { EventStream } from './events';
import type { TemplateSpec } from './templated';
import { applyTemplate } from './templated';
import { parseTsv } from './tsv';
import type { AdpoRecord, AsrPreferenceRecord, AsrRecord, DataRecord, JsonObject, Parsed, PreferenceRecord, PromptRecord, RowRecord } from './types';

/** Every format `loadDataset` reads. */
export type DatasetFormat = 'openasr' | 'tsv' | 'asr-preference' | 'preference' | 'prompt' | 'adpo' | 'rows' | 'templated';

/** The record type each format yields. */
export type RecordOf<F extends DatasetFormat> = {
  openasr: AsrRecord;
  tsv: AsrRecord;
  'asr-preference': AsrPreferenceRecord;
  preference: PreferenceRecord;
  prompt: PromptRecord;
  adpo: AdpoRecord;
  rows: RowRecord;
  templated: PromptRecord;
}[F];

/** A file to read: a byte source, or a path inside `tree`. */
export type SourceSpec = ByteSource | string;

/** Options of `loadDataset`. */
export interface LoadOptions extends StreamOptions {
  /** The format; `'auto'` (default) detects it from the extension and the first record. */
  format?: DatasetFormat | 'auto';
  /** The file(s) to read; several are read one after the other (the seed's `tsv_paths`). */
  source?: SourceSpec | SourceSpec[];
  /** The dataset folder: the tree itself for `openasr`; for file formats the root media paths must stay in. */
  tree?: FileTree;
  /** Folder inside `tree` that relative media paths start from; default: the source's folder when it is a tree path, else the root. */
  baseDir?: string;
  /** Check that media files exist (default true when `tree` is set). */
  checkFiles?: boolean;
  /** Leading-directory rewrites for media paths (`/root/data/LibriSpeech` -> ``). */
  remap?: { from: string; to: string }[];
  /** `openasr`: the split folder (`test.clean` / `test-clean`). */
  split?: string;
  /** `openasr`: audio extensions in order of preference (default `.flac`). */
  audioExtensions?: string[];
  /** `tsv`: header handling (default `'auto'`). */
  header?: boolean | 'auto';
  /** JSON formats: JSONL or a JSON array (default: detect). */
  container?: JsonContainer | 'auto';
  /** `asr-preference`: duration filters in seconds. */
  minDuration?: number;
  maxDuration?: number;
  /** `templated`: the template; the sources are the parent rows. */
  template?: TemplateSpec;
}

/** Thrown when the format cannot be detected or the options do not fit the format. */
export class LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoadError';
  }
}

function open(spec: SourceSpec, tree: FileTree | undefined): { source: ByteSource; baseDir: string } {
  if (typeof spec !== 'string') return { source: spec, baseDir: '' };
  if (!tree) throw new LoadError(`source '${spec}' is a path, but no tree (folder) was given to find it in`);
  return { source: tree.file(spec), baseDir: dirName(spec) };
}

/** Guess a format from a source's name and first record; throws LoadError when unsure. */
export async function detectFormat(source: ByteSource | undefined, tree?: FileTree): Promise<DatasetFormat> {
  if (!source) {
    if (tree) return 'openasr';
    throw new LoadError('nothing to load: give a source file or a folder');
  }
  const name = source.name.toLowerCase();
  if (name.endsWith('.tsv')) return 'tsv';
  if (name.endsWith('.trans.txt')) throw new LoadError(`${source.name}: a LibriSpeech transcript; load its folder tree as format 'openasr'`);
  let first: JsonObject | undefined;
  let firstError: string | undefined;
  for await (const ev of parseJsonRecords(source, (obj) => obj)) {
    if (ev.kind === 'record') { first = ev.record; break; }
    if (ev.kind === 'error') { firstError = `${ev.error.file}:${ev.error.line}: ${ev.error.message}`; break; }
  }
  if (!first) throw new LoadError(`${source.name}: cannot detect the format${firstError ? ` (first record: ${firstError})` : ' (no records)'}; pass format explicitly`);
  const has = (k: string): boolean => first[k] !== undefined;
  if (has('response') && (has('chosen_images') || has('rejected_images') || (has('chosen') && has('rejected')))) return 'adpo';
  if (has('chosen') && has('rejected')) {
    const a = first.audio;
    const seed003 = isObject(a) || (typeof a === 'string' && typeof first.chosen === 'string' && (has('duration') || has('language')));
    return seed003 ? 'asr-preference' : 'preference';
  }
  if (has('prompt')) return 'prompt';
  throw new LoadError(`${source.name}: cannot tell the format from the first record's keys (${Object.keys(first).join(', ') || 'none'}); pass format explicitly`);
}

function parserFor(format: DatasetFormat, source: ByteSource, o: LoadOptions, baseDir: string): EventStream<DataRecord> {
  const media = { root: o.tree, baseDir: o.baseDir ?? baseDir, remap: o.remap, checkFiles: o.checkFiles, container: o.container };
  switch (format) {
    case 'tsv': return parseTsv(source, { ...media, header: o.header });
    case 'asr-preference': {
      const opts: AsrPreferenceOptions = { ...media, minDuration: o.minDuration, maxDuration: o.maxDuration };
      return parseAsrPreference(source, opts);
    }
    case 'preference': return parsePreference(source, media);
    case 'prompt': return parsePrompts(source, media);
    case 'adpo': return parseAdpo(source, media);
    case 'rows': return parseRows(source, media);
    case 'templated':
    case 'openasr':
      throw new LoadError(`internal: ${format} has no single-file parser`);
  }
}

/** Load a dataset of a known format: typed records. */
export function loadDataset<F extends DatasetFormat>(opts: LoadOptions & { format: F }): DatasetStream<RecordOf<F>>;
/** Load a dataset, detecting its format. */
export function loadDataset(opts: LoadOptions): DatasetStream<DataRecord>;
export function loadDataset(opts: LoadOptions): DatasetStream<DataRecord> {
  const specs = opts.source === undefined ? [] : Array.isArray(opts.source) ? opts.source : [opts.source];
  async function* events(): AsyncGenerator<Parsed<DataRecord>[], void, undefined> {
    const format = opts.format === undefined || opts.format === 'auto' ? await detectFormat(specs.length ? open(specs[0], opts.tree).source : undefined, opts.tree) : opts.format;
    stream.summary.format = format;
    if (format === 'openasr') {
      if (!opts.tree) throw new LoadError("format 'openasr' reads a folder: give `tree`");
      if (specs.length) throw new LoadError("format 'openasr' reads the whole folder; `source` is not used");
      yield* parseOpenAsr(opts.tree, { split: opts.split, audioExtensions: opts.audioExtensions }).batches();
      return;
    }
    if (specs.length === 0) throw new LoadError(`format '${format}' reads a file: give \`source\``);
    if (format === 'templated') {
      if (!opts.template) throw new LoadError("format 'templated' needs `template`");
      const template = opts.template;
      const rows = new EventStream<RowRecord>(async function* () {
        for (const spec of specs) {
          const { source, baseDir } = open(spec, opts.tree);
          yield* (parserFor('rows', source, opts, baseDir) as EventStream<RowRecord>).batches();
        }
      });
      yield* applyTemplate(rows, template).batches();
      return;
    }
    for (const spec of specs) {
      const { source, baseDir } = open(spec, opts.tree);
      yield* parserFor(format, source, opts, baseDir).batches();
    }
  }
  const stream = new DatasetStream<DataRecord>(events, opts, opts.format ?? 'auto');
  return stream;
}

/** Where the files of a config-described dataset are. */
export interface ConfigIo {
  /** The dataset folder (`data_dir`): a LibriSpeech tree for `openasr`, the media root otherwise. */
  tree?: FileTree;
  /** Open a `tsv_paths` entry; by default it is a path inside `tree`. */
  open?: (path: string) => ByteSource;
}

/** Load the dataset a seed-000 config describes (`dataset_name`, `split`, `tsv_paths`, `num_egs`). */
export function loadFromConfig(config: DatasetConfig, io: ConfigIo, opts: Omit<LoadOptions, 'format' | 'source' | 'tree' | 'limit'> & { maxTrainSamples?: number | null } = {}): DatasetStream<DataRecord> {
  const { maxTrainSamples, ...rest } = opts;
  const limit = exampleLimit(config, maxTrainSamples);
  const format = config.dataset_name ?? 'openasr';
  if (format === 'openasr') return loadDataset({ ...rest, format, tree: io.tree, split: config.split, limit });
  const paths = config.tsv_paths ?? [];
  if (paths.length === 0) throw new LoadError(`dataset_name '${format}' needs tsv_paths (the files to read)`);
  const source = paths.map((p) => (io.open ? io.open(p) : p));
  return loadDataset({ ...rest, format, tree: io.tree, source, limit });
}
