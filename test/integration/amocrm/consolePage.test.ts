import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markNeedsReauth } from '../../../src/crm/amocrm/accountStatus.js';
import { amocrmOf } from '../../../src/crm/index.js';
import type { EmbeddedBoot } from '../../../src/http/console/bootConfig.js';
import { spendConsoleCode, issueConsoleCode } from '../../../src/crm/amocrm/store/consoleCodes.js';
import { initI18n, t } from '../../../src/i18n.js';
import { ensureConsoleBuilt } from '../../e2e/console/support.js';
import type { Account } from '../../fakes/amocrm/index.js';
import { startAmoHarness, type AmoHarness } from './support.js';

/**
 * The web console in the widget's advanced settings page: the widget asks for a one-time code with
 * amoCRM's JWT, the framed page spends it for a console session of the amoCRM user in the account's
 * tenant — administrators of the account as administrators, everyone else as managers. Forged
 * tokens, spent or foreign codes open nothing; one account never opens another's tenant.
 */
let h: AmoHarness;
let a: Account;
let b: Account;
let tenantA: string;
let tenantB: string;

interface SessionAnswer {
  tenantId: string;
  user: { id: number; name: string; isAdmin: boolean };
  console: { path: string; expiresAt: string };
}

beforeAll(async () => {
  initI18n();
  await ensureConsoleBuilt();
  h = await startAmoHarness();
  a = await h.newAccount({ lang: 'en' });
  b = await h.newAccount({ lang: 'en' });
  tenantA = await h.install(a, { alwaysOpen: false });
  tenantB = await h.install(b, { alwaysOpen: false });
}, 300_000);
afterAll(async () => {
  await h?.stop();
});

async function openPage(path: string): Promise<{ status: number; html: string; headers: Headers; boot: EmbeddedBoot | undefined }> {
  const res = await fetch(`${h.t.url}${path}`, { headers: { accept: 'text/html' } });
  const html = await res.text();
  const m = /<script type="application\/json" id="dozvon-boot">([\s\S]*?)<\/script>/.exec(html);
  return { status: res.status, html, headers: res.headers, boot: m ? (JSON.parse(m[1]!) as EmbeddedBoot) : undefined };
}

