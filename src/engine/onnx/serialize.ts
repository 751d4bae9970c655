// Graph -> ONNX ModelProto bytes (field numbers from onnx/onnx.proto).
import { onnxDataType } from '../dtype';
import { type AttrValue, type ConstTensor, type Graph, type Node, type Value } from '../graph';
import { ProtoWriter } from './protobuf';

/** The ONNX opset our op definitions follow. */
export const OPSET = 17;
const IR_VERSION = 8;

function tensorProto(name: string, t: ConstTensor): ProtoWriter {
  const w = new ProtoWriter().packedInts(1, t.shape).int(2, onnxDataType[t.dtype]).string(8, name);
  return w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function valueInfo(v: Value): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  }
  const tensor = new ProtoWriter().int(1, onnxDataType[v.dtype]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor));
}

// AttributeProto.AttributeType: FLOAT=1 INT=2 STRING=3 TENSOR=4 FLOATS=6 INTS=7
function attribute(name: string, a: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof a === 'number') return w.int(3, a).int(20, 2);
  if (typeof a === 'string') return w.string(4, a).int(20, 3);
  if (Array.isArray(a)) return w.packedInts(8, a as number[]).int(20, 7);
  if ('float' in a) return w.float(2, a.float).int(20, 1);
  if ('floats' in a) return w.packedFloats(7, a.floats).int(20, 6);
  return w.message(5, tensorProto('', a as ConstTensor)).int(20, 4);
}

function nodeProto(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const x of n.inputs) w.string(1, x ? x.name : '');
  for (const y of n.outputs) w.string(2, y.name);
  w.string(3, `${n.op.type}_${n.id}`).string(4, n.op.type);
  for (const [k, v] of Object.entries(n.attrs)) if (!k.startsWith('_')) w.message(5, attribute(k, v));
  if (n.op.domain) w.string(7, n.op.domain);
  return w;
}

/** Nodes that some graph output depends on, in topological order (dead code is dropped). */
export function liveNodes(g: Graph): Node[] {
  const needed = new Set<Value>(g.outputs);
  const keep: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((y) => needed.has(y))) continue;
    keep.push(n);
    for (const x of n.inputs) if (x) needed.add(x);
  }
  return keep.reverse();
}

/** Serialize to ONNX bytes that ONNX Runtime loads and Netron opens. */
export function toOnnx(g: Graph): Uint8Array {
  if (!g.outputs.length) throw new Error(`graph ${g.name} has no outputs`);
  const nodes = liveNodes(g);
  const used = new Set<string>();
  for (const n of nodes) for (const x of n.inputs) if (x) used.add(x.name);
  for (const y of g.outputs) used.add(y.name);

  const graph = new ProtoWriter();
  for (const n of nodes) graph.message(1, nodeProto(n));
  graph.string(2, g.name);
  for (const [name, t] of g.initializers) if (used.has(name)) graph.message(5, tensorProto(name, t));
  for (const v of g.inputs) graph.message(11, valueInfo(v));
  for (const v of g.outputs) graph.message(12, valueInfo(v));

  const opset = new ProtoWriter().string(1, '').int(2, OPSET);
  const model = new ProtoWriter().int(1, IR_VERSION).string(2, 'prefstudio').message(7, graph).message(8, opset);
  const domains = new Set(nodes.map((n) => n.op.domain).filter((d): d is string => !!d));
  for (const d of domains) model.message(8, new ProtoWriter().string(1, d).int(2, 1));
  return model.finish();
}
