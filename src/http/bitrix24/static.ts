import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { DomainError } from '../../core/errors.js';
import { localesDir } from '../../i18n.js';
import type { Logger } from '../../log.js';
import type { DozvonState } from '../state.js';
import { resetBrowserTexts } from './pages/widgetConfig.js';

/**
 * Static files of the frame pages, all under `/bitrix24/static/`:
 *
 * - `b24jssdk.js` — b24jssdk's own browser bundle (UMD, global `B24Js`) for the install page, from
 *   node_modules so frame pages work without a CDN.
 * - the pages' code: `widgets/bitrix24/{tab,menu,main}.ts` and `style.css`, bundled by esbuild in
 *   this process on first use (ES modules; b24jssdk and i18next end up in a shared chunk that the
 *   browser caches once for every page). Every file name carries its content hash, so files are
 *   served `immutable` for a year; pages name the current files (`widgetAssets()`).
 *
 * The bundle lives in memory. Its sources (and the locale files whose texts the pages embed) are
 * checked for changes at most once a second; a change rebuilds, so `npm run dev` shows edits on the
 * next page load. Files of the previous builds stay servable, so a page loaded just before a
 * rebuild still gets its chunks.
 */
export const WIDGET_ENTRIES = ['tab', 'menu', 'main'] as const;
export type WidgetEntry = (typeof WIDGET_ENTRIES)[number];

export const widgetsDir = path.resolve(localesDir, '..', 'widgets', 'bitrix24');
const STATIC_PREFIX = '/bitrix24/static/';
const CHECK_EVERY_MS = 1000;
const KEEP_RETIRED = 200;

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

interface Bundle extends WidgetAssets {
  files: Map<string, Asset>;
  /** Source files (outside node_modules) with their mtimes when built. */
  inputs: Map<string, number>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function localeFiles(): string[] {
  try {
    return fs.readdirSync(localesDir).flatMap((lng) => {
      const dir = path.join(localesDir, lng);
      return fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)) : [];
    });
  } catch {
    return [];
  }
}

export class WidgetBundler {
  private current: Promise<Bundle> | undefined;
  private lastCheck = 0;
  private readonly retired = new Map<string, Asset>();

  constructor(
    private readonly dir: string = widgetsDir,
    private readonly o: { checkEveryMs?: number } = {},
  ) {}

  /** The current bundle's URLs (building it first if needed). */
  async assets(): Promise<WidgetAssets> {
    const b = await this.bundle();
    return { scripts: b.scripts, css: b.css };
  }

  /** A bundled file by its name, from this or an earlier build. */
  async file(name: string): Promise<Asset | undefined> {
    const b = await this.bundle();
    return b.files.get(name) ?? this.retired.get(name);
  }

  private async bundle(): Promise<Bundle> {
    this.current ??= this.build();
    let b: Bundle;
    try {
      b = await this.current;
    } catch (e) {
      this.current = undefined; // a broken source must not stick: the next request tries again
      throw e;
    }
    if (Date.now() - this.lastCheck >= (this.o.checkEveryMs ?? CHECK_EVERY_MS)) {
      this.lastCheck = Date.now();
      if ([...b.inputs].some(([file, at]) => mtime(file) !== at)) {
        resetBrowserTexts();
        for (const [name, asset] of b.files) this.retired.set(name, asset);
        while (this.retired.size > KEEP_RETIRED) this.retired.delete(this.retired.keys().next().value as string);
        const next = this.build();
        this.current = next;
        return next.catch((e: unknown) => {
          if (this.current === next) this.current = undefined;
          throw e;
        });
      }
    }
    return b;
  }

  private async build(): Promise<Bundle> {
    const esbuild = await import('esbuild');
    const root = path.resolve(this.dir, '..', '..');
    const outdir = path.join(this.dir, '.out');
    const entryPoints: Record<string, string> = Object.fromEntries(WIDGET_ENTRIES.map((e) => [e, path.join(this.dir, `${e}.ts`)]));
    entryPoints.style = path.join(this.dir, 'style.css');
    const result = await esbuild.build({
      entryPoints,
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
      entryNames: '[name]-[hash]',
      chunkNames: 'chunk-[hash]',
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      metafile: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: root,
    });
    const files = new Map<string, Asset>();
    for (const f of result.outputFiles) {
      const name = path.basename(f.path);
      const body = Buffer.from(f.contents);
      files.set(name, { body, type: TYPES[path.extname(name)] ?? 'application/octet-stream', etag: `"${crypto.createHash('sha1').update(body).digest('base64url')}"` });
    }
    const byEntry = new Map<string, string>();
    for (const [out, meta] of Object.entries(result.metafile.outputs)) {
      if (!meta.entryPoint) continue;
      const name = path.basename(out);
      if (name.endsWith('.map')) continue;
      byEntry.set(path.resolve(root, meta.entryPoint), name);
    }
    const url = (entry: string): string => {
      const name = byEntry.get(entry);
      if (!name) throw new Error(`widgets: esbuild produced nothing for ${entry}`);
      return STATIC_PREFIX + name;
    };
    const inputs = new Map<string, number>();
    for (const input of Object.keys(result.metafile.inputs)) {
      if (input.includes('node_modules')) continue;
      const file = path.resolve(root, input);
      inputs.set(file, mtime(file));
    }
    for (const file of localeFiles()) inputs.set(file, mtime(file));
    return {
      files,
      inputs,
      scripts: Object.fromEntries(WIDGET_ENTRIES.map((e) => [e, url(entryPoints[e]!)])) as Record<WidgetEntry, string>,
      css: url(entryPoints.style),
    };
  }
}

/** One bundler per process: the bundle depends only on the sources. */
let shared: WidgetBundler | undefined;
export function widgetBundler(): WidgetBundler {
  shared ??= new WidgetBundler();
  return shared;
}

/** The current bundle for a page; a failed build is logged and shown as "could not prepare the page". */
export async function pageAssets(log: Logger): Promise<WidgetAssets> {
  try {
    return await widgetBundler().assets();
  } catch (e) {
    log.error({ err: e }, 'bitrix24: the frame pages could not be bundled');
    throw new DomainError('internal', 'placements.common.page_failed');
  }
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
    const asset = await widgetBundler().file(name);
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
