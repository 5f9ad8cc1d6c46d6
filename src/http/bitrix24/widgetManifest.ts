import fs from 'node:fs';
import path from 'node:path';
import { localesDir } from '../../i18n.js';

/**
 * The contract between the build of the frame pages (scripts/buildWidgets.ts, run by `npm ci`,
 * `npm run build:ui` or `npm start` when missing) and the server that serves them
 * (./static.ts): the files land in `widgets/dist/bitrix24/` with a `manifest.json` naming them.
 */
export const WIDGET_ENTRIES = ['tab', 'menu'] as const;
export type WidgetEntry = (typeof WIDGET_ENTRIES)[number];

export interface WidgetManifest {
  /** File name of each page's entry script. */
  scripts: Record<WidgetEntry, string>;
  /** File name of the stylesheet. */
  css: string;
  /** Every file this build wrote. */
  files: string[];
  /** Files of the build before, still served (a page loaded just before a rebuild gets its chunks). */
  previous: string[];
  /** Hash of the sources the build read: a different hash means the build is stale. */
  inputsHash: string;
}

export const MANIFEST = 'manifest.json';
export const widgetsDir = path.resolve(localesDir, '..', 'widgets', 'bitrix24');
export const widgetsOutDir = path.resolve(localesDir, '..', 'widgets', 'dist', 'bitrix24');

export function readWidgetManifest(outDir: string = widgetsOutDir): WidgetManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as WidgetManifest;
  } catch {
    return undefined;
  }
}
