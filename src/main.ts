import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from './config.js';
import { systemClock, type Clock } from './core/clock.js';
import { deriveKey } from './core/crypto.js';
import type { AppContext, Keys } from './context.js';
import { resolveApiKey } from './engine/auth/apiKeys.js';
import { createAuthThrottle } from './engine/auth/throttle.js';
import { ensureSetupCode } from './engine/auth/users.js';
import { createCallEngine } from './engine/callEngine.js';
import { settleBackgroundWork } from './engine/handleCallEvent.js';
import { afterCampaignAttempt } from './engine/campaigns/afterCampaignAttempt.js';
import { startDispatcher, type Dispatcher } from './engine/campaigns/dispatcher.js';
import { createCalleeZoneLookup } from './engine/calleeZones.js';
import { startEventHub } from './engine/events/eventHub.js';
import { startScheduledJobs, type ScheduledJobs } from './engine/jobs/scheduledJobs.js';
import { deliverEmail } from './engine/outbox/emailHandler.js';
import { startOutboxWorker, type OutboxWorker } from './engine/outbox/outboxWorker.js';
import { deliverWebhook } from './engine/outbox/webhookHandler.js';
import { mp3Idle } from './engine/recordingMp3.js';
import { seedStarter } from './engine/seedStarter.js';
import { attemptCompletedNotifier } from './engine/waitForAttempt.js';
import { apiRouter, apiRoutes } from './http/api/v1/index.js';
import { removeStaleUploads } from './http/uploads.js';
import { buildHttpApp, RequestsInFlight } from './http/app.js';
import { recordingsRouter } from './http/recordings.js';
import { mountedRoutes, type MountedRoute } from './http/routeTable.js';
import { statusRouter } from './http/statusPage.js';
import { amocrmRouter } from './http/amocrm/index.js';
import { consoleFallback, consoleRouter } from './http/console/consoleRouter.js';
import { ensureUiBuilt } from './uiOnStart.js';
import { bitrix24Router } from './http/bitrix24/index.js';
import { sandboxRouter } from './http/voice/sandboxRoutes.js';
import { installCrmAdapters } from './crm/index.js';
import { configureClientsFiles } from './engine/clientsFile/index.js';
import { initI18n } from './i18n.js';
import { createLogger, type Logger } from './log.js';
import { installProcessGuards } from './processGuards.js';
import { createOutboundHttp } from './net/outboundHttp.js';
import { migrate } from './store/migrate.js';
import { secureDataDirTop, secureDataDirTree, type TightenReport } from './store/dataDirPermissions.js';
import { openDatabase } from './store/openDatabase.js';
import { builtPgliteTemplate } from './store/pgliteTemplate.js';
import { FileRecordingStorage } from './store/recordingStorage.js';
import { findTenantByExternalId, upsertTenant } from './store/repositories/tenants.js';
import { loadSecretKey } from './store/secretKey.js';
import { renderInThread } from './voice/sandbox/renderThread.js';
import { SandboxPlatform } from './voice/sandbox/sandboxPlatform.js';
import { VoicePlatformRegistry } from './voice/registry.js';
import { TwilioFamilyPlatform } from './voice/twilio/twilioPlatform.js';
import { twilioFamilyRouter } from './http/voice/twilioRoutes.js';
import { voximplantRouter } from './http/voice/voximplantRoutes.js';
import { VoximplantPlatform } from './voice/voximplant/voximplantPlatform.js';
import { createSynthesizer } from './voice/sandbox/speech/index.js';

/**
 * Composition root: config → store → services → HTTP + workers. Everything the rest of the code
 * uses is built here once; tests start the same thing with their own environment.
 */
export interface RunningDozvon {
  app: AppContext;
  /** Background workers of this process (absent with WORKERS=false). */
  workers: { dispatcher: Dispatcher | undefined; outbox: OutboxWorker | undefined };
  url: string;
  server: http.Server;
  /** Every route the HTTP server answers (read from the mounted routers). */
  routes: MountedRoute[];
  /** Requests being handled right now (a client that went away does not end its handler). */
  requests: RequestsInFlight;
  sandbox: SandboxPlatform;
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  log?: Logger;
  /** Start an empty PGlite directory from this migrated tarball (tests); by default the one the build made. */
  pgliteTemplate?: Blob;
}

