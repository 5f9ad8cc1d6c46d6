import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readWidgetManifest, widgetsDir, widgetsOutDir } from '../src/http/bitrix24/widgetManifest.js';
import { buildWidgets } from './buildWidgets.js';

/**
 * Builds what the browser gets, once, outside the request path:
 *   - the web console (console/ → console/dist, Vite), served at `/`;
 *   - the Bitrix24 frame pages (widgets/bitrix24 → widgets/dist/bitrix24, esbuild).
 *
 * Run by `npm ci` (the root `prepare` script), by `npm run build:ui`, by `npm start` when the files
 * are missing, and by the browser tests (`--if-stale`). Each output records a hash of the sources
 * it was built from; `--if-stale` rebuilds only what changed. A lock directory keeps two processes
 * (parallel test files) from building at once: the second waits and then finds the build fresh.
 */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const consoleDir = path.join(repoRoot, 'console');
export const consoleDistDir = path.join(consoleDir, 'dist');
const CONSOLE_STAMP = '.build.json';
const LOCK = path.join(repoRoot, 'console', '.build.lock');

/** Files whose content decides a build; directories are walked, build outputs skipped. */
function listFiles(entries: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      const base = path.basename(p);
      if (base === 'node_modules' || base === 'dist' || base === '.out' || base.startsWith('.')) return;
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    } else out.push(p);
  };
  for (const e of entries) walk(e);
  return out;
}

function hashFiles(entries: string[]): string {
  const h = crypto.createHash('sha256');
  for (const f of listFiles(entries)) {
    h.update(path.relative(repoRoot, f));
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

const at = (...p: string[]) => path.join(repoRoot, ...p);

/** The console is built from its own folder plus the server code and texts it bundles. */
export const consoleInputsHash = (): string =>
  hashFiles([
    at('console', 'src'),
    at('console', 'index.html'),
    at('console', 'vite.config.ts'),
    at('console', 'package.json'),
    at('locales'),
    // The call view the console shares with the CRM panels.
    at('widgets', 'shared'),
    at('src', 'scenario'),
    at('src', 'core'),
    at('src', 'http', 'console', 'bootConfig.ts'),
  ]);
export const widgetInputsHash = (): string => hashFiles([widgetsDir, at('widgets', 'shared'), at('locales'), at('src', 'http', 'bitrix24', 'pages', 'widgetConfig.ts')]);

export function consoleBuildHash(): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(consoleDistDir, CONSOLE_STAMP), 'utf8')) as { inputsHash?: string }).inputsHash;
  } catch {
    return undefined;
  }
}

export async function buildConsole(inputsHash = consoleInputsHash()): Promise<void> {
  const vite = await import('vite');
  await vite.build({ configFile: path.join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
  fs.writeFileSync(path.join(consoleDistDir, CONSOLE_STAMP), `${JSON.stringify({ inputsHash, builtAt: new Date().toISOString() })}\n`);
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a killed build is older than any real build takes.
      const held = fs.statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 5 * 60_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`ui build: ${LOCK} is held by another build for too long`, { cause: e });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

export interface UiBuildReport {
  console: 'built' | 'fresh';
  widgets: 'built' | 'fresh';
}

/** Builds the console and the frame pages; with `ifStale`, only those whose sources changed. */
export async function buildUi(o: { ifStale?: boolean; log?: (line: string) => void } = {}): Promise<UiBuildReport> {
  const log = o.log ?? (() => undefined);
  return withLock(async () => {
    const report: UiBuildReport = { console: 'fresh', widgets: 'fresh' };
    const widgetsHash = widgetInputsHash();
    if (!o.ifStale || readWidgetManifest()?.inputsHash !== widgetsHash) {
      log('building the Bitrix24 frame pages (widgets/bitrix24 → widgets/dist/bitrix24)…');
      await buildWidgets({ sourceDir: widgetsDir, outDir: widgetsOutDir, inputsHash: widgetsHash });
      report.widgets = 'built';
    }
    const consoleHash = consoleInputsHash();
    if (!o.ifStale || consoleBuildHash() !== consoleHash) {
      log('building the web console (console/ → console/dist)…');
      await buildConsole(consoleHash);
      report.console = 'built';
    }
    return report;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ifStale = process.argv.includes('--if-stale');
  const started = Date.now();
  buildUi({ ifStale, log: (l) => process.stdout.write(`${l}\n`) }).then(
    (r) => process.stdout.write(`ui build: console ${r.console}, widgets ${r.widgets} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`),
    (e: unknown) => {
      process.stderr.write(`ui build failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
