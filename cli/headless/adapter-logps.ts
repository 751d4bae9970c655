// Node-side check of a saved PEFT adapter: merge it into the base weights as PEFT's
// merge_and_unload does (W + s * B @ A) and run the plain model forward on ORT's WASM EP, giving
// per-example completion log-probs. If the adapter files are complete and mean what PEFT says,
// these reproduce the log-probs the trained model (the worker's in-memory state) reported.
import { basename, dirname } from 'node:path';
import { GraphSession, type Ort, readFloat, tensor } from '../../src/engine';
import { loadDataset } from '../../src/data';
import { nodeFileTree } from '../../src/data/io/fs-node';
import { loadMonoAudio } from '../../src/data/audio/load';
import { folderSource } from '../../src/models/io/file-source-node';
import { loadPeftAdapter, mergedWeight } from '../../src/models/lora';
import { type TrainConfig } from '../../src/train/config';
import { FeatureSource, batchLayout, buildBatch, prepareExample, runLength } from '../../src/train/data';
import { REF_INPUTS, buildReferenceGraph } from '../../src/train/graphs';
import { INPUT_NAMES } from '../../src/train/policy';
import { loadSetup } from '../../src/train/setup';
import { toExample } from '../../workers/http-io';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Per-example completion log-probs: sums (DPO's) and per-token means (ORPO's), chosen and rejected. */
export interface ExampleLogps { chosenSum: number[]; rejectedSum: number[]; chosenMean: number[]; rejectedMean: number[] }

/** Log-probs of every record of `dataFile` under `modelDir` with `adapterDir` merged in (no adapter: the base model). */
export async function adapterLogps(ort: Ort, o: { modelDir: string; adapterDir?: string; dataFile: string; config: TrainConfig }): Promise<ExampleLogps> {
  const setup = await loadSetup(folderSource(o.modelDir), o.config);
  const weights = new Map(setup.weights);
  if (o.adapterDir) {
    const adapter = await loadPeftAdapter(folderSource(o.adapterDir), { linears: setup.linears, outputModule: setup.outputModule });
    for (const m of adapter.targetNames) weights.set(`${m}.weight`, mergedWeight(adapter, m, weights.get(`${m}.weight`)!));
  }
  const root = dirname(o.dataFile);
  const records = await loadDataset({ format: o.config.dataset_format as 'auto', source: basename(o.dataFile), tree: nodeFileTree(root) }).toArray();
  const prepared = records.map((r, i) => prepareExample(toExample(r), i, setup, o.config, 'pairs'));
  const layout = batchLayout('pairs', runLength([prepared], setup), setup, prepared);
  const loadAudio = async (p: string) => (await loadMonoAudio(new Uint8Array(await readFile(join(root, p))), { name: p, webAudio: 'never' })).samples;
  const features = setup.whisper ? new FeatureSource(setup, loadAudio) : null;
  const session = await GraphSession.create(ort, buildReferenceGraph(setup.model, setup.specs, layout), { backend: 'wasm' });
  try {
    const b = await buildBatch(prepared, prepared.map((_, i) => i), layout, setup.padId, features);
    const feeds = Object.fromEntries([
      ...setup.specs.map((w) => [w.name, tensor(ort, 'float32', weights.get(w.name)!, w.shape)] as const),
      ...Object.entries(b.feeds).map(([n, h]) => [n, tensor(ort, h.dtype, h.data, h.dims)] as const),
    ].filter(([n]) => session.session.inputNames.includes(n)));
    const res = await session.run(feeds);
    const chosenSum = [...await readFloat(res[REF_INPUTS.chosen])];
    const rejectedSum = [...await readFloat(res[REF_INPUTS.rejected])];
    // Completion tokens per row, from the batch's completion mask (chosen rows first).
    const mask = b.feeds[INPUT_NAMES.completionMask].data as Float32Array;
    const T = layout.length;
    const count = (row: number) => mask.subarray(row * T, (row + 1) * T).reduce((s, v) => s + v, 0);
    const n = prepared.length;
    return {
      chosenSum, rejectedSum,
      chosenMean: chosenSum.map((s, i) => s / count(i)),
      rejectedMean: rejectedSum.map((s, i) => s / count(n + i)),
    };
  } finally {
    await session.release();
  }
}

/** The mean of a list. */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
