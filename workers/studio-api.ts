// The studio's data API: open a project (the built-in demo over HTTP, or files the user dropped),
// validate it with the `src/data` loaders, simulate pairs with `src/sim`, export TRL JSONL and
// decode audio clips. Pure TypeScript with no DOM: `workers/data-worker.ts` exposes it with
// comlink so big files never block the page, and the unit tests call it directly.
import { transfer } from 'comlink';
import {
  type DataRecord, type DatasetConfig, type FileLike, type FileTree, type LoadOptions, type LoadSummary, type Message,
  ConfigError, DatasetError, LoadError, exampleLimit, fileListTree, loadDataset, loadFromConfig, memorySink,
  parseDatasetConfig, parseDatasetConfigText, writeTrlJsonl,
} from '../src/data';
import { loadMonoAudio } from '../src/data/audio';
import { type ResolvedSimulation, type SimSummary, type SimulationConfig, pairsToJsonl, simulatePairs } from '../src/sim/simulate';
import { measuresOf, processUtterance } from '../src/sim/wer';
import { openDemo } from '../src/app/demo/demo';

/** Records kept in memory per project (the summary still counts every record of the input). */
export const MAX_RECORDS = 20_000;
/** Records shown in the Data page's table. */
export const PREVIEW_ROWS = 25;

/** What to open: the demo (served under `baseUrl`) or files from a picker or a drop. */
export type ProjectInput =
  | { kind: 'demo'; key: string; baseUrl: string }
  | { kind: 'files'; key: string; label: string; files: PickedFile[] };

/** A file from a picker or a drop with its path inside what was picked (`top/sub/name`). Structured-cloneable. */
export interface PickedFile {
  path: string;
  blob: Blob;
}

/** One row of the Data page's record table: where it came from and its fields as text. */
export interface PreviewRow {
  src: string;
  cells: Record<string, string>;
}

/** Where a project's preference pairs come from. */
export type PairSource = 'simulated' | 'dataset' | 'none';

/** Live counts while a project is read. */
export interface LoadProgress {
  read: number;
  kept: number;
  skipped: number;
}

/** The validation report of a project (the Data page). */
export interface ProjectReport {
  key: string;
  label: string;
  origin: 'demo' | 'files';
  /** Files in the project (tree), and the data files read (or the tree's name for `openasr`). */
  files: number;
  sources: string[];
  /** The record counts, skip reasons, first errors and warnings of the loader. */
  summary: LoadSummary;
  /** Set when nothing could be read (format not detected, no data file, unreadable input). */
  loadError: string | null;
  columns: string[];
  rows: PreviewRow[];
  /** Records held for simulation, review and judging (at most MAX_RECORDS). */
  records: number;
  config: DatasetConfig | null;
  configFile: string | null;
  configWarnings: string[];
  configError: string | null;
  /** Things the user should know (media not checked, records over the in-memory cap). */
  notes: string[];
  pairSource: PairSource;
  /** Whether the records themselves have a TRL JSONL form (preference-shaped formats). */
  exportable: boolean;
}

/** One chosen/rejected pair as the Review and Judge pages show it. */
export interface StudioPair {
  /** Stable identity for labels: the record id plus a hash of the texts (`id#hash`). */
  key: string;
  id: string;
  index: number;
  prompt: string;
  chosen: string;
  rejected: string;
  /** Audio path inside the project, when the file is there. */
  audio: string | null;
  /** Word error rate of rejected against chosen. */
  wer: number;
  biasList: string[];
}

/** The pairs of a project: simulated from ASR examples or read from a preference dataset. */
export interface PairSet {
  source: PairSource;
  pairs: StudioPair[];
  /** Simulation summary and resolved settings (simulated pairs only). */
  summary: SimSummary | null;
  resolved: ResolvedSimulation | null;
}

/** A decoded mono clip (16 kHz). */
export interface AudioClip {
  path: string;
  sampleRate: number;
  samples: Float32Array;
  duration: number;
}

