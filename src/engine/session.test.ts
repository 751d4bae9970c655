import { describe, expect, it } from 'vitest';
import * as ortWeb from 'onnxruntime-web';
import { Graph } from './graph';
import { add, mul } from './ops';
import { GraphSession, type Ort, SessionCache, readFloat, runWithState, tensor, toDevice } from './session';

const ort = ortWeb as unknown as Ort;

/** y = x * scale; counter.next = counter + 1: a graph with state to carry. */
function counterGraph(n: number): Graph {
  const g = new Graph(`counter-${n}`);
  const x = g.input('x', 'float32', [n]);
  const c = g.input('counter', 'float32', []);
  g.output('y', mul(x, add(c, 1)));
  g.output('counter.next', add(c, 1));
  return g;
}

describe('GraphSession and state', () => {
  it('carries outputs back as the next run inputs', async () => {
    const s = await GraphSession.create(ort, counterGraph(2), { backend: 'wasm' });
    const state = new Map([['counter', tensor(ort, 'float32', Float32Array.of(0), [])]]);
    const x = tensor(ort, 'float32', Float32Array.of(1, 2), [2]);
    const ys: number[][] = [];
    for (let i = 0; i < 3; i++) ys.push([...await readFloat((await runWithState(s, { x }, state, { 'counter.next': 'counter' })).y)]);
    expect(ys).toEqual([[1, 2], [2, 4], [3, 6]]);
    expect([...await readFloat(state.get('counter')!)]).toEqual([3]);
    await s.release();
  });

  it('leaves CPU tensors as they are on CPU backends', async () => {
    const t = tensor(ort, 'float32', Float32Array.of(1), [1]);
    expect(await toDevice(ort, 'wasm', t)).toBe(t);
  });
});

describe('SessionCache', () => {
  it('builds one session per shape bucket and reuses it', async () => {
    const built: number[] = [];
    const cache = new SessionCache<{ n: number }>(async ({ n }) => {
      built.push(n);
      return GraphSession.create(ort, counterGraph(n), { backend: 'wasm' });
    });
    const a = await cache.get({ n: 4 });
    const b = await cache.get({ n: 4 });
    const c = await cache.get({ n: 8 });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(built).toEqual([4, 8]);
    expect(cache.size).toBe(2);
    const out = await c.run({ x: tensor(ort, 'float32', new Float32Array(8).fill(2), [8]), counter: tensor(ort, 'float32', Float32Array.of(1), []) });
    expect(out.y.dims).toEqual([8]);
    await cache.releaseAll();
    expect(cache.size).toBe(0);
  });
});

describe('runWithState with a shared state map', () => {
  it('feeds each session only its own inputs', async () => {
    const s = await GraphSession.create(ort, counterGraph(1), { backend: 'wasm' });
    const state = new Map([
      ['counter', tensor(ort, 'float32', Float32Array.of(5), [])],
      ['other_session_state', tensor(ort, 'float32', Float32Array.of(9), [])],
    ]);
    const out = await runWithState(s, { x: tensor(ort, 'float32', Float32Array.of(1), [1]) }, state, { 'counter.next': 'counter' });
    expect([...await readFloat(out.y)]).toEqual([6]);
    expect([...await readFloat(state.get('other_session_state')!)]).toEqual([9]);
    await s.release();
  });
});
