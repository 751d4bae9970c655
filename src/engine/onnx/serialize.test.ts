// ONNX serialization: the bytes decode as a valid ModelProto (independent reader), ORT loads
// them, dead code is pruned, negative ints and float16 data encode right.
import { describe, expect, it } from 'vitest';
import { Graph } from '../graph';
import { gradients } from '../autodiff';
import { cast, concat, gather, gemm, matmul, mul, reduceMean, reduceSum, slice, softmax, tanh, transpose, unsqueeze } from '../ops';
import { fromHalf, toHalf } from '../dtype';
import { OPSET, toOnnx } from './serialize';
import { ProtoWriter } from './protobuf';
import { decodeMessage, decodeModel, runOnce, testOrt } from '../testing';

function smallGraph() {
  const g = new Graph('small');
  const x = g.input('x', 'float32', ['B', 4]);
  const w = g.constant({ dtype: 'float32', shape: [4, 3], data: new Float32Array(12).fill(0.5) }, 'w');
  g.constant({ dtype: 'float32', shape: [2], data: new Float32Array(2) }, 'unused_const');
  const h = tanh(matmul(x, w));
  mul(h, 7); // dead: no output depends on it
  const y = g.output('y', reduceSum(h, [1]));
  return { g, x, y };
}

describe('toOnnx', () => {
  it('writes a ModelProto: IR 8, opset 17, nodes, initializers, inputs and outputs', () => {
    const { g } = smallGraph();
    const m = decodeModel(toOnnx(g));
    expect(m.irVersion).toBe(8);
    expect(m.opsets).toEqual([{ domain: '', version: OPSET }]);
    expect(OPSET).toBe(17);
    expect(m.graph.name).toBe('small');
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['MatMul', 'Tanh', 'ReduceSum', 'Identity']);
    // The weight and ReduceSum's axes: nothing else is used.
    expect(m.graph.initializers.length).toBe(2);
    expect(m.graph.initializers.map((t) => t.name)).toContain('w');
    const w = m.graph.initializers.find((t) => t.name === 'w')!;
    expect(w.dims).toEqual([4, 3]);
    expect(w.dataType).toBe(1);
    expect(new Float32Array(w.raw.slice().buffer)).toEqual(new Float32Array(12).fill(0.5));
    expect(m.graph.inputs).toEqual([{ name: 'x', elemType: 1, dims: ['B', 4] }]);
    expect(m.graph.outputs).toEqual([{ name: 'y', elemType: 1, dims: ['B'] }]);
    // Node names are unique; every node input is a graph input, an initializer or an earlier output.
    const known = new Set([...m.graph.inputs.map((v) => v.name), ...m.graph.initializers.map((t) => t.name)]);
    expect(new Set(m.graph.nodes.map((n) => n.name)).size).toBe(m.graph.nodes.length);
    for (const n of m.graph.nodes) {
      for (const i of n.inputs) if (i) expect(known.has(i), `${n.name} reads ${i}`).toBe(true);
      n.outputs.forEach((o) => known.add(o));
    }
  });

  it('prunes dead nodes and unused initializers', () => {
    const { g } = smallGraph();
    const m = decodeModel(toOnnx(g));
    expect(m.graph.nodes.some((n) => n.opType === 'Mul')).toBe(false);
    expect(m.graph.initializers.some((t) => t.name === 'unused_const')).toBe(false);
    expect(g.nodes.length).toBeGreaterThan(m.graph.nodes.length);
  });

  it('ORT loads the model: input/output names match and symbolic dims take any batch', async () => {
    const { g } = smallGraph();
    const s = await testOrt().InferenceSession.create(toOnnx(g), { executionProviders: ['wasm'] });
    expect(s.inputNames).toEqual(['x']);
    expect(s.outputNames).toEqual(['y']);
    await s.release();
    for (const b of [1, 3]) {
      const o = await runOnce(g, { x: { dims: [b, 4], data: new Array(4 * b).fill(1) } });
      expect(o.y.data).toEqual(new Array(b).fill(Math.fround(3 * Math.tanh(2))));
    }
  });

  it('encodes negative int64 attributes, packed ints and int64 initializers as two\'s complement', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3, 4]);
    g.output('a', softmax(x, -1));
    g.output('b', reduceMean(x, [-1, 0], true));
    g.output('c', unsqueeze(gather(x, g.input('i', 'int64', [2]), -1), [-1]));
    g.output('d', transpose(x, [-1, 0, 1]));
    g.output('e', slice(g.input('s', 'float32', ['T']), [-3], [-1], [-1]));
    g.output('f', concat([x, x], -2));
    const m = decodeModel(toOnnx(g));
    const node = (t: string) => m.graph.nodes.find((n) => n.opType === t)!;
    expect(node('Softmax').attrs.axis).toMatchObject({ i: -1, type: 2 });
    expect(node('ReduceMean').attrs.axes).toMatchObject({ ints: [-1, 0], type: 7 });
    expect(node('Gather').attrs.axis.i).toBe(-1);
    expect(node('Concat').attrs.axis.i).toBe(-2);
    expect(node('Transpose').attrs.perm.ints).toEqual([2, 0, 1]); // normalized: ONNX perm is non-negative
    const init = (name: string) => {
      const t = m.graph.initializers.find((v) => v.name === name)!;
      return [...new BigInt64Array(t.raw.slice().buffer)].map(Number);
    };
    const sl = node('Slice');
    expect([init(sl.inputs[1]), init(sl.inputs[2]), init(sl.inputs[3])]).toEqual([[-3], [-1], [-1]]);
    expect(init(node('Unsqueeze').inputs[1])).toEqual([-1]);
    // The raw varint of -1 is ten bytes: ff x9, 01.
    const raw = new ProtoWriter().int(3, -1).finish();
    expect([...raw]).toEqual([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(BigInt.asIntN(64, (decodeMessage(raw).get(3)![0] as { v: bigint }).v)).toBe(-1n);
  });

  it('float attributes (Gemm alpha/beta) round to float32, empty optional inputs stay empty names', async () => {
    const g = new Graph();
    const a = g.input('a', 'float32', [1, 1]);
    g.output('y', gemm(a, a, { alpha: 0.7, beta: 0.25, transB: true }));
    const m = decodeModel(toOnnx(g));
    const n = m.graph.nodes.find((v) => v.opType === 'Gemm')!;
    expect(n.attrs.alpha.f).toBe(Math.fround(0.7));
    expect(n.attrs.beta.f).toBe(0.25);
    expect(n.attrs.transB.i).toBe(1);
    expect(n.inputs).toEqual(['a', 'a', '']);
    const o = await runOnce(g, { a: { dims: [1, 1], data: [2] } });
    expect(o.y.data[0]).toBeCloseTo(2.8, 6);
  });

  it('float16 initializers store toHalf bits that ORT reads back as fromHalf values', async () => {
    const values = [0, -0, 1, -2.5, 65504, 2 ** -24, 1023 * 2 ** -24, 0.1, 1 / 3, Infinity];
    const g = new Graph();
    const h = g.constant({ dtype: 'float16', shape: [values.length], data: Uint16Array.from(values.map(toHalf)) });
    g.output('y', cast(h, 'float32'));
    const m = decodeModel(toOnnx(g));
    expect(m.graph.initializers[0].dataType).toBe(10);
    const o = await runOnce(g, {});
    expect(o.y.data).toEqual(values.map((v) => fromHalf(toHalf(v))));
  });

  it('a backward graph with symbolic dims serializes and runs (Shape, Expand, ScatterND paths)', async () => {
    const g = new Graph();
    const e = g.input('e', 'float32', [5, 2]);
    const ids = g.input('ids', 'int32', ['B', 'T']);
    const loss = reduceMean(mul(gather(e, ids, 0), 2));
    const [de] = gradients(loss, [e]);
    g.output('de', de);
    const o = await runOnce(g, { e: { dims: [5, 2], data: new Array(10).fill(1) }, ids: { dims: [2, 2], data: [0, 0, 4, 1], dtype: 'int32' } });
    expect(o.de.data).toEqual([0.5, 0.5, 0.25, 0.25, 0, 0, 0, 0, 0.25, 0.25]); // 2/8 per lookup; row 0 twice
  });
});