interface Loaded {
  report: ProjectReport;
  tree: FileTree | null;
  records: DataRecord[];
  /** How to read the input again (export streams it anew). */
  reload: (() => ReturnType<typeof loadDataset>) | null;
}

const MEDIA = /\.(flac|wav|mp3|ogg|oga|opus|m4a|png|jpe?g|webp|gif|bmp)$/i;
const DATA = /\.(jsonl|ndjson|json|tsv)$/i;
const CONFIG_KEYS = ['biasing', 'simu_perference', 'simu_preference', 'dataset_name', 'tsv_paths', 'num_egs'];
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** FNV-1a over a string, base 36: short stable ids for pairs. */
export function hashText(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** A chat value as plain text: a string as is, messages as their text (roles shown when several). */
export function messagesText(v: string | Message[]): string {
  if (typeof v === 'string') return v;
  const text = (m: Message) => (typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : `<${p.type}>`)).join(' '));
  return v.length === 1 ? text(v[0]) : v.map((m) => `${m.role}: ${text(m)}`).join('\n');
}

/** The table cells of one record. */
export function previewRow(r: DataRecord): PreviewRow {
  const src = `${r.src.file}${r.src.line > 0 ? `:${r.src.line}` : ''}`;
  const list = (xs: string[] | undefined) => (xs && xs.length ? xs.join(', ') : '');
  switch (r.kind) {
    case 'asr': return { src, cells: { id: r.id, text: r.text, audio: r.audio, speaker: r.speaker ?? '' } };
    case 'asr-preference': return { src, cells: { id: r.id ?? '', audio: r.audio, duration: r.duration === undefined ? '' : `${r.duration} s`, chosen: r.chosen, rejected: r.rejected } };
    case 'preference': return { src, cells: { id: r.id ?? '', prompt: messagesText(r.prompt), chosen: messagesText(r.chosen), rejected: messagesText(r.rejected), media: list([...(r.audio ?? []), ...(r.images ?? [])]) } };
    case 'prompt': return { src, cells: { id: r.id ?? '', prompt: messagesText(r.prompt), media: list([...(r.audio ?? []), ...(r.images ?? [])]) } };
    case 'adpo': return { src, cells: { id: r.id ?? '', response: r.response, chosen: messagesText(r.chosen), rejected: messagesText(r.rejected), images: list([...r.chosenImages, ...r.rejectedImages]) } };
    case 'row': return { src, cells: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) };
  }
}

/** Where pairs come from for a record kind. */
function pairSourceOf(kind: DataRecord['kind'] | undefined): PairSource {
  if (kind === 'asr') return 'simulated';
  if (kind === 'asr-preference' || kind === 'preference' || kind === 'adpo') return 'dataset';
  return 'none';
}

async function readText(tree: FileTree, path: string): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of tree.file(path).stream()) parts.push(c);
  return new TextDecoder().decode(await new Blob(parts as BlobPart[]).arrayBuffer());
}

async function walk(tree: FileTree, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await tree.list(dir)) {
    const p = dir === '' ? e.name : `${dir}/${e.name}`;
    if (e.kind === 'directory') out.push(...(await walk(tree, p)));
    else out.push(p);
  }
  return out.sort();
}

interface Spec {
  label: string;
  tree: FileTree;
  files: number;
  sources: string[];
  config: DatasetConfig | null;
  configFile: string | null;
  configWarnings: string[];
  configError: string | null;
  notes: string[];
  open: (() => ReturnType<typeof loadDataset>) | null;
  loadError: string | null;
}

function parseConfig(text: string, file: string): Pick<Spec, 'config' | 'configWarnings' | 'configError'> {
  try {
    const p = parseDatasetConfigText(text, file);
    return { config: p.config, configWarnings: p.warnings, configError: null };
  } catch (e) {
    return { config: null, configWarnings: [], configError: message(e) };
  }
}

