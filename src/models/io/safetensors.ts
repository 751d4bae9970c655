// safetensors read/write. Layout: u64 little-endian header length N, N bytes of JSON
// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the data;
// offsets are relative to the first data byte. Tensors are read one at a time by byte range.
import { type FileSource, readJson } from './file-source';

/** Element types a safetensors header may name, with their byte sizes. */
export const SAFE_DTYPE_BYTES = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
  U16: 2, U32: 4, U64: 8, F8_E4M3: 1, F8_E5M2: 1,
} as const;
/** A safetensors dtype name. */
export type SafeDType = keyof typeof SAFE_DTYPE_BYTES;

/** One header entry, resolved to absolute byte offsets in its file. */
export interface TensorInfo {
  name: string;
  dtype: SafeDType;
  shape: number[];
  /** The file (relative to its source) that holds the tensor. */
  file: string;
  /** Absolute byte range [begin, end) inside `file`. */
  begin: number;
  end: number;
}

/** A tensor read into memory: floats become float32, I32 stays int32, I64 stays int64. */
export type LoadedTensor =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array }
  | { dtype: 'int64'; shape: number[]; data: BigInt64Array };

// NOTE: a larger header is almost surely a corrupt length field (real ones are well under 10 MB).
const MAX_HEADER = 100 * 1024 * 1024;

