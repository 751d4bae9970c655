// A tiny protobuf reader for tests: decodes ONNX ModelProto bytes independently of the writer.

/** One decoded field value: varints as bigint, fixed32 as its 4 bytes, length-delimited as bytes. */
export type Field = { wire: 0; v: bigint } | { wire: 1 | 2 | 5; bytes: Uint8Array };

/** Fields of one message by number, in order of appearance. */
export function decodeMessage(buf: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let p = 0;
  const varint = (): bigint => {
    let x = 0n;
    let shift = 0n;
    for (;;) {
      if (p >= buf.length) throw new Error('truncated varint');
      const b = buf[p++];
      x |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return x;
      shift += 7n;
      if (shift > 63n) throw new Error('varint longer than 10 bytes');
    }
  };
  while (p < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let f: Field;
    if (wire === 0) f = { wire, v: varint() };
    else if (wire === 2) {
      const n = Number(varint());
      if (p + n > buf.length) throw new Error(`field ${field}: length ${n} past the end`);
      f = { wire, bytes: buf.subarray(p, p + n) };
      p += n;
    } else if (wire === 5 || wire === 1) {
      const n = wire === 5 ? 4 : 8;
      f = { wire, bytes: buf.subarray(p, p + n) };
      p += n;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (field === 0) throw new Error('field number 0');
    const list = out.get(field) ?? [];
    list.push(f);
    out.set(field, list);
  }
  return out;
}

const td = new TextDecoder();
const bytesOf = (f: Field): Uint8Array => { if (f.wire === 0) throw new Error('expected bytes'); return f.bytes; };
const str = (m: Map<number, Field[]>, n: number): string[] => (m.get(n) ?? []).map((f) => td.decode(bytesOf(f)));
const int = (m: Map<number, Field[]>, n: number): bigint | undefined => {
  const f = m.get(n)?.at(-1);
  if (!f) return undefined;
  if (f.wire !== 0) throw new Error(`field ${n}: expected a varint`);
  return BigInt.asIntN(64, f.v);
};
/** Repeated int64 in either packed or unpacked form, signed. */
function ints(m: Map<number, Field[]>, n: number): number[] {
  const out: number[] = [];
  for (const f of m.get(n) ?? []) {
    if (f.wire === 0) { out.push(Number(BigInt.asIntN(64, f.v))); continue; }
    for (const [, vs] of decodeMessage(prefixPacked(bytesOf(f)))) for (const v of vs) if (v.wire === 0) out.push(Number(BigInt.asIntN(64, v.v)));
  }
  return out;
}
/** Re-key a packed varint run as repeated field 1 so decodeMessage can read it. */
function prefixPacked(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const byte of b) { if (start) out.push(0x08); out.push(byte); start = !(byte & 0x80); }
  return Uint8Array.from(out);
}
const f32At = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);

/** A decoded ONNX attribute. */
export interface DecodedAttr { name: string; type: number; i?: number; f?: number; s?: string; ints?: number[]; floats?: number[] }
/** A decoded ONNX node. */
export interface DecodedNode { name: string; opType: string; domain: string; inputs: string[]; outputs: string[]; attrs: Record<string, DecodedAttr> }
/** A decoded initializer. */
export interface DecodedTensor { name: string; dataType: number; dims: number[]; raw: Uint8Array }
/** A decoded graph input/output: name, element type, dims (numbers or dim_param strings). */
export interface DecodedValueInfo { name: string; elemType: number; dims: (number | string)[] }
/** A decoded ONNX model. */
export interface DecodedModel {
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  graph: { name: string; nodes: DecodedNode[]; initializers: DecodedTensor[]; inputs: DecodedValueInfo[]; outputs: DecodedValueInfo[] };
}

function tensor(m: Map<number, Field[]>): DecodedTensor {
  return { dims: ints(m, 1), dataType: Number(int(m, 2) ?? 0n), name: str(m, 8)[0] ?? '', raw: m.get(9) ? bytesOf(m.get(9)![0]) : new Uint8Array() };
}

function valueInfo(b: Uint8Array): DecodedValueInfo {
  const m = decodeMessage(b);
  const type = decodeMessage(bytesOf(m.get(2)![0]));
  const t = decodeMessage(bytesOf(type.get(1)![0]));
  const shape = t.get(2) ? decodeMessage(bytesOf(t.get(2)![0])) : new Map<number, Field[]>();
  const dims = (shape.get(1) ?? []).map((f) => {
    const d = decodeMessage(bytesOf(f));
    return d.has(2) ? str(d, 2)[0] : Number(int(d, 1));
  });
  return { name: str(m, 1)[0], elemType: Number(int(t, 1)), dims };
}

function attribute(b: Uint8Array): DecodedAttr {
  const m = decodeMessage(b);
  const a: DecodedAttr = { name: str(m, 1)[0], type: Number(int(m, 20)) };
  if (m.has(2)) a.f = f32At(bytesOf(m.get(2)![0]));
  if (m.has(3)) a.i = Number(int(m, 3));
  if (m.has(4)) a.s = str(m, 4)[0];
  if (m.has(7)) {
    a.floats = [];
    for (const f of m.get(7)!) {
      const bs = bytesOf(f);
      for (let o = 0; o < bs.length; o += 4) a.floats.push(f32At(bs.subarray(o)));
    }
  }
  if (m.has(8)) a.ints = ints(m, 8);
  return a;
}

/** Decode ModelProto bytes (field numbers from onnx/onnx.proto). */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const m = decodeMessage(bytes);
  const g = decodeMessage(bytesOf(m.get(7)![0]));
  const nodes = (g.get(1) ?? []).map((f): DecodedNode => {
    const n = decodeMessage(bytesOf(f));
    const attrs: Record<string, DecodedAttr> = {};
    for (const af of n.get(5) ?? []) { const a = attribute(bytesOf(af)); attrs[a.name] = a; }
    return { inputs: str(n, 1), outputs: str(n, 2), name: str(n, 3)[0], opType: str(n, 4)[0], domain: str(n, 7)[0] ?? '', attrs };
  });
  return {
    irVersion: Number(int(m, 1)),
    producer: str(m, 2)[0],
    opsets: (m.get(8) ?? []).map((f) => { const o = decodeMessage(bytesOf(f)); return { domain: str(o, 1)[0] ?? '', version: Number(int(o, 2)) }; }),
    graph: {
      name: str(g, 2)[0],
      nodes,
      initializers: (g.get(5) ?? []).map((f) => tensor(decodeMessage(bytesOf(f)))),
      inputs: (g.get(11) ?? []).map((f) => valueInfo(bytesOf(f))),
      outputs: (g.get(12) ?? []).map((f) => valueInfo(bytesOf(f))),
    },
  };
}