async function demoSpec(baseUrl: string): Promise<Spec> {
  const demo = await openDemo(baseUrl);
  const files = demo.manifest.files.length;
  const cfg = demo.configText !== null && demo.configFile !== null
    ? parseConfig(demo.configText, demo.configFile)
    : { config: null, configWarnings: [], configError: null };
  const config = cfg.config;
  return {
    label: demo.manifest.name, tree: demo.tree, files, sources: [demo.tree.label], ...cfg, configFile: demo.configFile, notes: [],
    open: () => (config ? loadFromConfig(config, { tree: demo.tree }) : loadDataset({ format: 'openasr', tree: demo.tree })),
    loadError: null,
  };
}

// A split folder the tree has, in any of LibriSpeech's spellings; undefined when none.
async function findSplit(tree: FileTree, split: string | undefined): Promise<string | undefined> {
  if (!split) return undefined;
  const dashed = split.replace(/\./g, '-');
  for (const c of [split, dashed, `LibriSpeech/${dashed}`, `LibriSpeech/${split}`]) {
    if (await tree.list(c).then(() => true, () => false)) return split;
  }
  return undefined;
}

async function filesSpec(label: string, picked: PickedFile[]): Promise<Spec> {
  const files: FileLike[] = picked.map(({ path, blob }) => ({ name: path.slice(path.lastIndexOf('/') + 1), size: blob.size, webkitRelativePath: path, stream: () => blob.stream() }));
  const tree = fileListTree(files, label);
  const paths = await walk(tree);
  const sizes = new Map(paths.map((p) => [p, tree.file(p).size ?? 0] as const));
  const notes: string[] = [];
  let cfg: Pick<Spec, 'config' | 'configWarnings' | 'configError'> = { config: null, configWarnings: [], configError: null };
  let configFile: string | null = null;
  for (const p of paths.filter((q) => /\.json$/i.test(q) && (sizes.get(q) ?? 0) < 1_000_000)) {
    const text = await readText(tree, p).catch(() => '');
    let value: unknown;
    try { value = JSON.parse(text); } catch { continue; }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !CONFIG_KEYS.some((k) => k in value)) continue;
    configFile = p;
    try {
      const parsed = parseDatasetConfig(value, p);
      cfg = { config: parsed.config, configWarnings: parsed.warnings, configError: null };
    } catch (e) {
      cfg = { config: null, configWarnings: [], configError: e instanceof ConfigError ? e.message : message(e) };
    }
    break;
  }
  const base = { label, tree, files: paths.length, ...cfg, configFile, notes };
  const limit = cfg.config ? exampleLimit(cfg.config) : undefined;
  if (paths.some((p) => p.endsWith('.trans.txt'))) {
    const split = await findSplit(tree, cfg.config?.split);
    if (cfg.config?.split && split === undefined) notes.push(`split '${cfg.config.split}' from ${configFile} not found in the folder: reading every chapter in it`);
    return { ...base, sources: [label], open: () => loadDataset({ format: 'openasr', tree, split, limit }), loadError: null };
  }
  const data = paths.filter((p) => DATA.test(p) && p !== configFile);
  const tsv = data.filter((p) => /\.tsv$/i.test(p));
  const sources = tsv.length ? tsv : data;
  if (sources.length === 0) {
    const what = paths.length ? `${paths.length} file(s), none of them .jsonl, .json, .tsv or a LibriSpeech *.trans.txt` : 'no files';
    return { ...base, sources: [], open: null, loadError: `No dataset found: ${what}. Drop a dataset file, or a folder with one.` };
  }
  const hasMedia = paths.some((p) => MEDIA.test(p));
  if (!hasMedia) notes.push('Media paths were checked for escapes but not for existence: only data files were given. Drop the dataset folder to check that audio and image files exist.');
  const opts: LoadOptions = { format: 'auto', source: sources, tree, checkFiles: hasMedia, limit };
  return { ...base, sources, open: () => loadDataset(opts), loadError: null };
}

