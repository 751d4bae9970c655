import { describe, expect, it } from 'vitest';
import { parseTrainConfig } from './config';
import { dataPlan, epochAfter, epochOrder, microBatchIndices, resolveDim, sequentialBatches } from './data';

const base = { model_name_or_path: 'm', dataset_name: 'd', output_dir: 'o' };

describe('data plan (HF accounting)', () => {
  it('counts batches, optimizer steps and fractional epochs as HF Trainer does', () => {
    const c = parseTrainConfig({ ...base, per_device_train_batch_size: 2, gradient_accumulation_steps: 2, num_train_epochs: 2 });
    const p = dataPlan(c, 9); // 5 batches (last of 1), 2 optimizer steps per epoch, remainder batch unused
    expect(p).toMatchObject({ batchesPerEpoch: 5, stepsPerEpoch: 2, totalSteps: 4 });
    expect([1, 2, 3, 4].map((s) => epochAfter(p, s))).toEqual([0.4, 0.8, 1.4, 1.8]);
    expect(dataPlan({ ...c, max_steps: 7 }, 9).totalSteps).toBe(7);
    expect(() => dataPlan({ ...c, gradient_accumulation_steps: 8 }, 9)).toThrow(/exceeds the 5 batch/);
  });

  it('walks each epoch through its own seeded permutation, micro-batch by micro-batch', () => {
    const c = parseTrainConfig({ ...base, per_device_train_batch_size: 2, gradient_accumulation_steps: 1, num_train_epochs: 2 });
    const p = dataPlan(c, 5); // 3 batches per epoch: 2, 2, 1
    const epoch0 = [0, 1, 2].flatMap((s) => microBatchIndices(p, 7, s, 0).indices);
    const epoch1 = [3, 4, 5].flatMap((s) => microBatchIndices(p, 7, s, 0).indices);
    expect([...epoch0].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(epoch0).toEqual(epochOrder(7, 0, 5));
    expect(epoch1).toEqual(epochOrder(7, 1, 5));
    expect(epoch1).not.toEqual(epoch0); // a fresh order per epoch
    expect(microBatchIndices(p, 7, 2, 0).indices).toHaveLength(1); // the smaller last batch
    expect(microBatchIndices(p, 8, 0, 0).indices).not.toEqual(microBatchIndices(p, 7, 0, 0).indices);
  });

  it('splits sequential passes and resolves symbolic dims', () => {
    expect(sequentialBatches(5, 2)).toEqual([[0, 1], [2, 3], [4]]);
    const env = { batch: 3, rows: 6 };
    expect(resolveDim(4, env)).toBe(4);
    expect(resolveDim('rows', env)).toBe(6);
    expect(resolveDim('batch+batch', env)).toBe(6);
    expect(resolveDim('(rows)/(2)', env)).toBe(3);
    expect(resolveDim('2*batch-1', env)).toBe(5);
    expect(() => resolveDim('frames', env)).toThrow(/unknown dim symbol/);
  });
});
