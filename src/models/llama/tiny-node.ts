// Node-only: write a tiny Llama/Qwen2 HF folder to disk (tests, the demo model under public/).
import { writeFolder } from '../io/file-source-node';
import { type LlamaConfig } from './config';
import { tinyLlamaFolder } from './tiny';

/** Write the tiny model's HF folder for `c` (weights from `seed`) into `dir`. */
export async function writeTinyLlama(dir: string, c: LlamaConfig, seed: number): Promise<void> {
  await writeFolder(dir, tinyLlamaFolder(c, seed));
}