async function loadProject(input: ProjectInput, onProgress?: (p: LoadProgress) => void): Promise<Loaded> {
  let spec: Spec;
  try {
    spec = input.kind === 'demo' ? await demoSpec(input.baseUrl) : await filesSpec(input.label, input.files);
  } catch (e) {
    const report = emptyReport(input, input.kind === 'demo' ? 'Demo project' : input.label);
    return { report: { ...report, loadError: message(e) }, tree: null, records: [], reload: null };
  }
  const records: DataRecord[] = [];
  const report: ProjectReport = {
    ...emptyReport(input, spec.label),
    files: spec.files, sources: spec.sources, config: spec.config, configFile: spec.configFile,
    configWarnings: spec.configWarnings, configError: spec.configError, notes: spec.notes, loadError: spec.loadError,
  };
  if (spec.open) {
    const stream = spec.open();
    let last = 0;
    try {
      for await (const r of stream) {
        if (records.length < MAX_RECORDS) records.push(r);
        const now = Date.now();
        if (onProgress && now - last > 200) {
          last = now;
          const s = stream.summary;
          onProgress({ read: s.read, kept: s.kept, skipped: s.skipped });
        }
      }
    } catch (e) {
      report.loadError = e instanceof LoadError || e instanceof DatasetError ? e.message : message(e);
    }
    report.summary = structuredClone(stream.summary);
  }
  const first = records[0];
  const preview = records.slice(0, PREVIEW_ROWS).map(previewRow);
  report.rows = preview;
  report.columns = [...new Set(preview.flatMap((r) => Object.keys(r.cells)))].filter((c) => preview.some((r) => r.cells[c] !== ''));
  report.records = records.length;
  report.pairSource = pairSourceOf(first?.kind);
  report.exportable = report.pairSource === 'dataset' || first?.kind === 'prompt';
  if (report.summary.kept > records.length) report.notes.push(`Only the first ${records.length} of ${report.summary.kept} records are held for simulation, review and judging.`);
  return { report, tree: spec.tree, records, reload: spec.open };
}

function emptyReport(input: ProjectInput, label: string): ProjectReport {
  return {
    key: input.key, label, origin: input.kind, files: 0, sources: [],
    summary: { format: 'unknown', read: 0, kept: 0, skipped: 0, skippedByReason: {}, filteredBy: {}, errors: [], warnings: [], stoppedEarly: false, done: true },
    loadError: null, columns: [], rows: [], records: 0, config: null, configFile: null, configWarnings: [], configError: null, notes: [],
    pairSource: 'none', exportable: false,
  };
}

// The last few projects, by key; the promise is cached so concurrent calls read the input once.
const cache = new Map<string, Promise<Loaded>>();

function loaded(input: ProjectInput, onProgress?: (p: LoadProgress) => void): Promise<Loaded> {
  let p = cache.get(input.key);
  if (!p) {
    p = loadProject(input, onProgress);
    cache.set(input.key, p);
    while (cache.size > 3) cache.delete(cache.keys().next().value as string);
  }
  return p;
}

function pairKey(id: string, prompt: string, chosen: string, rejected: string): string {
  return `${id}#${hashText(`${prompt}\u0000${chosen}\u0000${rejected}`)}`;
}

async function existing(tree: FileTree | null, path: string | undefined): Promise<string | null> {
  return path !== undefined && tree && (await tree.exists(path)) ? path : null;
}

async function datasetPair(r: DataRecord, index: number, tree: FileTree | null): Promise<StudioPair | null> {
  let p: Omit<StudioPair, 'key' | 'wer' | 'index'>;
  if (r.kind === 'asr-preference') {
    p = { id: r.id ?? String(index), prompt: '', chosen: r.chosen, rejected: r.rejected, audio: await existing(tree, r.audio), biasList: [] };
  } else if (r.kind === 'preference') {
    p = { id: r.id ?? String(index), prompt: messagesText(r.prompt), chosen: messagesText(r.chosen), rejected: messagesText(r.rejected), audio: await existing(tree, r.audio?.[0]), biasList: [] };
  } else if (r.kind === 'adpo') {
    // ADPO compares two contexts for one response: the contexts are the sides.
    p = { id: r.id ?? String(index), prompt: `Response: ${r.response}`, chosen: messagesText(r.chosen), rejected: messagesText(r.rejected), audio: null, biasList: [] };
  } else {
    return null;
  }
  return { ...p, index, key: pairKey(p.id, p.prompt, p.chosen, p.rejected), wer: processUtterance(p.chosen, p.rejected).wer };
}

