// A minimal protobuf writer: just what ONNX's ModelProto needs (varints, length-delimited fields).

/** Builds one protobuf message from fields appended in order. */
export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private scratch: number[] = [];
  length = 0;

  private flush(): void {
    if (!this.scratch.length) return;
    const b = Uint8Array.from(this.scratch);
    this.parts.push(b);
    this.length += b.length;
    this.scratch = [];
  }

  private varint(v: number | bigint): void {
    // NOTE: negative int64 values are encoded as 10-byte two's complement, as protobuf requires.
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) { this.scratch.push(Number(x & 0x7fn) | 0x80); x >>= 7n; }
    this.scratch.push(Number(x));
  }

  private tag(field: number, wire: number): void { this.varint((field << 3) | wire); }

  /** An int64/int32/enum field. */
  int(field: number, v: number | bigint): this { this.tag(field, 0); this.varint(v); return this; }

  /** A float field (fixed32). */
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.scratch.push(...b);
    return this;
  }

  /** Raw bytes field. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.flush();
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }

  /** An embedded message field. */
  message(field: number, m: ProtoWriter): this {
    this.tag(field, 2);
    const body = m.finish();
    this.varint(body.length);
    this.flush();
    this.parts.push(body);
    this.length += body.length;
    return this;
  }

  /** Packed repeated int64. */
  packedInts(field: number, vs: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated float. */
  packedFloats(field: number, vs: readonly number[]): this {
    return this.bytes(field, new Uint8Array(new Float32Array(vs).buffer));
  }

  /** The encoded message. */
  finish(): Uint8Array {
    this.flush();
    if (this.parts.length === 1) return this.parts[0];
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    this.parts = [out];
    return out;
  }
}
