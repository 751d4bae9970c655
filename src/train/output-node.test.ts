import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySink } from './io';
import { folderSink } from './output-node';

describe('output sinks', () => {
  it('a folder sink writes, appends and creates folders, and refuses paths outside output_dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prefstudio-out-'));
    try {
      const s = folderSink(dir);
      await s.write('checkpoint-2/trainer_state.json', '{}');
      await s.write('a.bin', Uint8Array.of(1, 2, 3));
      await s.append('metrics.jsonl', 'x\n');
      await s.append('metrics.jsonl', 'y\n');
      expect(await readFile(join(dir, 'checkpoint-2/trainer_state.json'), 'utf8')).toBe('{}');
      expect([...(await readFile(join(dir, 'a.bin')))]).toEqual([1, 2, 3]);
      expect(await readFile(join(dir, 'metrics.jsonl'), 'utf8')).toBe('x\ny\n');
      await expect(s.write('../escape.txt', 'no')).rejects.toThrow(/leaves/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a memory sink reads a sub-folder back as a FileSource', async () => {
    const s = memorySink();
    await s.write('checkpoint-1/adapter_config.json', '{"r": 4}');
    await s.append('metrics.jsonl', 'a\n');
    await s.append('metrics.jsonl', 'b\n');
    const src = s.source('checkpoint-1');
    expect(await src.has('adapter_config.json')).toBe(true);
    expect(new TextDecoder().decode(await src.read('adapter_config.json'))).toBe('{"r": 4}');
    expect(await src.has('metrics.jsonl')).toBe(false);
    expect(s.text('metrics.jsonl')).toBe('a\nb\n');
  });
});
