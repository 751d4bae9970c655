// Worker-side I/O of a training job over the headless runner's loopback server (or any HTTP
// server with the same layout): the dataset folder as a src/data FileTree, parsing it into trainer
// examples, audio fetched/decoded/resampled on demand, and an output sink of PUT/POST requests.
// No Node imports and no trainer imports, so Node tests drive it against the real server.
import { type OutputSink, type TrainExample } from '../src/train/io';
import { type DataRecord, type FileTree, type LoadSummary, TreeNotFoundError, formatRecordError, loadDataset, normalizeRelative, readableChunks } from '../src/data';
import { loadMonoAudio } from '../src/data/audio/load';

/** Where a job's dataset is: its folder's base URL, the data file inside it, and the folder's local path (absolute record paths under it are accepted). */
export interface DatasetLocation { root: string; file: string; rootPath?: string }

/** The fetch the job uses (the global one in the worker; injectable in Node tests). */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const urlOf = (base: string, path: string): string =>
  `${base.replace(/\/+$/, '')}/${normalizeRelative(path).split('/').map(encodeURIComponent).join('/')}`;

async function httpError(r: Response, what: string): Promise<Error> {
  const body = (await r.text().catch(() => '')).trim().split('\n')[0];
  return new Error(`${what}: HTTP ${r.status}${body ? ` (${body})` : ''}`);
}

/**
 * A dataset folder served over HTTP as a src/data FileTree (exists = HEAD, file = streamed GET).
 * Paths are normalized first, so one that climbs out of the root is refused here already.
 */
export function httpTree(rootUrl: string, label: string, absPath?: string, fetchFn: Fetch = fetch): FileTree {
  return {
    label,
    absPath,
    async list(dir) {
      throw new TreeNotFoundError(label, `${dir} (folders cannot be listed over HTTP: give a data file)`, 'directory');
    },
    async exists(path) {
      const r = await fetchFn(urlOf(rootUrl, path), { method: 'HEAD' });
      if (r.ok) return true;
      if (r.status === 404) return false;
      // A HEAD answer has no body: ask again with GET for the server's reason (a 403 says which rule).
      throw await httpError(r.status === 403 ? await fetchFn(urlOf(rootUrl, path)) : r, `${label}: ${path}`);
    },
    file(path) {
      const rel = normalizeRelative(path);
      return {
        name: rel,
        async *stream() {
          const r = await fetchFn(urlOf(rootUrl, rel));
          if (r.status === 404) throw new TreeNotFoundError(label, rel, 'file');
          if (!r.ok || !r.body) throw await httpError(r, `${label}: ${rel}`);
          yield* readableChunks(r.body);
        },
      };
    },
  };
}

/** An OutputSink that PUTs files and POSTs appends under `baseUrl`, strictly in call order. */
export function httpSink(baseUrl: string, fetchFn: Fetch = fetch): OutputSink & { flush(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  let failure: Error | null = null;
  const send = (method: 'PUT' | 'POST', path: string, body: Uint8Array | string): Promise<void> => {
    const done = chain.then(async () => {
      if (failure) throw failure;
      const r = await fetchFn(urlOf(baseUrl, path), { method, body: typeof body === 'string' ? body : new Blob([body as Uint8Array<ArrayBuffer>]) });
      if (!r.ok) throw await httpError(r, `writing ${path}`);
    });
    chain = done.catch((e: unknown) => { failure ??= e instanceof Error ? e : new Error(String(e)); });
    return done;
  };
  return {
    write: (path, data) => send('PUT', path, data),
    append: (path, text) => send('POST', path, text),
    async flush() {
      await chain;
      if (failure) throw failure;
    },
  };
}

/** The trainer's examples from parsed records: TRL preference (text or messages, maybe with audio), seed 003's audio records, or ADPO text contexts. */
export function toExample(r: DataRecord): TrainExample {
  switch (r.kind) {
    case 'asr-preference':
      return { chosen: r.chosen, rejected: r.rejected, audio: r.audio, ...(r.id !== undefined ? { id: r.id } : {}) };
    case 'preference':
      // Conversational records keep their messages: the trainer renders them with the model's chat template.
      return {
        prompt: r.prompt, chosen: r.chosen, rejected: r.rejected,
        ...(r.audio?.length ? { audio: r.audio[0] } : {}), ...(r.id !== undefined ? { id: r.id } : {}),
      };
    case 'adpo': {
      const at = `${r.src.file}:${r.src.line}`;
      if (r.chosenImages.length || r.rejectedImages.length) throw new Error(`${at}: ADPO with images needs a vision-language model, which is not supported yet`);
      if (typeof r.chosen !== 'string' || typeof r.rejected !== 'string') throw new Error(`${at}: conversational ADPO contexts need a chat template, which is not supported yet`);
      return { response: r.response, chosen: r.chosen, rejected: r.rejected, ...(r.id !== undefined ? { id: r.id } : {}) };
    }
    default:
      throw new Error(`${r.src.file}:${r.src.line}: a '${r.kind}' record is not a preference pair`);
  }
}

/** Parse the job's dataset with src/data; any bad record (bad field, a path outside the root, a missing file) fails the job. */
export async function loadExamples(data: DatasetLocation, format: string, fetchFn: Fetch = fetch): Promise<{ examples: TrainExample[]; summary: LoadSummary }> {
  const tree = httpTree(data.root, data.rootPath ?? data.root, data.rootPath, fetchFn);
  const stream = loadDataset({ format: format as 'auto', source: data.file, tree, maxErrors: 5 });
  const examples: TrainExample[] = [];
  for await (const r of stream) examples.push(toExample(r));
  const s = stream.summary;
  if (s.errors.length) {
    const bad = s.skipped - (s.skippedByReason.filtered ?? 0);
    throw new Error(`${formatRecordError(s.errors[0])}${bad > 1 ? ` (and ${bad - 1} more bad records)` : ''}`);
  }
  if (!examples.length) throw new Error(`${data.file}: no training records`);
  return { examples, summary: s };
}

/** Fetch a dataset audio file (a path relative to the dataset root), decode it and resample to mono 16 kHz. */
export function audioLoader(rootUrl: string, fetchFn: Fetch = fetch): (path: string) => Promise<Float32Array> {
  return async (path) => {
    const rel = normalizeRelative(path); // NOTE: throws for a path that climbs out of the root
    const r = await fetchFn(urlOf(rootUrl, rel));
    if (!r.ok) throw await httpError(r, `audio ${rel}`);
    const a = await loadMonoAudio(new Uint8Array(await r.arrayBuffer()), { name: rel, webAudio: 'never', targetRate: 16000 });
    return a.samples;
  };
}
