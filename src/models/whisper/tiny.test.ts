import { describe, expect, it } from 'vitest';
import { Graph } from '../../engine';
import { openSession } from '../../engine/testing';
import { folderTokenizer, loadHfFolder, memorySource, readWeights, weightConstants } from '../io';
import { registry } from '../registry';
import { type BuildContext } from '../types';
import { fromHfConfig } from './config';
import { whisperWeightNames } from './model';
import { whisperPromptIds } from './prompt';
import { sinusoids, tinyWhisperFiles } from './tiny';

describe('tiny random Whisper folders', () => {
  it('load through the HF folder loader and run through the registry def', async () => {
    const folder = await loadHfFolder(memorySource(tinyWhisperFiles({ seed: 1, frames: 60 })));
    const def = registry[folder.modelType as 'whisper'];
    expect(def.kind).toBe('seq2seq');
    const cfg = fromHfConfig(folder.config);
    expect(cfg).toMatchObject({ dModel: 32, maxSourcePositions: 30, vocabSize: 80, decoderStartTokenId: 65, eosTokenId: 64 });
    const weights = await readWeights(folder.weights!, whisperWeightNames(cfg));
    expect(folder.weights!.names().length).toBe(whisperWeightNames(cfg).length);

    const tok = folderTokenizer(folder);
    const text = tok.encode(' the cat');
    const prompt = whisperPromptIds(folder.generationConfig, { language: 'zh', task: 'transcribe' });
    expect(tok.decode([...prompt, ...text, tok.eosId!])).toBe('<|startoftranscript|><|zh|><|transcribe|><|notimestamps|> the cat<|endoftext|>');

    if (def.kind !== 'seq2seq') throw new Error('unreachable');
    const g = new Graph();
    const ctx: BuildContext = { graph: g, weight: weightConstants(g, def.weightNames(cfg), weights) };
    const ids = [...prompt, ...text];
    const enc = def.encode(ctx, cfg, { inputFeatures: g.input('f', 'float32', [1, 80, 60]) });
    g.output('logits', def.decode(ctx, cfg, { encoderHidden: enc, inputIds: g.input('ids', 'int32', [1, ids.length]) }).logits);
    const s = await openSession(g);
    const out = await s.run({ f: { dims: [1, 80, 60], data: new Float32Array(4800).map((_, i) => Math.sin(i) * 0.5) }, ids: { dims: [1, ids.length], data: ids, dtype: 'int32' } });
    await s.release();
    expect(out.logits.dims).toEqual([1, ids.length, 80]);
    expect(out.logits.data.every(Number.isFinite)).toBe(true);
  });

  it('is deterministic in the seed', async () => {
    const w = async (seed: number) => (await loadHfFolder(memorySource(tinyWhisperFiles({ seed })))).weights!.readFloat32('model.decoder.layers.1.fc1.weight');
    expect(await w(3)).toEqual(await w(3));
    expect(await w(3)).not.toEqual(await w(4));
  });

  it('encoder positions are Whisper sinusoids', () => {
    const p = sinusoids(5, 8);
    // Row t: sin(t * 10000^(-i/3)) for i < 4, then the cosines.
    expect(p[0]).toBe(0);
    expect(p[4]).toBe(1);
    expect(p[8 + 1]).toBeCloseTo(Math.sin(10000 ** (-1 / 3)), 6);
    expect(p[4 * 8 + 4 + 3]).toBeCloseTo(Math.cos(4 / 10000), 6);
  });
});