async function api<T>(token: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

describe('the console in the advanced settings page', () => {
  it('a forged or missing widget token gets no code; a missing, unknown or spent code opens no console', async () => {
    const forged = await h.widget(a, 'POST', '/amocrm/widget/console-session', undefined, { token: a.widgetToken(h.integration.clientId, { secret: 'not-the-client-secret-at-all-0123456789' }) });
    expect(forged.status).toBe(401);
    expect(await h.widget(a, 'POST', '/amocrm/widget/console-session', undefined, { token: null }).then((r) => r.status)).toBe(401);

    for (const path of ['/amocrm/console', '/amocrm/console?code=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/amocrm/console?code=%3Cscript%3E']) {
      const page = await openPage(path);
      expect(page.status, path).toBe(401);
      expect(page.boot).toBeUndefined();
      expect(page.html).toContain(t('en', 'amocrm.errors.console_code').replace(/'/g, '&#39;'));
      // The refusal shows in the account's frame: any amoCRM / Kommo account may frame it, nobody else.
      expect(page.headers.get('content-security-policy')).toContain('frame-ancestors');
      expect(page.headers.get('x-frame-options')).toBeNull();
    }

    // A HEAD does not spend a code; a GET does, once. (The first visit's language stays the user's: English, as the widget says.)
    const s = await h.widget<SessionAnswer>(a, 'POST', '/amocrm/widget/console-session?lang=en');
    expect((await fetch(`${h.t.url}${s.body.console.path}`, { method: 'HEAD' })).status).toBe(204);
    expect((await openPage(s.body.console.path)).status).toBe(200);
    const again = await openPage(s.body.console.path);
    expect(again.status).toBe(401);
    expect(again.boot).toBeUndefined();
  });

  it('an account administrator gets the administrator’s console of the account’s tenant, framed only by the account', async () => {
    const s = await h.widget<SessionAnswer>(a, 'POST', '/amocrm/widget/console-session?lang=en');
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ tenantId: tenantA, user: { id: 1, isAdmin: true } });
    expect(s.body.console.path).toMatch(/^\/amocrm\/console\?code=[\w-]{40,}$/);

    const page = await openPage(s.body.console.path);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain(`frame-ancestors 'self' ${a.url}`);
    expect(csp).not.toContain(b.url);
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.boot).toMatchObject({ mode: 'amocrm', locale: 'en', user: { name: 'Admin', role: 'admin' }, crm: { account: String(a.id) } });

    // The token in the page is a console session of the account's tenant, as an administrator.
    const me = await api<{ id: string; role: string }>(page.boot!.token, '/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: page.boot!.user.id, role: 'admin' });
    const users = await api<{ users: { externalId: string | null }[] }>(page.boot!.token, '/users');
    expect(users.status).toBe(200);
    expect(users.body.users.map((u) => u.externalId)).toContain('amocrm:1');
    const row = await h.app.db.query<{ tenant_id: string; external_id: string; password_hash: string | null }>(`SELECT tenant_id, external_id, password_hash FROM users WHERE id = $1`, [page.boot!.user.id]);
    expect(row.rows).toEqual([{ tenant_id: tenantA, external_id: 'amocrm:1', password_hash: null }]);
  });

  it('a user who is no administrator in amoCRM gets a manager’s console, even with is_admin forged into a signed token', async () => {
    const manager = a.addUser({ name: 'Maria Manager' });
    const token = a.widgetToken(h.integration.clientId, { userId: manager, claims: { is_admin: true } });
    const s = await h.widget<SessionAnswer>(a, 'POST', '/amocrm/widget/console-session?lang=ru', undefined, { token });
    expect(s.status).toBe(200);
    expect(s.body.user).toEqual({ id: manager, name: 'Maria Manager', isAdmin: false });
    const page = await openPage(s.body.console.path);
    expect(page.status).toBe(200);
    expect(page.boot).toMatchObject({ mode: 'amocrm', locale: 'ru', user: { name: 'Maria Manager', role: 'manager' } });
    expect(page.html).toContain('<html lang="ru"');
    // Administrator screens are refused to this session.
    expect((await api(page.boot!.token, '/users')).status).toBe(403);
    expect((await api<{ role: string }>(page.boot!.token, '/auth/me')).body.role).toBe('manager');
  });

  it('one account never opens another’s tenant', async () => {
    const sb = await h.widget<SessionAnswer>(b, 'POST', '/amocrm/widget/console-session');
    expect(sb.body.tenantId).toBe(tenantB);
    const page = await openPage(sb.body.console.path);
    expect(page.boot?.crm.account).toBe(String(b.id));
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain(b.url);
    expect(csp).not.toContain(a.url);
    const users = await api<{ users: { id: string }[] }>(page.boot!.token, '/users');
    const rows = await h.app.db.query<{ tenant_id: string }>('SELECT tenant_id FROM users WHERE id = $1', [page.boot!.user.id]);
    expect(rows.rows[0]!.tenant_id).toBe(tenantB);
    // B's administrator sees B's users only: A's shadow users are not among them.
    const inA = await h.app.db.query<{ id: string }>('SELECT id FROM users WHERE tenant_id = $1', [tenantA]);
    const listed = new Set(users.body.users.map((u) => u.id));
    for (const u of inA.rows) expect(listed.has(u.id)).toBe(false);

    // A token naming A's account but signed by someone else is refused; B's own token never names A.
    const forged = await h.widget(b, 'POST', '/amocrm/widget/console-session', undefined, {
      token: b.widgetToken(h.integration.clientId, { claims: { account_id: a.id, iss: a.url }, secret: 'someone-elses-secret-0123456789abcdef' }),
    });
    expect(forged.status).toBe(401);
  });

  it('an account that must be reconnected still opens the console, which says so on top', async () => {
    const c = await h.newAccount({ lang: 'en' });
    const tenantC = await h.install(c, { alwaysOpen: false });
    await markNeedsReauth(amocrmOf(h.app)!.ctx, tenantC, 'test');
    const s = await h.widget<SessionAnswer>(c, 'POST', '/amocrm/widget/console-session?lang=en');
    const page = await openPage(s.body.console.path);
    expect(page.status).toBe(200);
    expect(page.boot?.notice).toEqual({ text: t('en', 'amocrm.errors.needs_reauth'), ok: false, show: true });
  });

  it('a code lives a minute', async () => {
    const now = h.app.clock.now();
    const { code } = await issueConsoleCode(h.app.db, { tenantId: tenantA, amoUserId: 1, name: 'Admin', isAdmin: true, locale: 'en' }, now);
    expect(await spendConsoleCode(h.app.db, code, new Date(now.getTime() + 61_000))).toBeUndefined();
    // Looked at once, even when it had expired.
    expect(await spendConsoleCode(h.app.db, code, now)).toBeUndefined();
    const fresh = await issueConsoleCode(h.app.db, { tenantId: tenantA, amoUserId: 1, name: 'Admin', isAdmin: true, locale: 'en' }, now);
    expect(await spendConsoleCode(h.app.db, fresh.code, new Date(now.getTime() + 30_000))).toMatchObject({ tenantId: tenantA, isAdmin: true });
  });
});
