// Text sinks for JSONL output: in memory (a string or a Blob to download), any web
// WritableStream (a File System Access `createWritable()`), or a Node file (`fs-node.ts`).

/** Where written text goes. `write` may be async (back-pressure); `close` flushes. */
export interface TextSink {
  write(text: string): Promise<void> | void;
  close(): Promise<void> | void;
}

/** An in-memory sink; `text()` and `blob()` give what was written. */
export interface MemorySink extends TextSink {
  text(): string;
  blob(type?: string): Blob;
}

/** A sink that keeps everything in memory (exports the UI offers as a download). */
export function memorySink(): MemorySink {
  const parts: string[] = [];
  return {
    write(text) { parts.push(text); },
    close() { /* nothing to flush */ },
    text: () => parts.join(''),
    blob: (type = 'application/x-ndjson') => new Blob(parts, { type }),
  };
}

/** A sink over a web WritableStream of bytes (e.g. `await fileHandle.createWritable()`). */
export function writableSink(ws: WritableStream<Uint8Array>): TextSink {
  const writer = ws.getWriter();
  const enc = new TextEncoder();
  return {
    async write(text) {
      await writer.ready;
      await writer.write(enc.encode(text));
    },
    async close() {
      await writer.close();
    },
  };
}

/**
 * Buffers small writes into larger ones (one JSONL line per record would otherwise mean one
 * sink call per record). `flush()` pushes what is pending; `close()` flushes and closes.
 */
export class BufferedSink implements TextSink {
  private pending: string[] = [];
  private size = 0;
  constructor(private readonly inner: TextSink, private readonly limit = 256 * 1024) {}

  /** Queue `text`; writes through when the buffer is full. */
  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= this.limit) await this.flush();
  }

  /** Write what is pending to the inner sink. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    await this.inner.write(text);
  }

  /** Flush and close the inner sink. */
  async close(): Promise<void> {
    await this.flush();
    await this.inner.close();
  }
}
