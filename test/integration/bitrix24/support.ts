import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { Clock, ManualClock } from '../../../src/core/clock.js';
import type { AppContext } from '../../../src/context.js';
import { bitrix24Of } from '../../../src/crm/bitrix24/index.js';
import { updatePortalSettings } from '../../../src/crm/bitrix24/portalSettings.js';
import { findPortalByMember } from '../../../src/crm/bitrix24/store/portals.js';
import type { TemplateSettings } from '../../../src/core/template.js';
import { updateTemplate } from '../../../src/engine/catalog/templates.js';
import { listVersioned, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal, type PortalOptions, type Workflow } from '../../fakes/bitrix24/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';

/**
 * One Dozvon (with the Bitrix24 adapter on) and one emulator per test file. Tests talk to Dozvon
 * only as a portal does — install page, installFinish, robots, events, placement posts — and look
 * at what landed in the portal. Dozvon-side setup that an admin would do in the console (a
 * template's calling window, the portal's call pace) goes through the engine.
 */
export interface B24Harness {
  emu: Bitrix24Emulator;
  t: TestApp;
  app: AppContext;
  /** A portal whose app is registered with this Dozvon's URLs. */
  newPortal(o?: PortalOptions): Promise<Portal>;
  /** Install page + installFinish; returns the portal's tenant id. */
  install(portal: Portal, o?: { lang?: string; alwaysOpen?: boolean }): Promise<string>;
  tenantOf(portal: Portal): Promise<string>;
  /** Templates call around the clock, campaigns from the portal call briskly. */
  alwaysOpen(tenantId: string): Promise<void>;
  stop(): Promise<void>;
}

/** `clock`: a ManualClock makes Dozvon's time (deadlines, redials, the recovery window) move only when the test moves it. */
export async function startHarness(env: Record<string, string> = {}, o: { clock?: Clock } = {}): Promise<B24Harness> {
  const clientId = `local.${crypto.randomBytes(7).toString('hex')}.${crypto.randomInt(10_000_000, 99_999_999)}`;
  const clientSecret = crypto.randomBytes(24).toString('hex');
  const t = await startTestApp({ B24_CLIENT_ID: clientId, B24_CLIENT_SECRET: clientSecret, CRM_ALLOW_HTTP: 'true', ...env }, o.clock ? { clock: o.clock } : {});
  const emu = await startBitrix24Emulator({
    app: { clientId, clientSecret, handlerUrl: `${t.url}/bitrix24/app`, installUrl: `${t.url}/bitrix24/install` },
    // How long the portal waits for Dozvon is not what these tests measure: on a loaded 2-core
    // machine the first install page took longer than the emulator's default 10 s (status null).
    outboundTimeoutMs: 60_000,
  });
  const app = t.dozvon.app;
  const h: B24Harness = {
    emu,
    t,
    app,
    newPortal: (o = {}) => emu.createPortal(o),
    async install(portal, o = {}) {
      const res = await portal.installApp(o.lang ? { lang: o.lang } : {});
      expect(res.page?.status, res.page?.body).toBe(200);
      await portal.installFinish();
      await portal.flush();
      const tenantId = await h.tenantOf(portal);
      if (o.alwaysOpen ?? true) await h.alwaysOpen(tenantId);
      return tenantId;
    },
    async tenantOf(portal) {
      const p = await findPortalByMember(app.db, portal.memberId);
      if (!p) throw new Error(`portal ${portal.memberId} is not known to Dozvon`);
      return p.tenantId;
    },
    async alwaysOpen(tenantId) {
      for (const tpl of await listVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId)) {
        await updateTemplate(app, tenantId, null, tpl.id, { ...tpl.body, callingWindow: { from: '00:00', to: '23:59' } });
      }
      await updatePortalSettings(app, tenantId, { intensity: 20, maxConcurrent: 50 });
    },
    async stop() {
      await t.stop();
      await emu.stop();
    },
  };
  return h;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 120_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface B24JobRow {
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  idempotency_key: string;
  next_attempt_at: Date;
}

/** Outbox rows of the bitrix24 channel for a tenant (what the adapter queued). */
export async function b24Jobs(app: AppContext, tenantId?: string): Promise<B24JobRow[]> {
  const r = await app.db.query<B24JobRow>(
    `SELECT kind, status, attempts, last_error, idempotency_key, next_attempt_at FROM outbox WHERE channel = 'bitrix24' AND ($1::uuid IS NULL OR tenant_id = $1) ORDER BY created_at`,
    [tenantId ?? null],
  );
  return r.rows;
}

/**
 * Waits until no bitrix24 job of the tenant is pending — but a robot's answer scheduled for its
 * deadline (minutes ahead, its number still being called), or its "queued" line due a minute after
 * the intake, is future work, not something to wait for.
 */
export async function settleOutbox(app: AppContext, tenantId: string, timeoutMs = 120_000, o: { nudge?: () => void } = {}): Promise<void> {
  const later = (j: B24JobRow, ms: number) => j.next_attempt_at.getTime() > app.clock.now().getTime() + ms;
  const scheduledLater = (j: B24JobRow) => (j.kind === 'robot.return' && later(j, 60_000)) || (j.kind === 'robot.queued' && later(j, 0));
  await waitFor(
    'the Bitrix24 outbox to drain',
    async () => {
      const drained = (await b24Jobs(app, tenantId)).every((j) => j.status !== 'pending' || scheduledLater(j));
      // On a manual clock, short waits (a recording still being stored, 1 s) pass only if time moves.
      if (!drained) o.nudge?.();
      return drained;
    },
    timeoutMs,
    100,
  );
}

export const gatewayStats = (app: AppContext, tenantId: string) => bitrix24Of(app)!.gateway.stats(tenantId);

/**
 * Dozvon on a manual clock with the portal's clock moved along with it, so waits of minutes and
 * hours (deadlines, redials, calling windows) pass without waiting. The portal's clock runs on real
 * time plus what tests add; Dozvon's stands still.
 */
export interface SharedTime {
  /** Brings the portal's clock to Dozvon's moment (at the start of a test). */
  sync(): void;
  /** Moves both clocks and wakes Dozvon's workers. */
  advance(ms: number): void;
  /** Waits for the workflow to stop waiting while time moves a second per poll (short waits of the adapter pass); its status. */
  answered(wf: Workflow, timeoutMs?: number): Promise<string>;
}

export function sharedTime(h: B24Harness, clock: ManualClock): SharedTime {
  const advance = (ms: number) => {
    clock.advance(ms);
    h.emu.clock.advance(ms);
    h.app.wake.outbox();
    h.app.wake.dispatcher();
  };
  return {
    sync: () => h.emu.clock.advance(clock.now().getTime() - h.emu.clock.now()),
    advance,
    async answered(wf, timeoutMs = 30_000) {
      await waitFor('the workflow to get its answer', () => {
        if (wf.status !== 'waiting') return true;
        advance(1000);
        return false;
      }, timeoutMs, 100);
      return wf.status;
    },
  };
}
