import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from './file-source';
import { folderSource } from './file-source-node';
import { SafetensorsFile, WeightStore, writeSafetensors } from './safetensors';

const FIX = join(__dirname, '../../../tests/golden/models/llama/fixtures');

/** A hand-made file: 8-byte length, header JSON, data. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), lenOverride?: number): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, lenOverride ?? h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const open = (bytes: Uint8Array, name = 'x.safetensors') => SafetensorsFile.open(memorySource({ [name]: bytes }, 'mem'), name);

describe('writeSafetensors / SafetensorsFile', () => {
  it('round-trips F32, I32 and I64 tensors with metadata, 8-byte aligned data', async () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i * 0.5 - 1);
    const b = Int32Array.from([7, -8, 2 ** 31 - 1]);
    const c = BigInt64Array.from([-(2n ** 40n), 5n]);
    const bytes = writeSafetensors({ 'a.weight': { shape: [2, 3], data: a }, b: { shape: [3], data: b }, c: { shape: [2, 1], data: c } });
    const headerLen = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLen) % 8).toBe(0);
    const f = await open(bytes);
    expect(f.names()).toEqual(['a.weight', 'b', 'c']);
    expect(f.metadata).toEqual({ format: 'pt' });
    expect(f.info('a.weight')).toMatchObject({ dtype: 'F32', shape: [2, 3] });
    const ra = await f.read('a.weight');
    expect(ra.dtype).toBe('float32');
    expect([...ra.data]).toEqual([...a]);
    expect([...(await f.read('b')).data]).toEqual([...b]);
    const rc = await f.read('c');
    expect(rc.dtype).toBe('int64');
    expect([...rc.data]).toEqual([...c]);
    expect(rc.shape).toEqual([2, 1]);
  });

  it('rejects data that does not match the shape', () => {
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/'w' has 3 values/);
  });
});

describe('safetensors errors name the file and tensor', () => {
  const good = () => writeSafetensors({ w: { shape: [4], data: new Float32Array([1, 2, 3, 4]) } });

  it('truncated data', async () => {
    const b = good();
    await expect(open(b.slice(0, b.length - 4), 'model.safetensors')).rejects.toThrow(/mem\/model.safetensors: tensor 'w': data ends at byte 16 .*truncated/);
  });
  it('truncated header and too-short file', async () => {
    await expect(open(good().slice(0, 20))).rejects.toThrow(/x.safetensors: truncated safetensors file \(header needs/);
    await expect(open(new Uint8Array(5))).rejects.toThrow(/truncated safetensors file \(5 bytes/);
  });
  it('bad header JSON, implausible length, non-object', async () => {
    await expect(open(rawFile('{"w": {'))).rejects.toThrow(/x.safetensors: bad safetensors header \(invalid JSON/);
    await expect(open(rawFile('{}', new Uint8Array(0), 0xffffffff))).rejects.toThrow(/bad safetensors header \(header length 4294967295/);
    await expect(open(rawFile('[1, 2]'))).rejects.toThrow(/bad safetensors header \(not a JSON object\)/);
  });
  it('unknown dtype, bad offsets, byte count mismatch', async () => {
    await expect(open(rawFile({ q: { dtype: 'Q4', shape: [2], data_offsets: [0, 1] } }, new Uint8Array(1)))).rejects.toThrow(/tensor 'q': unknown dtype 'Q4'/);
    await expect(open(rawFile({ q: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, new Uint8Array(8)))).rejects.toThrow(/tensor 'q': bad data_offsets/);
    await expect(open(rawFile({ q: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).rejects.toThrow(/tensor 'q': data_offsets \[0, 8\] hold 8 bytes but F32 \[3\] needs 12/);
    await expect(open(rawFile({ q: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }))).rejects.toThrow(/tensor 'q': bad shape/);
  });
  it('a missing tensor and an unsupported dtype at read time', async () => {
    const f = await SafetensorsFile.open(folderSource(FIX), 'dtypes.safetensors');
    await expect(f.read('nope')).rejects.toThrow(/dtypes.safetensors: no tensor 'nope'/);
    await expect(f.read('u8')).rejects.toThrow(/dtypes.safetensors: tensor 'u8': dtype U8 is not supported/);
  });
});

describe('dtypes written by the Python generator', () => {
  it('F16 and BF16 decode to exactly what torch converts them to; I64/I32 keep their values', async () => {
    const f = await SafetensorsFile.open(folderSource(FIX), 'dtypes.safetensors');
    const get = async (n: string) => (await f.read(n)).data as Float32Array;
    const f16 = await get('x_f16');
    const bf16 = await get('x_bf16');
    expect(f.info('x_f16')!.dtype).toBe('F16');
    expect(f.info('x_bf16')!.dtype).toBe('BF16');
    expect([...f16]).toEqual([...(await get('x_f16_as_f32'))]);
    expect([...bf16]).toEqual([...(await get('x_bf16_as_f32'))]);
    // Rounding happened (the F32 originals differ), and the special values survive.
    const x = await get('x_f32');
    expect(f16.some((v, i) => v !== x[i])).toBe(true);
    expect(bf16.some((v, i) => v !== x[i])).toBe(true);
    expect([f16[0], Object.is(f16[1], -0), f16[2], f16[3] > 0 && f16[3] < 6.2e-8]).toEqual([0, true, 65504, true]);
    const i64 = await f.read('i64');
    expect(i64.dtype).toBe('int64');
    expect([...i64.data]).toEqual([-3n, 0n, 2n ** 40n, 7n]);
    expect([...(await f.read('i32')).data]).toEqual([-5, 9, 2 ** 31 - 1]);
  });
});

describe('WeightStore', () => {
  it('opens a sharded checkpoint through its index and reads tensors from either shard', async () => {
    const src = folderSource(join(FIX, 'llama-untied-sharded'));
    const store = await WeightStore.open(src, 'model.safetensors.index.json');
    expect(store.has('model.embed_tokens.weight')).toBe(true);
    expect(store.has('lm_head.weight')).toBe(true);
    const files = new Set(store.names().map((n) => store.info(n)!.file));
    expect(files).toEqual(new Set(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']));
    const head = await store.readFloat32('lm_head.weight', [64, 32]);
    expect(head.length).toBe(64 * 32);
    await expect(store.readFloat32('lm_head.weight', [32, 64])).rejects.toThrow(/'lm_head.weight' has shape \[64, 32\], expected \[32, 64\]/);
    await expect(store.read('missing.weight')).rejects.toThrow(/no tensor 'missing.weight'/);
  });

  it('reports an index entry pointing at the wrong shard', async () => {
    const shard = writeSafetensors({ a: { shape: [1], data: new Float32Array([1]) } });
    const src = memorySource({ 'm.safetensors.index.json': JSON.stringify({ weight_map: { a: 's.safetensors', b: 's.safetensors' } }), 's.safetensors': shard });
    await expect(WeightStore.open(src, 'm.safetensors.index.json')).rejects.toThrow(/'b' is mapped to s.safetensors, which does not contain it/);
  });
});
