import Router from '@koa/router';
import type { AppContext } from '../context.js';
import { processEventLoopDelay } from '../eventLoopDelay.js';
import { isSetupDone, setupCodeFile } from '../engine/auth/users.js';
import { t } from '../i18n.js';
import { schemaVersion } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import type { PGlitePool } from '../store/pglitePool.js';
import { VERSION } from '../version.js';
import { esc } from './html.js';
import { maySeeServerPaths } from './insider.js';
import { ownPagePolicy } from './securityHeaders.js';
import type { DozvonState } from './state.js';

// A probe answers within this even when the database hangs rather than refuses (a partition).
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Does the database answer now? A server: `SELECT 1`, given up after PROBE_TIMEOUT_MS. PGlite
 * runs inside this process and cannot be "away" while the process lives: it is up until closed
 * (probing it through its one session would wait behind a long import and report it down).
 */
async function databaseAnswers(db: Db): Promise<boolean> {
  if (db.kind === 'pglite') return !(db as PGlitePool).closed;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([
      db.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const STATUS_CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
th{text-align:left;padding-right:1.5rem;font-weight:500;color:#5b6673}code{background:#f2f4f7;padding:.1rem .3rem;border-radius:4px}
a{color:#1463d8}`;

/** GET /health for probes; GET /status a small server page (the web console is at `/`). */
export function statusRouter(app: AppContext, o: { crm: string[] } = { crm: [] }): Router<DozvonState> {
  const router = new Router<DozvonState>();
  const loop = processEventLoopDelay();

  router.get('/health', async (ctx) => {
    const dbOk = await databaseAnswers(app.db);
    ctx.status = dbOk ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: dbOk ? 'ok' : 'degraded', db: dbOk ? app.db.kind : 'down', version: VERSION, voicePlatform: app.voice.defaultName, voicePlatforms: app.voice.names(), crm: o.crm, eventLoopDelay: loop.snapshot() };
  });

  router.get('/status', async (ctx) => {
    const lng = ctx.state.locale;
    const setupDone = await isSetupDone(app);
    // The page still shows what it can while the database is away; 0 reads as "unknown".
    const schema = await schemaVersion(app.db).catch(() => 0);
    const row = (k: string, v: string) => `<tr><th>${esc(t(lng, k))}</th><td>${esc(v)}</td></tr>`;
    // Where the server keeps its files is nobody else's business: the full path only for a
    // request from this machine or a signed-in admin.
    const insider = await maySeeServerPaths(app, ctx);
    const file = insider ? setupCodeFile(app.config.dataDir) : t(lng, 'status.setup_file_hidden');
    const setup = setupDone
      ? `<p>${esc(t(lng, 'status.ready'))}</p>`
      : `<section id="setup"><h2>${esc(t(lng, 'status.setup_title'))}</h2>
         <p>${esc(t(lng, 'status.setup_hint', { file }))}</p>
         <p><code>npm run cli -- create-admin --email you@example.com --name "Admin"</code></p></section>`;
    ctx.type = 'text/html; charset=utf-8';
    ownPagePolicy(ctx, STATUS_CSS);
    ctx.body = `<!doctype html><html lang="${lng}"><head><meta charset="utf-8"><title>Dozvon</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STATUS_CSS}</style></head><body>
<h1>Dozvon</h1><p>${esc(t(lng, 'status.tagline'))}</p>
<table>${row('status.version', VERSION)}${row('status.database', `${app.db.kind} (schema ${schema})`)}${row('status.voice_platform', app.voice.names().join(', '))}${row('status.public_url', app.publicUrl())}${insider ? row('status.data_dir', app.config.dataDir) : ''}</table>
${setup}
<h2>${esc(t(lng, 'status.links'))}</h2><ul>
<li><a href="/">/</a> — ${esc(t(lng, 'status.console'))}</li><li><a href="/health">/health</a></li><li><a href="/api/v1/openapi.json">/api/v1/openapi.json</a> — ${esc(t(lng, 'status.openapi'))}</li></ul>
</body></html>`;
  });
  return router;
}
