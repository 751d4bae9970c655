// Node helpers around `loadDataset`: load from a path on disk, read a config file. CLI and tests only.
import { readFile, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { ParsedConfig } from '../config/dataset-config';
import { ConfigError, parseDatasetConfigText } from '../config/dataset-config';
import { nodeFileSource, nodeFileTree } from '../io/fs-node';
import type { DatasetFormat, LoadOptions, RecordOf } from './load';
import { loadDataset } from './load';
import type { DatasetStream } from './stream';
import type { DataRecord } from './types';

/** Options of `loadDatasetFromPath`. */
export type PathLoadOptions = Omit<LoadOptions, 'source' | 'tree'> & {
  /** The dataset root media paths must stay in; default: the folder itself, or the file's folder. */
  root?: string;
};

/** Load a dataset from a folder (LibriSpeech tree) or a file; media paths are confined to `root`. */
export async function loadDatasetFromPath<F extends DatasetFormat>(path: string, opts: PathLoadOptions & { format: F }): Promise<DatasetStream<RecordOf<F>>>;
export async function loadDatasetFromPath(path: string, opts?: PathLoadOptions): Promise<DatasetStream<DataRecord>>;
export async function loadDatasetFromPath(path: string, opts: PathLoadOptions = {}): Promise<DatasetStream<DataRecord>> {
  const { root, ...rest } = opts;
  const s = await stat(path);
  if (s.isDirectory()) return loadDataset({ ...rest, tree: nodeFileTree(root ?? path) });
  const rootDir = nodePath.resolve(root ?? nodePath.dirname(path));
  const rel = nodePath.relative(rootDir, nodePath.resolve(path));
  // Relative media paths start at the file's folder, expressed inside the root.
  const baseDir = rel.startsWith('..') ? '' : nodePath.dirname(rel).split(nodePath.sep).filter((p) => p !== '.').join('/');
  return loadDataset({ baseDir, ...rest, tree: nodeFileTree(rootDir), source: nodeFileSource(path, path) });
}

/** Read and validate a dataset config JSON file (errors name the file; unknown keys are warnings). */
export async function readDatasetConfigFile(path: string): Promise<ParsedConfig> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(path));
  } catch (e) {
    if (e instanceof TypeError) throw new ConfigError(path, [{ path: '', message: 'the file is not valid UTF-8' }]);
    throw e;
  }
  return parseDatasetConfigText(text, path);
}