/** Parse a header (the JSON after the 8-byte length) into entries; `dataStart` = 8 + N. */
export function parseHeader(json: string, file: string, dataStart: number, dataSize: number): { tensors: TensorInfo[]; metadata: Record<string, string> } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`${file}: bad safetensors header (invalid JSON: ${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: bad safetensors header (not a JSON object)`);
  const tensors: TensorInfo[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const bad = (why: string): never => { throw new Error(`${file}: tensor '${name}': ${why}`); };
    if (!entry || typeof entry !== 'object') bad('header entry is not an object');
    const { dtype, shape, data_offsets: offs } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in SAFE_DTYPE_BYTES)) bad(`unknown dtype '${String(dtype)}'`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`bad shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0) || offs[1] < offs[0]) {
      bad(`bad data_offsets ${JSON.stringify(offs)}`);
    }
    const [b, e] = offs as number[];
    const numel = (shape as number[]).reduce((p, q) => p * q, 1);
    const want = numel * SAFE_DTYPE_BYTES[dtype as SafeDType];
    if (e - b !== want) bad(`data_offsets [${b}, ${e}] hold ${e - b} bytes but ${dtype} [${(shape as number[]).join(', ')}] needs ${want}`);
    if (e > dataSize) bad(`data ends at byte ${e} but the file has only ${dataSize} data bytes (truncated file?)`);
    tensors.push({ name, dtype: dtype as SafeDType, shape: shape as number[], file, begin: dataStart + b, end: dataStart + e });
  }
  return { tensors, metadata };
}

let halfTable: Float32Array | null = null;
/** float16 bits -> float32, by a 64K-entry table built on first use. */
function halfToFloat(bits: Uint16Array): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >>> 10) & 0x1f;
      const m = h & 0x3ff;
      halfTable[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfTable[bits[i]];
  return out;
}

/**
 * Decode raw little-endian tensor bytes. Floats become float32 (F64 is rounded), I32/I64 keep
 * their type; other dtypes are rejected naming the tensor.
 * NOTE: typed-array views assume a little-endian host (every browser and Node target is).
 */
export function decodeTensor(info: Pick<TensorInfo, 'name' | 'dtype' | 'shape' | 'file'>, bytes: Uint8Array): LoadedTensor {
  // Offsets in a file carry no alignment promise: copy to a fresh buffer when misaligned.
  const b = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const n = b.byteLength / SAFE_DTYPE_BYTES[info.dtype];
  const shape = [...info.shape];
  switch (info.dtype) {
    case 'F32': return { dtype: 'float32', shape, data: new Float32Array(b.buffer, b.byteOffset, n).slice() };
    case 'F64': return { dtype: 'float32', shape, data: Float32Array.from(new Float64Array(b.buffer, b.byteOffset, n)) };
    case 'F16': return { dtype: 'float32', shape, data: halfToFloat(new Uint16Array(b.buffer, b.byteOffset, n)) };
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift the bits up.
      const src = new Uint16Array(b.buffer, b.byteOffset, n);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] << 16;
      return { dtype: 'float32', shape, data: new Float32Array(out.buffer) };
    }
    case 'I32': return { dtype: 'int32', shape, data: new Int32Array(b.buffer, b.byteOffset, n).slice() };
    case 'I64': return { dtype: 'int64', shape, data: new BigInt64Array(b.buffer, b.byteOffset, n).slice() };
    default: throw new Error(`${info.file}: tensor '${info.name}': dtype ${info.dtype} is not supported (only F32, F16, BF16, F64, I32, I64)`);
  }
}

/** One safetensors file, header parsed; tensor data read on demand by byte range. */
export class SafetensorsFile {
  private readonly byName: Map<string, TensorInfo>;

  private constructor(
    readonly source: FileSource,
    readonly path: string,
    readonly tensors: TensorInfo[],
    readonly metadata: Record<string, string>,
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  /** Read and validate the header of `path` in `src` (truncation, bad JSON, unknown dtypes). */
  static async open(src: FileSource, path: string): Promise<SafetensorsFile> {
    const where = `${src.label}/${path}`;
    const size = await src.size(path);
    if (size < 8) throw new Error(`${where}: truncated safetensors file (${size} bytes, no header length)`);
    const lenBytes = await src.read(path, 0, 8);
    const dv = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
    const lo = dv.getUint32(0, true);
    const hi = dv.getUint32(4, true);
    const n = hi * 2 ** 32 + lo;
    if (n > MAX_HEADER) throw new Error(`${where}: bad safetensors header (header length ${n} is implausible; not a safetensors file?)`);
    if (8 + n > size) throw new Error(`${where}: truncated safetensors file (header needs ${n} bytes, file has ${size - 8})`);
    const json = new TextDecoder().decode(await src.read(path, 8, 8 + n));
    const { tensors, metadata } = parseHeader(json, where, 8 + n, size - 8 - n);
    return new SafetensorsFile(src, path, tensors.map((t) => ({ ...t, file: path })), metadata);
  }

  /** Tensor names in header order. */
  names(): string[] { return this.tensors.map((t) => t.name); }

  /** Header entry of `name`, or undefined. */
  info(name: string): TensorInfo | undefined { return this.byName.get(name); }

  /** Read one tensor; throws naming the file when `name` is absent. */
  async read(name: string): Promise<LoadedTensor> {
    const t = this.byName.get(name);
    if (!t) throw new Error(`${this.source.label}/${this.path}: no tensor '${name}'`);
    const bytes = await this.source.read(this.path, t.begin, t.end);
    if (bytes.byteLength !== t.end - t.begin) {
      throw new Error(`${this.source.label}/${this.path}: tensor '${name}': read ${bytes.byteLength} of ${t.end - t.begin} bytes (truncated file?)`);
    }
    return decodeTensor({ ...t, file: `${this.source.label}/${this.path}` }, bytes);
  }
}

/** A set of tensors across one or more safetensors files (a sharded checkpoint or a single file). */
export class WeightStore {
  private constructor(private readonly files: SafetensorsFile[], private readonly where: Map<string, SafetensorsFile>) {}

  /** Open one file, or every shard named by an index JSON (`weight_map`: name -> file). */
  static async open(src: FileSource, path: string): Promise<WeightStore> {
    if (!path.endsWith('.index.json')) {
      const f = await SafetensorsFile.open(src, path);
      return new WeightStore([f], new Map(f.names().map((n) => [n, f])));
    }
    const index = (await readJson(src, path)) as { weight_map?: Record<string, string> };
    if (!index || typeof index.weight_map !== 'object' || index.weight_map === null) {
      throw new Error(`${src.label}/${path}: index has no 'weight_map'`);
    }
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
    const shardNames = [...new Set(Object.values(index.weight_map))];
    const shards = new Map<string, SafetensorsFile>();
    for (const s of shardNames) shards.set(s, await SafetensorsFile.open(src, dir + s));
    const where = new Map<string, SafetensorsFile>();
    for (const [name, shard] of Object.entries(index.weight_map)) {
      const f = shards.get(shard)!;
      if (!f.info(name)) throw new Error(`${src.label}/${path}: '${name}' is mapped to ${shard}, which does not contain it`);
      where.set(name, f);
    }
    return new WeightStore([...shards.values()], where);
  }

  /** Every tensor name. */
  names(): string[] { return [...this.where.keys()]; }

  /** True when the store holds `name`. */
  has(name: string): boolean { return this.where.has(name); }

  /** Header entry of `name` (dtype, shape, file), or undefined. */
  info(name: string): TensorInfo | undefined { return this.where.get(name)?.info(name); }

  /** `__metadata__` of every file, merged. */
  get metadata(): Record<string, string> { return Object.assign({}, ...this.files.map((f) => f.metadata)) as Record<string, string>; }

  /** Read one tensor as stored (floats as float32). */
  async read(name: string): Promise<LoadedTensor> {
    const f = this.where.get(name);
    if (!f) throw new Error(`checkpoint has no tensor '${name}'`);
    return f.read(name);
  }

  /** Read a float tensor as float32, checking its shape when `shape` is given. */
  async readFloat32(name: string, shape?: readonly number[]): Promise<Float32Array> {
    const t = await this.read(name);
    const info = this.info(name)!;
    if (t.dtype !== 'float32') throw new Error(`${info.file}: tensor '${name}' is ${info.dtype}, expected a float tensor`);
    if (shape && (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i]))) {
      throw new Error(`${info.file}: tensor '${name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    return t.data;
  }
}

/** A tensor to write: float32 data (F32), int32 (I32) or int64 (I64). */
export interface TensorToWrite {
  shape: readonly number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

/** Serialize tensors (in the given order) to safetensors bytes; `metadata` defaults to `{format: 'pt'}`. */
export function writeSafetensors(tensors: Record<string, TensorToWrite>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const numel = t.shape.reduce((p, q) => p * q, 1);
    if (numel !== t.data.length) throw new Error(`writeSafetensors: '${name}' has ${t.data.length} values but shape [${t.shape.join(', ')}]`);
    const dtype = t.data instanceof Float32Array ? 'F32' : t.data instanceof Int32Array ? 'I32' : 'I64';
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the Rust writer does).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).byteLength) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
