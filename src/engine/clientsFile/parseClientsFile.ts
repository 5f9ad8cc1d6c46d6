import type { Worker } from 'node:worker_threads';
import { DomainError } from '../../core/errors.js';
import type { ClientsFileInput } from './byteSource.js';
import { fileErrors } from './fileErrors.js';
import { resolveOptions, type ClientsFileOptions } from './options.js';
import type { ClientsFileReader } from './readClientsFile.js';
import type { ClientRow, ClientsFileBatch, ClientsFileMeta, ClientsFileStats, RowIssue } from './types.js';
import { deserializeError, type FromWorker, type ToWorker } from './worker/protocol.js';
import { acquireWorker, releaseWorker, workerSettings } from './worker/workerPool.js';

export type { ClientsFileReader } from './readClientsFile.js';

/** Everything of a file at once, for small files and tests. */
export interface ClientsFileResult {
  meta: ClientsFileMeta;
  rows: ClientRow[];
  errors: RowIssue[];
  warnings: RowIssue[];
  stats: ClientsFileStats;
  /** `errors` / `warnings` were cut at `maxIssues`; the counts in `stats` are complete. */
  issuesTruncated: boolean;
}

/**
 * Opens a clients file (CSV, TXT or XLSX; V5, T2) and reads far enough to know its format,
 * encoding, delimiter, header and columns; then hands out its rows batch by batch. The parsing
 * runs in a worker thread (worker/), so a big or hostile file never stalls the event loop that
 * answers /health, callbacks and live calls. Memory stays bounded by a batch plus the numbers seen.
 * Whole-file problems are `DomainError`s with `clientsFile.errors.*` keys, thrown here or while
 * iterating; row problems are data. The caller must iterate to the end or `close()` the reader.
 */
export async function openClientsFile(input: ClientsFileInput, options: ClientsFileOptions): Promise<ClientsFileReader> {
  const opts = resolveOptions(options);
  const worker = await acquireWorker();
  const job = new WorkerJob(worker, input);
  try {
    const first = await job.send({ type: 'open', options: opts, ...(isBytes(input) ? { whole: copyOf(input) } : {}) });
    if (first.type !== 'meta') throw new Error(`unexpected ${first.type} from the parsing worker`);
    job.meta = first.meta;
    Object.assign(job.stats, first.stats);
  } catch (e) {
    // A refused file (DomainError) was refused by a healthy worker: it can take the next file.
    job.finish(e instanceof DomainError);
    throw e;
  }
  return job.reader();
}

/** One file's conversation with its worker. */
class WorkerJob {
  meta!: ClientsFileMeta;
  readonly stats = {} as ClientsFileStats;
  private answer: { resolve(m: FromWorker): void; reject(e: Error): void } | undefined;
  private input: AsyncIterator<Uint8Array | string> | undefined;
  private finished = false;

