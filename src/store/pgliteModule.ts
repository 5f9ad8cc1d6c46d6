import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * PGlite's WebAssembly, compiled while the data-directory lock is being taken (the lock waits
 * ~150 ms to see that no other starter removed it): PGlite.create then only instantiates it.
 * V8 compiles off the main thread, so this costs the start nothing it did not already pay.
 * Resolves to undefined when the file is not where this PGlite version keeps it: PGlite then
 * loads it itself, as before.
 */
export function compilePgliteModule(file: 'pglite.wasm' | 'initdb.wasm'): Promise<WebAssembly.Module | undefined> {
  return (async () => {
    const dir = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
    const bytes = await fs.promises.readFile(path.join(dir, file));
    return WebAssembly.compile(bytes);
  })().catch(() => undefined);
}
