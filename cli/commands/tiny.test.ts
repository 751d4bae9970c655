import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './tiny';
import { folderSource } from '../../src/models/io/file-source-node';
import { loadModel } from '../../src/models/registry';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe('prefstudio tiny', () => {
  it.each(['llama', 'qwen2', 'whisper'])('writes a %s folder the model loader accepts', async (type) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tiny-')), type);
    const c = capture();
    expect(await run(['--model_type', type, '--output_dir', dir, '--seed', '3'], c.io)).toBe(0);
    const m = await loadModel(folderSource(dir));
    expect(m.def.modelType).toBe(type);
    expect(m.specs.length).toBeGreaterThan(5);
  });

  it('refuses a non-empty folder and a bad type in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiny-'));
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'keep.txt'), 'mine');
    const c = capture();
    expect(await run(['--model_type', 'llama', '--output_dir', join(dir, 'x')], c.io)).toBe(1);
    expect(c.err).toEqual([expect.stringMatching(/^prefstudio tiny: --output_dir: .* is not empty$/)]);
    const d = capture();
    expect(await run(['--model_type', 'gpt9', '--output_dir', join(dir, 'y')], d.io)).toBe(2);
    expect(d.err.length).toBe(1);
  });
});
