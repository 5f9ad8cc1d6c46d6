import { parentPort } from 'node:worker_threads';
import { openClientsFileHere, type ClientsFileReader } from '../readClientsFile.js';
import { serializeError, type FromWorker, type ToWorker } from './protocol.js';

/**
 * The worker thread's side of an import: parses one file at a time with the same pipeline as
 * in-thread (openClientsFileHere), answering the main thread's pulls. CPU-heavy work — unzipping,
 * XML, CSV, phone normalisation — happens here, off the event loop that serves /health and calls.
 */
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

let input: InputQueue | undefined;
let reader: ClientsFileReader | undefined;
let batches: AsyncIterator<unknown> | undefined;

/** The upload's bytes as they arrive from the main thread, asked for one chunk at a time. */
class InputQueue implements AsyncIterable<Uint8Array> {
  private waiting: ((m: ToWorker) => void) | undefined;
  deliver(m: ToWorker): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(m);
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const m = await new Promise<ToWorker>((resolve) => {
        this.waiting = resolve;
        post({ type: 'pull' });
      });
      if (m.type === 'end') return;
      if (m.type === 'inputError') throw new Error(m.message);
      if (m.type === 'chunk') yield m.data;
    }
  }
}

async function open(m: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  try {
    if (m.whole) input = undefined;
    else input = new InputQueue();
    reader = await openClientsFileHere(m.whole ? Buffer.from(m.whole.buffer, m.whole.byteOffset, m.whole.byteLength) : input!, m.options);
    batches = reader[Symbol.asyncIterator]();
    post({ type: 'meta', meta: reader.meta, stats: reader.stats });
  } catch (e) {
    post({ type: 'error', error: serializeError(e) });
  }
}

async function next(): Promise<void> {
  try {
    const r = await batches!.next();
    if (r.done) post({ type: 'done', meta: reader!.meta, stats: reader!.stats });
    else post({ type: 'batch', batch: r.value as Extract<FromWorker, { type: 'batch' }>['batch'], meta: reader!.meta, stats: reader!.stats });
  } catch (e) {
    post({ type: 'error', error: serializeError(e) });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'open':
      void open(m);
      return;
    case 'next':
      void next();
      return;
    default:
      input?.deliver(m);
  }
});
