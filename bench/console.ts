import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildUi } from '../scripts/buildUi.js';
import { readWidgetManifest, widgetsOutDir } from '../src/http/bitrix24/widgetManifest.js';
import { print, setupAdmin, startDozvonProcess, tempDir } from './support/server.js';

/**
 * The web console's first screen, measured in headless Chromium on loopback:
 * - `console_initial_js_gz_kb`: JavaScript the browser downloads to show the dashboard of a signed-in
 *   user (entry, shared chunks, the dashboard's own chunk, the language), gzip-compressed as a
 *   server or proxy would send it; the lazy screens (scenario graph, charts) are not in it.
 * - `console_first_render_ms`: from navigation to the dashboard's figures on screen (median of 5
 *   loads, cache disabled).
 * - `b24_tab_js_gz_kb`: JavaScript of the Bitrix24 deal/lead tab (its entry and the chunks it
 *   imports, gzip-compressed), opened with every deal card; its call cards come from the call view
 *   it shares with the console (widgets/shared/callView.ts), not from Vue.
 * The goal is ≤ 300 KB of compressed JavaScript for the initial load.
 */

/** The tab's entry and, transitively, the chunks it imports (`from"./chunk-….js"`), gzip-compressed. */
function b24TabJsGzKb(): number {
  const manifest = readWidgetManifest();
  if (!manifest) throw new Error('bench console: the Bitrix24 pages are not built (widgets/dist/bitrix24/manifest.json)');
  const seen = new Set<string>();
  let bytes = 0;
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const code = fs.readFileSync(path.join(widgetsOutDir, name));
    bytes += zlib.gzipSync(code, { level: 6 }).length;
    for (const m of code.toString('utf8').matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.js)"/g)) visit(m[1]!);
  };
  visit(manifest.scripts.tab);
  return Math.round((bytes / 1024) * 10) / 10;
}
export async function benchConsole(): Promise<void> {
  await buildUi({ ifStale: true });
  print('b24_tab_js_gz_kb', b24TabJsGzKb(), 'KB');
  const dataDir = tempDir('console-bench');
  const server = await startDozvonProcess({ dataDir, env: { SANDBOX_TIME_SCALE: '0.01' } });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const token = await setupAdmin(server);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript((t) => localStorage.setItem('dozvon.session', t), token);
    const page = await context.newPage();
    const client = await context.newCDPSession(page);
    await client.send('Network.setCacheDisabled', { cacheDisabled: true });

    const js = new Map<string, number>();
    page.on('response', async (r) => {
      const type = r.headers()['content-type'] ?? '';
      if (!type.includes('javascript')) return;
      try {
        js.set(r.url(), zlib.gzipSync(await r.body(), { level: 6 }).length);
      } catch {
        // a response without a body (redirect): nothing downloaded
      }
    });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      js.clear();
      const started = performance.now();
      await page.goto(`${server.url}/`);
      await page.getByTestId('calls-today').waitFor({ timeout: 30_000 });
      times.push(performance.now() - started);
      // Chunks requested around the first render still count; the live-updates stream never ends,
      // so "network idle" never comes: a second without new script requests is the end.
      let seen = -1;
      while (seen !== js.size) {
        seen = js.size;
        await page.waitForTimeout(1000);
      }
    }
    const kb = [...js.values()].reduce((a, b) => a + b, 0) / 1024;
    times.sort((a, b) => a - b);
    print('console_initial_js_gz_kb', Math.round(kb * 10) / 10, 'KB');
    print('console_first_render_ms', Math.round(times[2]!), 'ms');
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