export async function startDozvon(env: Record<string, string | undefined> = process.env, opts: StartOptions = {}): Promise<RunningDozvon> {
  const config: Config = loadConfig(env);
  const log = opts.log ?? createLogger(config.logLevel);
  initI18n();
  configureClientsFiles(config.imports);
  // Whatever this process creates — database files, recordings, keys — is for its own account only.
  process.umask(0o077);
  // The rest of the tree is walked once the server runs (below).
  reportTightened(log, secureDataDirTop(config.dataDir), 'warn');
  const secret = loadSecretKey(config.secretKey, config.dataDir);
  const keys: Keys = {
    session: deriveKey(secret.key, 'session'),
    recordingUrl: deriveKey(secret.key, 'recording-url'),
    voiceCallback: deriveKey(secret.key, 'voice-callback'),
    tokenEncryption: deriveKey(secret.key, 'token-encryption'),
    webhook: deriveKey(secret.key, 'webhook'),
    apiKey: deriveKey(secret.key, 'api-key'),
  };

  // Probing espeak-ng (a child process) overlaps opening the database; awaited where it is used.
  const synthesizer = createSynthesizer(config.sandbox.tts);
  synthesizer.catch(() => undefined); // its error is reported by the await below, not as unhandled
  // Replaced by `stop` once everything runs; until then losing the lock fails the start.
  let onLockLost = async (): Promise<void> => undefined;
  const { db, close: closeDb } = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    preparedStatements: config.databasePreparedStatements,
    pgliteTemplate: opts.pgliteTemplate ?? builtPgliteTemplate,
    onCreated: (how) => log.info({ dataDir: config.dataDir }, how === 'template' ? 'new embedded database, unpacked from the build' : 'new embedded database (initdb)'),
    log,
    onLockTakeover: (previous) => log.warn({ dataDir: config.dataDir, previous }, 'the previous holder of the data directory is gone: its lock was taken over'),
    onTightened: (r) => reportTightened(log, r, 'debug'),
    onLockLost: (err) => {
      log.fatal({ err, dataDir: config.dataDir }, 'the data-directory lock was lost: another process may be using the database; stopping');
      process.exitCode = 1;
      void onLockLost();
    },
  });
  const outbound = createOutboundHttp({ allowLoopbackHttp: config.crmAllowHttp });
  const cleanups: (() => Promise<void>)[] = [closeDb, () => outbound.close()];
  try {
    const { applied } = await migrate(db);
    if (applied.length) log.info({ applied }, 'database migrated');
    // Read first: a restart then writes nothing before it answers (the upsert's write cost ~30 ms
    // on PGlite, the first write after opening).
    const existing = await findTenantByExternalId(db, 'console', 'console');
    const { tenant: consoleTenant, created } = existing
      ? { tenant: existing, created: false }
      : await upsertTenant(db, { kind: 'console', externalId: 'console', name: 'Dozvon', locale: config.defaultLocale });

    const events = await startEventHub(db, log.child({ component: 'events' }));
    cleanups.unshift(() => events.stop());

    let publicUrl = config.publicUrl ?? '';
    const app: AppContext = {
      config,
      db,
      log,
      clock: opts.clock ?? systemClock,
      keys,
      storage: new FileRecordingStorage(path.join(config.dataDir, 'media')),
      outbound,
      voice: undefined as unknown as AppContext['voice'],
      publicUrl: () => publicUrl,
      consoleTenantId: consoleTenant.id,
      workerId: `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`,
      authThrottle: createAuthThrottle(db, config.auth),
      zones: createCalleeZoneLookup(),
      wake: { dispatcher: () => dispatcher?.wake(), outbox: () => outbox?.wake() },
      events,
      schedule: { campaignStart: async (id, at) => jobs?.scheduleCampaignStart(id, at) },
      hooks: {
        attemptCompleted: [(tx, attempt) => afterCampaignAttempt(app, tx, attempt)],
        templateChanged: [],
        afterAttemptCompleted: [attemptCompletedNotifier],
        contactFinished: [],
      },
    };
    // Before the database closes: an MP3 being made finishes (or fails and is left to the sweeper).
    cleanups.unshift(() => mp3Idle(app));
    let dispatcher: Dispatcher | undefined;
    let outbox: OutboxWorker | undefined;
    let jobs: ScheduledJobs | undefined;
    const synth = await synthesizer;
    // The engine as platforms see it (reads app.voice only when a call is under way).
    const engine = createCallEngine(app);
    const sandbox = new SandboxPlatform({
      timeScale: config.sandbox.timeScale,
      seed: config.sandbox.seed,
      mix: config.sandbox.mix,
      mediaDir: path.join(config.dataDir, 'sandbox'),
      publicUrl: () => publicUrl,
      callbackKey: keys.voiceCallback,
      clock: app.clock,
      engine,
      log: log.child({ component: 'sandbox' }),
      renderRecording: renderInThread(synth.kind),
      callbackCopies: config.sandbox.callbackCopies,
    });
    const voice = new VoicePlatformRegistry(config.voicePlatform);
    voice.add(sandbox);
    const voiceRouters = [sandboxRouter(app, sandbox)];
    for (const c of [config.voice.twilio, config.voice.signalwire, config.voice.telnyx]) {
      if (!c) continue;
      const p = new TwilioFamilyPlatform({ config: c, http: outbound, engine, publicUrl: () => publicUrl, log: log.child({ component: c.profile }), clock: app.clock });
      voice.add(p);
      voiceRouters.push(twilioFamilyRouter(app, p));
    }
    if (config.voice.voximplant) {
      const vox = new VoximplantPlatform({ config: config.voice.voximplant, http: outbound, engine, callbackKey: keys.voiceCallback, log: log.child({ component: 'voximplant' }), clock: app.clock });
      voice.add(vox);
      voiceRouters.push(voximplantRouter(app, vox));
    }
    app.voice = voice;
    cleanups.unshift(() => voice.stop());
    if (created) await seedStarter(app, consoleTenant.id, config.defaultLocale);

    // Not awaited: a start never waits for old files to go.
    void removeStaleUploads(config.dataDir)
      .then((n) => n > 0 && log.info({ removed: n }, 'removed uploads left by an earlier process'))
      .catch((e: unknown) => log.warn({ err: e }, 'could not remove old uploads'));
    const setupFile = await ensureSetupCode(app);
    if (setupFile) log.info({ file: setupFile }, 'no administrator yet: create one with the setup code in this file, or `npm run cli -- create-admin`');
    const crm = await installCrmAdapters(app);
    cleanups.unshift(() => crm.stop());
    const routers = [statusRouter(app, { crm: crm.enabled }), recordingsRouter(app), ...voiceRouters, ...(crm.bitrix24 ? [bitrix24Router(crm.bitrix24)] : []), ...(crm.amocrm ? [amocrmRouter(crm.amocrm, app)] : []), apiRouter(app, apiRoutes()), consoleRouter()];
    const requests = new RequestsInFlight();
    const koa = buildHttpApp(app, routers, {
      resolveApiKey,
      inFlight: requests,
      // Pages shown inside a CRM's frame set their own CSP naming who may frame them.
      framedPrefixes: ['/bitrix24/', '/amocrm/console'],
      fallback: consoleFallback(app),
    });
    const server = http.createServer(koa.callback());
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    if (!config.publicUrl) publicUrl = `http://127.0.0.1:${port}`;
    // Downloads started after answered callbacks finish before the platforms and the database close.
    cleanups.unshift(() => settleBackgroundWork(app));
    cleanups.unshift(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    if (config.workers) {
      jobs = await startScheduledJobs(app, crm.scheduled);
      // Up to 200 jobs at once: Bitrix24 packs concurrent writes of a portal into one batch of ≤ 50,
      // and writes waiting to share a batch hold back no other job (a pool, not rounds).
      outbox = startOutboxWorker(app, { webhook: deliverWebhook, email: deliverEmail, ...crm.outboxHandlers }, { poolSize: 200, leaseMs: config.outboxLeaseSec * 1000 });
      dispatcher = startDispatcher(app);
      cleanups.unshift(
        async () => outbox?.stop(),
        async () => jobs?.stop(),
      );
      // Stop claiming first, then let calls in progress finish (bounded), then the rest.
      cleanups.unshift(async () => {
        await dispatcher?.stop();
        await Promise.race([sandbox.drain(), new Promise((r) => setTimeout(r, 15_000))]);
      });
    }
    tightenDataDirLater(config.dataDir, log, cleanups);
    log.info({ url: publicUrl, db: db.kind, voice: voice.names(), defaultVoice: voice.defaultName, speech: synth.kind }, 'Dozvon is running');

    let stopped = false;
    const running: RunningDozvon = {
      app,
      workers: { dispatcher, outbox },
      url: `http://127.0.0.1:${port}`,
      server,
      routes: mountedRoutes(routers),
      requests,
      sandbox,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const fn of cleanups) await fn().catch((e: unknown) => log.warn({ err: e }, 'shutdown step failed'));
      },
    };
    onLockLost = () => running.stop();
    return running;
  } catch (e) {
    // The start-up error is the one to report; a cleanup failing after it changes nothing for the caller.
    for (const fn of cleanups) await fn().catch(() => undefined);
    throw e;
  }
}

