// Where dataset bytes come from: a browser File/Blob, an in-memory string or buffer, or (in
// `fs-node.ts`) a Node file. Every source is read as a stream of chunks, so a 1 GB file is never
// held whole; stopping the iteration (break, return, an error) cancels the underlying read.

/** A named stream of bytes that can be opened (again) at will. */
export interface ByteSource {
  /** Shown in error messages (`train.jsonl:17: ...`): a path or a file name. */
  readonly name: string;
  /** Size in bytes when known up front (used for progress, never required). */
  readonly size?: number;
  /** A fresh pass over the bytes; ending the iteration early cancels the read. */
  stream(): AsyncIterable<Uint8Array>;
}

/** The part of `Blob`/`File` a blob source needs (a File from a picker, drop or `webkitdirectory`). */
export interface BlobLike {
  readonly size: number;
  stream(): ReadableStream<Uint8Array>;
}

/** Iterate a web ReadableStream chunk by chunk; returning early cancels the stream. */
export async function* readableChunks(rs: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  // NOTE: `for await` over a ReadableStream is missing in older Chromium/Safari: use a reader.
  const reader = rs.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) { done = true; return; }
      if (r.value.byteLength > 0) yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** A source over a browser `File`/`Blob` (read with `blob.stream()`). */
export function blobSource(blob: BlobLike, name: string): ByteSource {
  return { name, size: blob.size, stream: () => readableChunks(blob.stream()) };
}

/**
 * A source over an in-memory string (encoded as UTF-8) or bytes, served in chunks of
 * `chunkSize` bytes so tests exercise the same chunk-boundary paths as real files.
 */
export function memorySource(data: string | Uint8Array, name = 'memory', chunkSize = 64 * 1024): ByteSource {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (!(chunkSize >= 1)) throw new Error(`memorySource: chunkSize must be >= 1, got ${chunkSize}`);
  return {
    name,
    size: bytes.byteLength,
    async *stream() {
      for (let i = 0; i < bytes.byteLength; i += chunkSize) yield bytes.subarray(i, Math.min(i + chunkSize, bytes.byteLength));
    },
  };
}

/** Byte counters of a `countingSource`: how much was actually pulled from the inner source. */
export interface ReadStats {
  bytes: number;
  chunks: number;
}

/** Wrap a source and count the bytes pulled through it (progress bars, early-stop checks). */
export function countingSource(inner: ByteSource): { source: ByteSource; stats: ReadStats } {
  const stats: ReadStats = { bytes: 0, chunks: 0 };
  const source: ByteSource = {
    name: inner.name,
    size: inner.size,
    async *stream() {
      for await (const chunk of inner.stream()) {
        stats.bytes += chunk.byteLength;
        stats.chunks++;
        yield chunk;
      }
    },
  };
  return { source, stats };
}

/** The first `n` bytes of a source (fewer if it is shorter); the rest is never read. */
export async function peekBytes(source: ByteSource, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let have = 0;
  for await (const chunk of source.stream()) {
    parts.push(chunk);
    have += chunk.byteLength;
    if (have >= n) break;
  }
  return concatBytes(parts).subarray(0, n);
}

/** Concatenate byte arrays (no copy for a single part). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let total = 0;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.byteLength; }
  return out;
}