function asrRecords(records: DataRecord[]) {
  return records.filter((r): r is Extract<DataRecord, { kind: 'asr' }> => r.kind === 'asr');
}

/** The studio's data API (exposed by workers/data-worker.ts). */
export const studioApi = {
  /** Read and validate a project; progress counts stream through `onProgress` while it is read. */
  async openProject(input: ProjectInput, onProgress?: (p: LoadProgress) => void): Promise<ProjectReport> {
    return (await loaded(input, onProgress)).report;
  },

  /** The project's pairs: simulated from its ASR examples with `sim`, or its own preference records. */
  async pairs(input: ProjectInput, sim: SimulationConfig): Promise<PairSet> {
    const l = await loaded(input);
    if (l.report.pairSource === 'simulated') {
      const asr = asrRecords(l.records);
      const result = simulatePairs(asr.map((r) => r.text), sim);
      const pairs = await Promise.all(result.pairs.map(async (p, i): Promise<StudioPair> => ({
        key: pairKey(asr[i].id, p.prompt, p.chosen, p.rejected), id: asr[i].id, index: i, prompt: p.prompt, chosen: p.chosen, rejected: p.rejected,
        audio: await existing(l.tree, asr[i].audio), wer: measuresOf(p.measured).wer, biasList: p.biasList,
      })));
      return { source: 'simulated', pairs, summary: result.summary, resolved: result.resolved };
    }
    const pairs: StudioPair[] = [];
    for (const r of l.records) {
      const p = await datasetPair(r, pairs.length, l.tree);
      if (p) pairs.push(p);
    }
    return { source: l.report.pairSource, pairs, summary: null, resolved: null };
  },

  /** The simulated pairs as TRL preference JSONL (with id, audio path, bias list, hits, error rate). */
  async exportSimulated(input: ProjectInput, sim: SimulationConfig): Promise<Blob> {
    const l = await loaded(input);
    const asr = asrRecords(l.records);
    if (asr.length === 0) throw new Error('This project has no ASR examples to simulate pairs from.');
    const result = simulatePairs(asr.map((r) => r.text), sim);
    const jsonl = pairsToJsonl(result, (i) => ({ id: asr[i].id, audio: [asr[i].audio] }));
    return new Blob([jsonl], { type: 'application/x-ndjson' });
  },

  /** The project's own records as TRL JSONL, read again from the input (every record, not only those in memory). */
  async exportRecords(input: ProjectInput): Promise<Blob> {
    const l = await loaded(input);
    if (!l.report.exportable || !l.reload) {
      throw new Error(l.report.pairSource === 'simulated' ? 'ASR examples have no chosen/rejected yet: export simulated pairs from the Simulate page.' : 'These records have no TRL preference form.');
    }
    const sink = memorySink();
    await writeTrlJsonl(l.reload(), sink);
    return sink.blob();
  },

  /** Decode one audio file of the project to 16 kHz mono (the samples' buffer is transferred). */
  async audio(input: ProjectInput, path: string): Promise<AudioClip> {
    const l = await loaded(input);
    if (!l.tree || !(await l.tree.exists(path))) throw new Error(`${path}: not in the project`);
    const parts: Uint8Array[] = [];
    for await (const c of l.tree.file(path).stream()) parts.push(c);
    const bytes = new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
    const a = await loadMonoAudio(bytes, { name: path, webAudio: 'never' });
    const clip: AudioClip = { path, sampleRate: a.sampleRate, samples: a.samples, duration: a.samples.length / a.sampleRate };
    return transfer(clip, [a.samples.buffer]);
  },

  /** Forget a project (after the user picks another). */
  close(key: string): void {
    cache.delete(key);
  },
};

/** The data worker's API type (the client wraps it with comlink). */
export type StudioApi = typeof studioApi;