/**
 * Everything below the data directory's own entries, tightened a second after the start (not in
 * its way: the directory itself is 0700 already) and reported like the top level — quietly when
 * all it changed were the database's own files: PGlite writes some 0644 at every start.
 */
function tightenDataDirLater(dataDir: string, log: Logger, cleanups: (() => Promise<void>)[]): void {
  const stopping = new AbortController();
  let walk: Promise<void> = Promise.resolve();
  const onlyPglite = (r: TightenReport) => r.changed === r.examples.length && r.examples.every((e) => e.startsWith(`pg${path.sep}`));
  const timer = setTimeout(() => {
    walk = secureDataDirTree(dataDir, stopping.signal)
      .then((r) => reportTightened(log, r, onlyPglite(r) ? 'debug' : 'warn'))
      .catch((err: unknown) => log.warn({ err, dataDir }, 'data directory: could not check the permissions below it'));
  }, 1000);
  cleanups.unshift(async () => {
    clearTimeout(timer);
    stopping.abort();
    await walk;
  });
}

function reportTightened(log: Logger, r: TightenReport, level: 'warn' | 'debug'): void {
  if (r.changed > 0) log[level]({ changed: r.changed, examples: r.examples }, 'data directory: tightened permissions to owner-only (0700 / 0600)');
  if (r.failed.length > 0) log.warn({ failed: r.failed.slice(0, 20), count: r.failed.length }, 'data directory: could not tighten permissions of these entries; fix their owner or mode');
}

async function main(): Promise<void> {
  let running: RunningDozvon | undefined;
  const log = createLogger(loadConfigLevel());
  // From the first line on: a stray rejection during start-up is logged, not fatal, either.
  installProcessGuards(log);
  ensureUiBuilt();
  try {
    running = await startDozvon(process.env, { log });
  } catch (e) {
    // Configuration and lock problems are the user's to fix: say what, not a stack trace.
    process.stderr.write(`Dozvon could not start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`Dozvon is running at ${running.app.publicUrl()}  (health: ${running.app.publicUrl()}/health)\n`);
  const shutdown = (signal: string) => {
    running?.app.log.info({ signal }, 'shutting down');
    void running?.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

/** LOG_LEVEL for the process logger before the configuration is validated (a bad value falls back to info). */
function loadConfigLevel(): string {
  try {
    return loadConfig(process.env).logLevel;
  } catch {
    return 'info';
  }
}

/**
 * The server this module starts when it is the process's entry point (`npm start`, `tsx src/main.ts`):
 * resolves once it runs (scripts/start.mjs then saves the compiled code for the next start).
 */
export const serverStarted: Promise<void> | undefined = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href ? main() : undefined;