  constructor(
    private readonly worker: Worker,
    source: ClientsFileInput,
  ) {
    if (!isBytes(source)) this.input = (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    worker.on('exit', this.onExit);
  }

  /** Sends a request and waits for the worker's answer (input pulls are served meanwhile). */
  send(m: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.answer = { resolve, reject };
      this.worker.postMessage(m);
    });
  }

  private readonly onMessage = (m: FromWorker) => {
    if (m.type === 'pull') return void this.feed();
    const a = this.answer;
    this.answer = undefined;
    if (!a) return;
    if (m.type === 'error') a.reject(deserializeError(m.error));
    else a.resolve(m);
  };

  // Out of memory is the file's doing (resourceLimits): the import is refused, the server lives on.
  private readonly onError = (e: Error & { code?: string }) => {
    const err = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? fileErrors.tooComplex(workerSettings().maxMemoryMb) : e;
    this.fail(err);
  };

  private readonly onExit = () => this.fail(new Error('the parsing worker stopped'));

  private fail(e: Error): void {
    const a = this.answer;
    this.answer = undefined;
    a?.reject(e);
    this.finish(false);
  }

  private async feed(): Promise<void> {
    try {
      const next = await this.input!.next();
      if (next.done) return this.worker.postMessage({ type: 'end' } satisfies ToWorker);
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
      const data = copyOf(chunk);
      this.worker.postMessage({ type: 'chunk', data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
    } catch (e) {
      this.worker.postMessage({ type: 'inputError', message: (e as Error).message } satisfies ToWorker);
    }
  }

  /** Ends the job once; a worker whose job ended cleanly goes back to the pool. */
  finish(clean: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.off('exit', this.onExit);
    releaseWorker(this.worker, clean);
    // The upload stream is not read any further.
    const stream = this.input as unknown as { return?: () => Promise<unknown> } | undefined;
    void stream?.return?.()?.catch?.(() => undefined); // a source that fails to close has nothing more to give
  }

  /** The reader handed to the caller: batches pulled from the worker, one parsed ahead. */
  reader(): ClientsFileReader {
    let started = false;
    return {
      meta: this.meta,
      stats: this.stats,
      close: async () => this.finish(false),
      [Symbol.asyncIterator]: () => {
        if (started) throw new Error('a ClientsFileReader can be iterated once');
        started = true;
        return this.batches();
      },
    };
  }

  private async *batches(): AsyncGenerator<ClientsFileBatch> {
    let clean = false;
    // One batch ahead: the worker parses the next rows while the caller stores these, instead of
    // each side waiting for the other. Still at most one batch that was not handed out.
    const ask = () => {
      const answer = this.send({ type: 'next' });
      answer.catch(() => undefined); // awaited below; until then its failure is not unhandled
      return answer;
    };
    try {
      let next = ask();
      for (;;) {
        const m = await next;
        if (m.type === 'batch' || m.type === 'done') {
          Object.assign(this.meta, m.meta);
          Object.assign(this.stats, m.stats);
        }
        if (m.type === 'done') {
          clean = true;
          return;
        }
        next = ask();
        if (m.type === 'batch') yield m.batch;
      }
    } catch (e) {
      // A file refused half-way (too many rows, a broken zip) was refused by a healthy worker: reusable.
      clean = e instanceof DomainError;
      throw e;
    } finally {
      this.finish(clean);
    }
  }
}

function isBytes(input: ClientsFileInput): input is Uint8Array {
  return input instanceof Uint8Array;
}

/** A copy in its own ArrayBuffer, so it can be transferred to the worker without touching the caller's. */
function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

/**
 * Opens a clients file and yields its batches; `batch` objects are fresh each time, so a
 * consumer may keep them. Use {@link openClientsFile} to see the columns before the rows.
 */
export async function* parseClientsFile(
  input: ClientsFileInput,
  options: ClientsFileOptions,
): AsyncGenerator<ClientsFileBatch, ClientsFileStats> {
  const reader = await openClientsFile(input, options);
  for await (const batch of reader) yield batch;
  return reader.stats;
}

/** Reads a whole clients file into memory; issues beyond `maxIssues` (default 10 000) are counted only. */
export async function parseClientsFileAll(
  input: ClientsFileInput,
  options: ClientsFileOptions & { maxIssues?: number },
): Promise<ClientsFileResult> {
  const { maxIssues = 10_000, ...rest } = options;
  const reader = await openClientsFile(input, rest);
  const result: ClientsFileResult = {
    meta: reader.meta,
    rows: [],
    errors: [],
    warnings: [],
    stats: reader.stats,
    issuesTruncated: false,
  };
  const keep = (into: RowIssue[], issues: RowIssue[]) => {
    const room = maxIssues - into.length;
    if (issues.length > room) result.issuesTruncated = true;
    if (room > 0) into.push(...issues.slice(0, room));
  };
  for await (const batch of reader) {
    for (const row of batch.rows) result.rows.push(row);
    keep(result.errors, batch.errors);
    keep(result.warnings, batch.warnings);
  }
  return result;
}

