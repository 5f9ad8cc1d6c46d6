import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where Dozvon's own files are: the checkout's root (the folder with package.json above this
 * module). Files found from it read the same whether the code runs from src/ (tsx, tests) or from
 * the bundle `npm start` builds into dist/, where a module no longer sits at its source path.
 */
function findAppRoot(from: string): string {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Dozvon: no package.json above ${from}`);
  }
}

export const appRoot = findAppRoot(fileURLToPath(import.meta.url));

/** A file of the source tree (SQL migrations, the VoxEngine scenario, worker modules), e.g. `store/migrations`. */
export const sourcePath = (relative: string): string => path.join(appRoot, 'src', relative);

/** True when this process runs TypeScript from src/ (tsx, vitest) rather than the build in dist/. */
export const runningFromSource = import.meta.url.endsWith('.ts');
