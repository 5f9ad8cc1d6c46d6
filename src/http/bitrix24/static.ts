import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { DomainError } from '../../core/errors.js';
import type { Logger } from '../../log.js';
import { logNotBuilt, mtimeOf } from '../console/consoleFiles.js';
import type { DozvonState } from '../state.js';
import { readWidgetManifest, widgetsOutDir, WIDGET_ENTRIES, type WidgetEntry, type WidgetManifest } from './widgetManifest.js';

/**
 * Static files of the frame pages, all under `/bitrix24/static/`:
 *
 * - `b24jssdk.js` — b24jssdk's own browser bundle (UMD, global `B24Js`), from node_modules so frame
 *   pages work without a CDN.
 * - the pages' code: `widgets/bitrix24/{tab,menu,main}.ts` and `style.css`, bundled at build time
 *   (scripts/buildWidgets.ts: `npm ci`, `npm run build:ui`, or `npm start` when missing) into
 *   `widgets/dist/bitrix24/` with a manifest. Every file name carries its content hash, so files
 *   are served `immutable` for a year; pages name the current files (`pageAssets()`).
 *
 * The manifest is looked at again at most once a second, so a rebuild while the server runs is
 * picked up; the files of the build before stay servable.
 */
export { WIDGET_ENTRIES, type WidgetEntry } from './widgetManifest.js';

const STATIC_PREFIX = '/bitrix24/static/';
const CHECK_EVERY_MS = 1000;

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export interface WidgetAssets {
  /** URL of each page's entry script. */
  scripts: Record<WidgetEntry, string>;
  /** URL of the stylesheet. */
  css: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Serves one build folder by its manifest; files are read once and kept in memory. */
export class WidgetFiles {
  private manifest: WidgetManifest | undefined;
  private manifestMtime = -1;
  private lastCheck = 0;
  private readonly cache = new Map<string, Asset>();

  constructor(
    readonly dir: string = widgetsOutDir,
    private readonly o: { checkEveryMs?: number } = {},
  ) {}

  private current(): WidgetManifest | undefined {
    if (Date.now() - this.lastCheck >= (this.o.checkEveryMs ?? CHECK_EVERY_MS) || !this.manifest) {
      this.lastCheck = Date.now();
      const at = mtimeOf(path.join(this.dir, 'manifest.json'));
      if (at !== this.manifestMtime) {
        this.manifestMtime = at;
        this.manifest = readWidgetManifest(this.dir);
      }
    }
    return this.manifest;
  }

  /** The current build's URLs; undefined when the pages have not been built. */
  assets(): WidgetAssets | undefined {
    const m = this.current();
    if (!m) return undefined;
    return { scripts: Object.fromEntries(WIDGET_ENTRIES.map((e) => [e, STATIC_PREFIX + m.scripts[e]])) as Record<WidgetEntry, string>, css: STATIC_PREFIX + m.css };
  }

  /** A file of the current build or the one before it. */
  async file(name: string): Promise<Asset | undefined> {
    const m = this.current();
    if (!m || !(m.files.includes(name) || m.previous.includes(name))) return undefined;
    const hit = this.cache.get(name);
    if (hit) return hit;
    let body: Buffer;
    try {
      body = await fs.promises.readFile(path.join(this.dir, name));
    } catch {
      return undefined;
    }
    const asset = { body, type: TYPES[path.extname(name)] ?? 'application/octet-stream', etag: `"${crypto.createHash('sha1').update(body).digest('base64url')}"` };
    if (this.cache.size > 200) this.cache.clear();
    this.cache.set(name, asset);
    return asset;
  }
}

/** One reader per process. */
let shared: WidgetFiles | undefined;
export function widgetFiles(): WidgetFiles {
  shared ??= new WidgetFiles();
  return shared;
}

/** Serves the frame pages from another folder (tests of a missing build); returns the undo. */
export function serveWidgetsFrom(dir: string): () => void {
  const before = shared;
  shared = new WidgetFiles(dir);
  return () => {
    shared = before;
  };
}

/** The current bundle for a page; missing files are logged and shown as "could not prepare the page" (503, try again). */
export function pageAssets(log: Logger): WidgetAssets {
  const assets = widgetFiles().assets();
  if (!assets) {
    logNotBuilt(log, 'bitrix24: the frame pages', widgetFiles().dir);
    throw new DomainError('service_unavailable', 'placements.common.page_failed');
  }
  return assets;
}

function sdkBundlePath(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@bitrix24/b24jssdk/package.json');
    const file = path.join(path.dirname(pkg), 'dist', 'umd', 'index.min.js');
    return fs.existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

const notFound = (ctx: Context) => new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });

export function mountStaticRoutes(router: Router<DozvonState>): void {
  let sdk: Buffer | undefined;
  router.get('/bitrix24/static/b24jssdk.js', async (ctx) => {
    if (!sdk) {
      const file = sdkBundlePath();
      if (!file) throw notFound(ctx);
      sdk = await fs.promises.readFile(file);
    }
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = sdk;
  });

  router.get('/bitrix24/static/:file', async (ctx) => {
    const name = String(ctx.params.file ?? '');
    if (!/^[\w.-]{1,200}$/.test(name)) throw notFound(ctx);
    const asset = await widgetFiles().file(name);
    if (!asset) throw notFound(ctx);
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('ETag', asset.etag);
    ctx.type = asset.type;
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  });
}
