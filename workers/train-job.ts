// A training job as the worker runs it, whoever asked (the headless runner through the page hook,
// or the studio): model, dataset, adapter and checkpoint folders are read over HTTP (the runner's
// loopback mounts), the dataset is parsed here with src/data (conversational records keep their
// messages for the model's chat template; a text-only model leaves out records that need audio or
// images), audio is fetched, decoded and resampled on demand, and every output is written back
// with PUT (replace) / POST (append).
import { type TrainConfig } from '../src/train/config';
import { needsMedia } from '../src/train/data';
import { type TrainExample } from '../src/train/io';
import { train, type TrainSummary } from '../src/train/trainer';
import { Graph, GraphSession, type Backend, type Ort, neg } from '../src/engine';
import { type FileSource, httpSource, readJson } from '../src/models/io/file-source';
import { modelDefFor } from '../src/models/registry';
import { formatSummary } from '../src/data';
import { type DatasetLocation, type Fetch, audioLoader, httpSink, loadExamples } from './http-io';
import { IDB_OUTPUT, idbSink } from '../src/app/runs/run-db';
import { staticFetch } from '../src/app/runs/static-fetch';

/** What the worker needs to train: the validated config and where its folders are served. */
export interface TrainJob {
  /** Names the job for `cancel`. */
  id: string;
  config: TrainConfig;
  /** Absolute base URL of the HF model folder. */
  model: string;
  /** The dataset: its folder's base URL, the data file inside it, and the folder's local path (absolute record paths under it are accepted). */
  data: DatasetLocation;
  /** Evaluation data, evaluated every `config.eval_steps`. */
  eval?: DatasetLocation;
  /** Base URL of a PEFT adapter folder to start from. */
  adapter?: string;
  /** Base URL of a checkpoint-N folder to resume. */
  resume?: string;
  /** Base URL that outputs are PUT/POSTed under, or `idb:<run id>` for the studio's IndexedDB run history. */
  output: string;
  /** The folders are on a static single-page-app server (the studio's own origin): an index.html answer means a missing file. */
  static?: boolean;
}

/** What streams back while a job runs (plain data). */
export type TrainEvent =
  | { type: 'progress'; step: number; totalSteps: number; epoch: number; phase: string }
  | { type: 'log'; entry: Record<string, number> }
  | { type: 'message'; text: string };

/** The end of a job: the trainer's summary plus what the worker measured. */
export interface TrainJobResult {
  summary: TrainSummary;
  backend: Backend;
  /** Training examples after parsing. */
  examples: number;
  /** The dataset report (`preference: read 4, kept 4, skipped 0`). */
  dataset: string;
  /** Wall time of the whole job in the worker (ms): loading, sessions, training, writing. */
  wallMs: number;
}

const EVAL_AUDIO = '//eval/';

/**
 * Make ORT create its WebGPU device (it does so with the first WebGPU session), so tensors can be
 * uploaded with `toDevice` before any session of the run exists. Release the returned session
 * when the job ends.
 * NOTE: `ort.env.webgpu.device` is undefined until then, and the trainer uploads frozen weights
 * before it opens its first session.
 */
export async function holdWebGpuDevice(ort: Ort): Promise<GraphSession> {
  const g = new Graph('webgpu_init');
  g.output('y', neg(g.input('x', 'float32', [1])));
  return GraphSession.create(ort, g, { backend: 'webgpu' });
}

/** Run a job to its end (or until `shouldStop`, after which the trainer checkpoints). */
export async function runTrainJob(ort: Ort, job: TrainJob, onEvent: (e: TrainEvent) => void, shouldStop: () => boolean, fetchArg: Fetch = fetch): Promise<TrainJobResult> {
  const fetchFn = job.static ? staticFetch(fetchArg) : fetchArg;
  const t0 = performance.now();
  const backend: Backend = job.config.device;
  onEvent({ type: 'progress', step: 0, totalSteps: 0, epoch: 0, phase: 'reading the dataset' });
  const model = httpSource(job.model, fetchFn);
  const textOnly = await isTextOnly(model);
  const read = async (d: DatasetLocation) => {
    const { examples, summary } = await loadExamples(d, job.config.dataset_format, fetchFn);
    return { summary, ...(textOnly ? withoutMedia(examples, d.file) : { examples, left: '' }) };
  };
  const { examples, summary, left } = await read(job.data);
  onEvent({ type: 'message', text: `dataset: ${formatSummary(summary, 3)}` });
  if (left) onEvent({ type: 'message', text: `dataset: ${left}` });
  // Eval audio lives under its own mount: its paths get a prefix no normalized path has.
  const evalExamples = job.eval
    ? (await read(job.eval)).examples.map((e) => (typeof e.audio === 'string' ? { ...e, audio: `${EVAL_AUDIO}${e.audio}` } : e))
    : undefined;
  const trainAudio = audioLoader(job.data.root, fetchFn);
  const evalAudio = job.eval ? audioLoader(job.eval.root, fetchFn) : trainAudio;
  const output = job.output.startsWith(IDB_OUTPUT) ? idbSink(job.output) : httpSink(job.output, fetchFn);
  const hold = backend === 'webgpu' ? await holdWebGpuDevice(ort) : null;
  const result = await train(job.config, {
    ort,
    backend,
    model,
    examples,
    ...(evalExamples ? { evalExamples } : {}),
    loadAudio: (p) => (p.startsWith(EVAL_AUDIO) ? evalAudio(p.slice(EVAL_AUDIO.length)) : trainAudio(p)),
    ...(job.adapter ? { adapter: httpSource(job.adapter) } : {}),
    ...(job.resume ? { resume: httpSource(job.resume) } : {}),
    output,
    onLog: (entry) => onEvent({ type: 'log', entry: { ...entry } }),
    onProgress: (p) => onEvent({ type: 'progress', step: p.step, totalSteps: p.totalSteps, epoch: p.epoch, phase: p.phase }),
    shouldStop,
  }).finally(() => hold?.release());
  await output.flush();
  return { summary: result, backend, examples: examples.length, dataset: formatSummary(summary, 3), wallMs: performance.now() - t0 };
}

/** True when the folder's model_type takes text only (a causal LM: no audio, no images). */
export async function isTextOnly(model: FileSource): Promise<boolean> {
  return modelDefFor(await readJson(model, 'config.json')).kind === 'causal-lm';
}

/**
 * A text-only model's examples: those that need audio or images are left out, and `left` says how
 * many (empty when none); when every one needs media the job fails, naming the file.
 */
export function withoutMedia(xs: readonly TrainExample[], file: string): { examples: TrainExample[]; left: string } {
  const examples = xs.filter((x) => !needsMedia(x));
  const n = xs.length - examples.length;
  if (n && !examples.length) throw new Error(`${file}: every record carries audio or images, but the model is text-only`);
  return { examples, left: n ? `${n} record${n === 1 ? '' : 's'} with audio or images left out (the model is text-only)` : '' };
}
