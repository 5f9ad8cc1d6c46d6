import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let compiled: Promise<WebAssembly.Module | undefined> | undefined;

/**
 * PGlite's WebAssembly, compiled while the data-directory lock is being taken (the lock waits
 * ~150 ms to see that no other starter removed it): PGlite.create then only instantiates it.
 * V8 compiles off the main thread, so this costs the start nothing it did not already pay.
 * Compiled once per process, as PGlite itself caches it (the CLI and tests open several
 * databases). Resolves to undefined when the file is not where this PGlite version keeps it:
 * PGlite then loads it itself, as before.
 */
export function compilePgliteModule(): Promise<WebAssembly.Module | undefined> {
  compiled ??= (async () => {
    return WebAssembly.compile(await fs.promises.readFile(path.join(pgliteDistDir(), 'pglite.wasm')));
  })().catch(() => undefined);
  return compiled;
}

/** Where the installed PGlite keeps its built files (its WebAssembly; its package.json one level up). */
export function pgliteDistDir(): string {
  return path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
}
