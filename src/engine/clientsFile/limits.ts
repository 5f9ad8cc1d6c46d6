import { importCaps } from './options.js';
import { configureWorkers } from './worker/workerPool.js';

/**
 * The server's limits of every clients-file import, set once at start from the settings
 * (IMPORT_MAX_ROWS, IMPORT_MAX_UNZIPPED_MB, IMPORT_WORKERS, IMPORT_WORKER_MEMORY_MB), so every
 * caller — the import route, the console's preview, the Calls API — gets them without passing them.
 */
export interface ClientsFileLimits {
  /** Data rows of one file. */
  maxRows?: number;
  /** What an XLSX may unpack to, bytes. */
  maxUnzippedBytes?: number;
  /** Files parsed at the same time (each in its own worker thread). */
  workers?: number;
  /** Heap of one parsing worker, MB. */
  workerMemoryMb?: number;
}

export function configureClientsFiles(l: ClientsFileLimits): void {
  if (l.maxRows !== undefined) importCaps.maxRows = l.maxRows;
  if (l.maxUnzippedBytes !== undefined) importCaps.maxUnzippedBytes = l.maxUnzippedBytes;
  configureWorkers({
    ...(l.workers !== undefined ? { maxWorkers: l.workers } : {}),
    ...(l.workerMemoryMb !== undefined ? { maxMemoryMb: l.workerMemoryMb } : {}),
  });
}
