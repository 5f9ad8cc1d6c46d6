import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST, readWidgetManifest, WIDGET_ENTRIES, type WidgetEntry, type WidgetManifest } from '../src/http/bitrix24/widgetManifest.js';

/**
 * Bundles the Bitrix24 frame pages (`widgets/bitrix24/{tab,menu,main}.ts` and `style.css`) with
 * esbuild at build time — `npm ci` (prepare), `npm run build:ui`, or `npm start` when the files are
 * missing — never on the request path. ES modules with a shared chunk (b24jssdk's types and
 * i18next), minified, with source maps, content-hashed names. The server reads `manifest.json`
 * to name the current files (src/http/bitrix24/static.ts).
 *
 * The output folder is not emptied: the files of the build before stay (and are listed as
 * `previous` in the manifest), so a page loaded just before a rebuild still gets its chunks; older
 * ones are removed.
 */

export async function buildWidgets(o: { sourceDir: string; outDir: string; inputsHash: string }): Promise<WidgetManifest> {
  const esbuild = await import('esbuild');
  const root = path.resolve(o.sourceDir, '..', '..');
  const entryPoints: Record<string, string> = Object.fromEntries(WIDGET_ENTRIES.map((e) => [e, path.join(o.sourceDir, `${e}.ts`)]));
  entryPoints.style = path.join(o.sourceDir, 'style.css');
  const result = await esbuild.build({
    entryPoints,
    outdir: o.outDir,
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
  const byEntry = new Map<string, string>();
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint && !out.endsWith('.map')) byEntry.set(path.resolve(root, meta.entryPoint), path.basename(out));
  }
  const nameOf = (entry: string): string => {
    const name = byEntry.get(entry);
    if (!name) throw new Error(`widgets: esbuild produced nothing for ${entry}`);
    return name;
  };
  const before = readWidgetManifest(o.outDir);
  fs.mkdirSync(o.outDir, { recursive: true });
  const files: string[] = [];
  for (const f of result.outputFiles) {
    const name = path.basename(f.path);
    files.push(name);
    fs.writeFileSync(path.join(o.outDir, name), f.contents);
  }
  const manifest: WidgetManifest = {
    scripts: Object.fromEntries(WIDGET_ENTRIES.map((e) => [e, nameOf(entryPoints[e]!)])) as Record<WidgetEntry, string>,
    css: nameOf(entryPoints.style),
    files,
    previous: (before?.files ?? []).filter((f) => !files.includes(f)),
    inputsHash: o.inputsHash,
  };
  // Keep this build and the one before; anything older goes.
  const keep = new Set([...manifest.files, ...manifest.previous, MANIFEST]);
  for (const f of fs.readdirSync(o.outDir)) if (!keep.has(f)) fs.rmSync(path.join(o.outDir, f), { force: true });
  const tmp = path.join(o.outDir, `${MANIFEST}.${crypto.randomBytes(4).toString('hex')}`);
  fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(tmp, path.join(o.outDir, MANIFEST));
  return manifest;
}
