/** What an import can read from: a whole file in memory or a stream (an upload being received). */
export type ClientsFileInput = Buffer | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>;

// Slicing a Buffer is free; 64 KiB keeps the text path identical for buffers and streams.
const SLICE = 64 * 1024;

/**
 * A byte source whose first bytes can be looked at (to sniff the format) and then read again
 * from the start, without holding more than the peeked head in memory.
 */
export class ByteSource {
  private head: Buffer[] = [];
  private headLength = 0;
  private readonly iterator: AsyncIterator<Buffer>;
  private done = false;
  private consumed = false;

  constructor(private readonly input: ClientsFileInput) {
    this.iterator = chunks(input)[Symbol.asyncIterator]();
  }

  /**
   * Stops reading: a Node stream is destroyed at once (an iterator's return() would wait for a
   * read in flight), anything else is asked to return.
   */
  async close(): Promise<void> {
    this.done = true;
    const stream = this.input as { destroy?: unknown };
    if (typeof stream.destroy === 'function') (stream.destroy as () => void).call(stream);
    else await this.iterator.return?.();
  }

  /** At least `n` bytes from the start (fewer only at end of input). */
  async peek(n: number): Promise<Buffer> {
    while (this.headLength < n && !this.done) {
      const next = await this.iterator.next();
      if (next.done) this.done = true;
      else if (next.value.length > 0) {
        this.head.push(next.value);
        this.headLength += next.value.length;
      }
    }
    return Buffer.concat(this.head);
  }

  /** Every byte from the start, in chunks; can be taken once. */
  async *read(): AsyncGenerator<Buffer> {
    if (this.consumed) throw new Error('ByteSource.read() can be called once');
    this.consumed = true;
    const head = this.head;
    this.head = [];
    yield* head;
    try {
      while (!this.done) {
        const next = await this.iterator.next();
        if (next.done) this.done = true;
        else if (next.value.length > 0) yield next.value;
      }
    } finally {
      // Stop the underlying stream when the reader gives up early (error, break).
      if (!this.done) await this.iterator.return?.();
    }
  }

  /** Everything in one buffer, refusing more than `maxBytes` (an XLSX must be read whole). */
  async readAll(maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    for await (const chunk of this.read()) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge();
      parts.push(chunk);
    }
    return Buffer.concat(parts, total);
  }
}

async function* chunks(input: ClientsFileInput): AsyncGenerator<Buffer> {
  if (input instanceof Uint8Array) {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    for (let i = 0; i < buf.length; i += SLICE) yield buf.subarray(i, i + SLICE);
    return;
  }
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    // A stream with setEncoding() hands out strings; they are UTF-8 from here on.
    yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
  }
}
