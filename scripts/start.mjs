// `npm start`: runs Dozvon from the bundle scripts/buildServer.mjs writes into dist/ (rebuilt only
// when a source file changed) instead of compiling TypeScript on the fly at every start: a restart
// then spends its time opening the database, not loading a compiler's hooks and thousands of files
// (bench `startup`: restart CPU 7.4 s → 4.1 s with per-file JavaScript, import 1.25 → 0.64 s bundled),
// nor compiling the bundle again (V8's code cache, scripts/codeCache.mjs).
import path from 'node:path';
import process from 'node:process';
import v8 from 'node:v8';
import { setTimeout } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { buildServerIfStale, distDir, serverBundle } from './buildServer.mjs';
import { runWithCodeCache } from './codeCache.mjs';

await buildServerIfStale();
// Stack traces in the logs point into src/*.ts: each bundle's map is read when a stack trace first
// passes through it (Node's own support reads them all at load, ~0.1 s of every start).
const { mapStackTraces } = await import(pathToFileURL(path.join(distDir, 'stackTraces.js')).href);
mapStackTraces(distDir);
// V8 lets the old generation grow to several times what survived the last full collection before
// collecting again; a big import's garbage (a million rows planned and encoded) then piles up
// between collections. Growing by half at most: peak RSS 570 → 411 MB importing 1,000,000 rows on
// PostgreSQL, for 4 % more CPU and the same wall time (bench `import`; `--optimize-for-size`
// reached 297 MB for 75 % more CPU). V8 reads the factor at every collection, so setting it here
// applies to the whole run.
v8.setFlagsFromString('--heap-growing-percent=50');
// dist/main.cjs starts the server when it is the process's entry point.
process.argv[1] = serverBundle;
const server = runWithCodeCache(serverBundle);
// Once the server runs (and has served its first requests), what its start compiled is saved for the next.
void server.exports.serverStarted?.then(() => setTimeout(() => server.saveCodeCache(), 3000).unref());
