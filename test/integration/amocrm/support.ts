import crypto from 'node:crypto';
import { expect } from 'vitest';
import type { AppContext } from '../../../src/context.js';
import { updateAccountSettings } from '../../../src/crm/amocrm/accountSettings.js';
import { amocrmOf } from '../../../src/crm/index.js';
import { findAccountByAmoId } from '../../../src/crm/amocrm/store/accounts.js';
import type { TemplateSettings } from '../../../src/core/template.js';
import { updateTemplate } from '../../../src/engine/catalog/templates.js';
import { listVersioned, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import { startAmoEmulator, type Account, type AccountOptions, type AmoEmulator, type IntegrationDefinition } from '../../fakes/amocrm/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { waitFor } from '../bitrix24/support.js';

export { waitFor };

/**
 * One Dozvon (amoCRM adapter on) and one amoCRM emulator per test file. Tests talk to Dozvon only as
 * amoCRM does — the install redirect, widget requests with one-time tokens, DP hooks, the disable
 * hook — and look at what landed in the account. Settings an administrator makes in the widget go
 * through the widget API or, for templates, the engine.
 */
export interface AmoHarness {
  emu: AmoEmulator;
  t: TestApp;
  app: AppContext;
  integration: IntegrationDefinition;
  newAccount(o?: AccountOptions): Promise<Account>;
  /** The install redirect, then waits until Dozvon has connected the account; returns its tenant id. */
  install(account: Account, o?: { alwaysOpen?: boolean }): Promise<string>;
  tenantOf(account: Account): Promise<string>;
  /** Templates call around the clock, campaigns from the account call briskly. */
  alwaysOpen(tenantId: string): Promise<void>;
  /** A request from the widget: a fresh one-time token, the account's Origin. */
  widget<T = unknown>(account: Account, method: string, path: string, body?: unknown, o?: { userId?: number; token?: string | null; origin?: string }): Promise<{ status: number; body: T; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startAmoHarness(env: Record<string, string> = {}): Promise<AmoHarness> {
  const clientId = crypto.randomUUID();
  const clientSecret = crypto.randomBytes(32).toString('base64url');
  const t = await startTestApp({ AMOCRM_CLIENT_ID: clientId, AMOCRM_CLIENT_SECRET: clientSecret, CRM_ALLOW_HTTP: 'true', ...env });
  const emu = await startAmoEmulator();
  const integration = emu.addIntegration({
    clientId,
    clientSecret,
    redirectUri: `${t.url}/amocrm/oauth`,
    uninstallUrl: `${t.url}/amocrm/uninstall`,
    dpWebhookUrl: `${t.url}/amocrm/dp`,
  });
  const app = t.dozvon.app;
  const h: AmoHarness = {
    emu,
    t,
    app,
    integration,
    newAccount: (o = {}) => emu.createAccount(o),
    async install(account, o = {}) {
      const res = await account.install(clientId);
      expect(res.status, res.body).toBe(200);
      const tenantId = await waitFor('the account to be connected', async () => ((await findAccountByAmoId(app.db, account.platform, account.id))?.refreshTokenEnc ? h.tenantOf(account) : undefined));
      if (o.alwaysOpen ?? true) await h.alwaysOpen(tenantId);
      return tenantId;
    },
    async tenantOf(account) {
      const a = await findAccountByAmoId(app.db, account.platform, account.id);
      if (!a) throw new Error(`account ${account.id} is not known to Dozvon`);
      return a.tenantId;
    },
    async alwaysOpen(tenantId) {
      for (const tpl of await listVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId)) {
        await updateTemplate(app, tenantId, null, tpl.id, { ...tpl.body, callingWindow: { from: '00:00', to: '23:59' } });
      }
      await updateAccountSettings(amocrmOf(app)!.ctx, tenantId, { intensity: 20, maxConcurrent: 50 });
    },
    async widget(account, method, path, body, o = {}) {
      const token = o.token === undefined ? account.widgetToken(clientId, { userId: o.userId ?? 1 }) : o.token;
      const headers: Record<string, string> = { origin: o.origin ?? account.url };
      if (token) headers['x-auth-token'] = token;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${t.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as never, headers: res.headers };
    },
    async stop() {
      await t.stop();
      await emu.stop();
    },
  };
  return h;
}

export interface JobRow {
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  state: Record<string, unknown>;
}

/** Outbox rows of the amocrm channel for a tenant (what the adapter queued). */
export async function amoJobs(app: AppContext, tenantId?: string): Promise<JobRow[]> {
  const r = await app.db.query<JobRow>(
    `SELECT kind, status, attempts, last_error, state FROM outbox WHERE channel = 'amocrm' AND ($1::uuid IS NULL OR tenant_id = $1) ORDER BY created_at`,
    [tenantId ?? null],
  );
  return r.rows;
}

/**
 * Time passes for the outbox: retries the adapter scheduled for later (a backoff after a 5xx, a
 * wait for the recording) become due now. Tests use it instead of sleeping through backoffs.
 */
export async function hurryOutbox(app: AppContext, tenantId: string): Promise<void> {
  const r = await app.db.query(`UPDATE outbox SET next_attempt_at = now() WHERE channel = 'amocrm' AND tenant_id = $1 AND status = 'pending' AND next_attempt_at > now()`, [tenantId]);
  if ((r.rowCount ?? 0) > 0) app.wake.outbox();
}

/** Waits until no amocrm job of the tenant is pending. */
export async function settleAmo(app: AppContext, tenantId: string, timeoutMs = 30_000): Promise<void> {
  await waitFor('the amoCRM outbox to drain', async () => (await amoJobs(app, tenantId)).every((j) => j.status !== 'pending'), timeoutMs, 100);
}

export async function firstTemplate(app: AppContext, tenantId: string): Promise<{ id: string; name: string; body: TemplateSettings }> {
  const [tpl] = await listVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId);
  return tpl!;
}
