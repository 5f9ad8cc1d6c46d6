// `npm start`: runs Dozvon from JavaScript compiled into dist/ (by esbuild, in well under a second,
// only when a source file changed) instead of compiling TypeScript on the fly at every start:
// a restart then spends its time opening the database, not loading a compiler's hooks
// (bench `startup`: restart CPU 7.4 s → 4.1 s on the 2-core bench machine).
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import v8 from 'node:v8';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.compiled-from-src');

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function sources(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (built < newestSource(src)) {
  const esbuild = await import('esbuild');
  fs.rmSync(dist, { recursive: true, force: true });
  await esbuild.build({ entryPoints: sources(src), outdir: dist, outbase: src, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
  // What esbuild does not compile travels as it is: SQL migrations, the VoxEngine scenario (run by
  // Voximplant, not Node) — every file under src/ that is not TypeScript.
  fs.cpSync(src, dist, { recursive: true, filter: (from) => fs.statSync(from).isDirectory() || !from.endsWith('.ts') });
  fs.writeFileSync(stamp, new Date().toISOString());
}
// Stack traces in the logs point into src/*.ts.
process.setSourceMapsEnabled(true);
// V8 lets the old generation grow to several times what survived the last full collection before
// collecting again; a big import's garbage (a million rows planned and encoded) then piles up
// between collections. Growing by half at most: peak RSS 570 → 411 MB importing 1,000,000 rows on
// PostgreSQL, for 4 % more CPU and the same wall time (bench `import`; `--optimize-for-size`
// reached 297 MB for 75 % more CPU). V8 reads the factor at every collection, so setting it here
// applies to the whole run.
v8.setFlagsFromString('--heap-growing-percent=50');
const main = path.join(dist, 'main.js');
// dist/main.js starts the server when it is the process's entry point.
process.argv[1] = main;
await import(pathToFileURL(main).href);
