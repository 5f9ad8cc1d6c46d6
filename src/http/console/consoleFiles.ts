import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { localesDir } from '../../i18n.js';
import type { Logger } from '../../log.js';
import { jsonBlock } from '../html.js';
import { BOOT_ELEMENT_ID, type ConsoleBoot } from './bootConfig.js';

/**
 * The built web console (`console/dist`, made by scripts/buildUi.ts at `npm ci` / `npm start`):
 * `index.html` is rendered per request with the boot config; everything under `assets/` has a
 * content-hashed name and is served from memory, immutable. The folder is looked at again at most
 * once a second, so a rebuild while the server runs is picked up.
 */
export const consoleDistDir = path.resolve(localesDir, '..', 'console', 'dist');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

export class ConsoleFiles {
  private index: string | undefined;
  private indexMtime = -1;
  private lastCheck = 0;
  private readonly cache = new Map<string, Asset>();

  constructor(readonly dir: string = consoleDistDir) {}

  private template(): string | undefined {
    if (Date.now() - this.lastCheck >= 1000 || this.index === undefined) {
      this.lastCheck = Date.now();
      const file = path.join(this.dir, 'index.html');
      const at = mtimeOf(file);
      if (at !== this.indexMtime) {
        this.index = at < 0 ? undefined : readIndex(file);
        // A page that could not be read whole is looked at again on the next check.
        this.indexMtime = this.index === undefined ? -1 : at;
        this.cache.clear();
      }
    }
    return this.index;
  }

  /** Whether the console has been built. */
  built(): boolean {
    return this.template() !== undefined;
  }

  /**
   * index.html with the boot config inserted, and optionally extra head markup (the CRM's SDK) and
   * content shown in the mount point until the console replaces it (a server-rendered notice).
   */
  page(boot: ConsoleBoot, o: { headExtra?: string; body?: string } = {}): string | undefined {
    const html = this.template();
    if (html === undefined) return undefined;
    const block = `<script type="application/json" id="${BOOT_ELEMENT_ID}">${jsonBlock(boot)}</script>${o.headExtra ?? ''}`;
    return html
      .replace('<html lang="en"', `<html lang="${boot.locale}"`)
      .replace('</head>', `${block}\n</head>`)
      .replace('<div id="app" class="isolate"></div>', `<div id="app" class="isolate">${o.body ?? ''}</div>`);
  }

  /** A file under assets/ (content-hashed names), or one of the files at the top (`favicon.svg`). */
  async asset(name: string, folder: 'assets' | '' = 'assets'): Promise<Asset | undefined> {
    if (!/^[\w.-]{1,200}$/.test(name) || name === 'index.html' || this.template() === undefined) return undefined;
    const key = `${folder}/${name}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    let body: Buffer;
    try {
      body = await fs.promises.readFile(path.join(this.dir, folder, name));
    } catch {
      return undefined;
    }
    const asset = { body, type: TYPES[path.extname(name)] ?? 'application/octet-stream', etag: `"${crypto.createHash('sha1').update(body).digest('base64url')}"` };
    this.cache.set(key, asset);
    return asset;
  }
}

/**
 * index.html, or undefined while it is not there whole: a rebuild (Vite empties `dist` first, then
 * writes the page last) can remove it between the stat and the read, or be half-way through
 * writing it. Either way the console is "not built" for that moment — a 503, not a crash.
 */
function readIndex(file: string): string | undefined {
  try {
    const html = fs.readFileSync(file, 'utf8');
    return html.includes('</html>') ? html : undefined;
  } catch {
    // ENOENT / EISDIR / EACCES: not servable now; the caller answers 503 and logs it.
    return undefined;
  }
}

/** When a build file last changed; -1 when it cannot be looked at (missing, a folder in the way, no permission). */
export function mtimeOf(file: string): number {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  } catch {
    // ENOTDIR / EACCES: as good as missing — the caller answers 503 and logs the folder.
    return -1;
  }
}

let shared: ConsoleFiles | undefined;
export function consoleFiles(): ConsoleFiles {
  shared ??= new ConsoleFiles();
  return shared;
}

/** Serves the console from another folder (tests of a missing or half-built console); returns the undo. */
export function serveConsoleFrom(dir: string): () => void {
  const before = shared;
  shared = new ConsoleFiles(dir);
  return () => {
    shared = before;
  };
}

const NOT_BUILT_LOG_EVERY_MS = 60_000;
let lastNotBuiltLog = 0;

/**
 * Logs that a page could not be served because the UI is not built (or is being rebuilt) — once a
 * minute at most, so a page reloaded in a loop does not flood the log.
 */
export function logNotBuilt(log: Logger, what: string, dir: string): void {
  if (Date.now() - lastNotBuiltLog < NOT_BUILT_LOG_EVERY_MS) return;
  lastNotBuiltLog = Date.now();
  log.error({ dir }, `${what} is not built or is being rebuilt: answering 503 until it is there; run \`npm run build:ui\` if it stays`);
}
