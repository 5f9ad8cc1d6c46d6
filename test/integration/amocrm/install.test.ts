import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccountByAmoId } from '../../../src/crm/amocrm/store/accounts.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import { startAmoHarness, waitFor, type AmoHarness } from './support.js';

/**
 * C4: an administrator installs the integration; amoCRM's one-shot redirect (3 s, never resent)
 * is answered at once and the account connected outside the request; a missed redirect is
 * recovered with Reconnect; hosts that are not amoCRM / Kommo are refused.
 */
let h: AmoHarness;
beforeAll(async () => {
  h = await startAmoHarness();
});
afterAll(async () => h?.stop());

describe('installing the integration', () => {
  it('the redirect is answered at once, the account is connected, tokens sealed, the starter template in Russian', async () => {
    const account = await h.newAccount({ name: 'ООО Ромашка' });
    const tenantId = await h.install(account, { alwaysOpen: false });
    const hook = account.hooks('install')[0]!;
    expect(hook.status).toBe(200);
    expect(hook.ms).toBeLessThan(3000);
    const tenant = await findTenant(h.app.db, tenantId);
    expect(tenant).toMatchObject({ kind: 'amocrm', externalId: `amocrm:${account.id}`, name: 'ООО Ромашка', locale: 'ru', status: 'active' });
    const row = (await findAccountByAmoId(h.app.db, 'amocrm', account.id))!;
    expect(row).toMatchObject({ subdomain: account.subdomain, host: account.referer, tokenUserId: 1 });
    // Sealed at rest: the stored values are not the tokens.
    const raw = await h.app.db.query<{ access_token_enc: string; refresh_token_enc: string }>('SELECT access_token_enc, refresh_token_enc FROM amo_accounts WHERE tenant_id = $1', [tenantId]);
    expect(raw.rows[0]!.access_token_enc).toMatch(/^v1\./);
    expect(raw.rows[0]!.refresh_token_enc).toMatch(/^v1\./);
    const status = await h.widget<{ connected: boolean; account: { name: string }; locale: string; user: { isAdmin: boolean } }>(account, 'GET', '/amocrm/widget/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ connected: true, account: { name: 'ООО Ромашка' }, locale: 'ru', user: { isAdmin: true } });
    const templates = await h.widget<{ templates: { id: string; name: string }[]; dp_key: string }>(account, 'GET', '/amocrm/widget/templates');
    expect(templates.body.templates).toEqual([expect.objectContaining({ name: 'Квалифицировать лид' })]);
    expect(templates.body.dp_key).toMatch(/^[\w-]{20,}$/);
  });

  it('the console session names the tenant, the account and the user, admin rights as the account says', async () => {
    const account = await h.newAccount({ lang: 'en' });
    const tenantId = await h.install(account, { alwaysOpen: false });
    const manager = account.addUser({ name: 'Maria Manager' });
    const admin = await h.widget<{ tenantId: string; accountId: number; user: { id: number; name: string; isAdmin: boolean }; locale: string }>(account, 'POST', '/amocrm/widget/console-session');
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual({ tenantId, accountId: account.id, user: { id: 1, name: 'Admin', isAdmin: true }, locale: 'ru' });
    const since = account.lastRequestSeq;
    const m = await h.widget<{ user: { isAdmin: boolean; name: string } }>(account, 'POST', '/amocrm/widget/console-session', undefined, { userId: manager });
    expect(m.body.user).toEqual({ id: manager, name: 'Maria Manager', isAdmin: false });
    // Asked once, then remembered for a while.
    await h.widget(account, 'POST', '/amocrm/widget/console-session', undefined, { userId: manager });
    expect(account.requests(since).filter((r) => r.path === `/api/v4/users/${manager}`)).toHaveLength(1);
    // A signed token cannot make a manager an administrator.
    const forgedClaim = await h.widget<{ user: { isAdmin: boolean } }>(account, 'POST', '/amocrm/widget/console-session', undefined, { token: account.widgetToken(h.integration.clientId, { userId: manager, claims: { is_admin: true } }) });
    expect(forgedClaim.body.user.isAdmin).toBe(false);
  });

  it('a slow account does not hold the redirect: it is answered at once and the account connected later', async () => {
    const account = await h.newAccount();
    account.failNext({ method: 'GET', path: '/api/v4/account' }, { delayMs: 4000 });
    const res = await account.install(h.integration.clientId);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(2000);
    await h.install(account, { alwaysOpen: false }).catch(() => undefined); // a second redirect is harmless
    await waitFor('the slow account to connect', async () => (await findAccountByAmoId(h.app.db, 'amocrm', account.id))?.refreshTokenEnc, 20_000);
  });

  it('Reconnect: a code from the OAuth popup connects an account whose install redirect was missed', async () => {
    const account = await h.newAccount();
    const code = account.authorizationCode(h.integration.clientId);
    const res = await fetch(`${h.t.url}/amocrm/oauth?code=${encodeURIComponent(code)}&referer=${encodeURIComponent(account.referer)}&state=reconnect-1&client_id=${h.integration.clientId}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const next = /url=([^"]+)"/.exec(page)?.[1];
    expect(next).toMatch(/^\/amocrm\/oauth\/status\?id=/);
    const text = await waitFor('the status page to say connected', async () => {
      const s = await (await fetch(`${h.t.url}${next!.replace(/&amp;/g, '&')}`)).text();
      return s.includes('Dozvon is connected') ? s : undefined;
    });
    expect(text).toContain(`Acme ${account.id}`);
  });

  it('refuses a redirect naming a host that is not amoCRM or Kommo, and stores nothing', async () => {
    for (const referer of ['evil.example.com', 'acme.amocrm.ru.evil.com', '10.0.0.1:80']) {
      const res = await fetch(`${h.t.url}/amocrm/oauth?code=abc&referer=${encodeURIComponent(referer)}`);
      expect(res.status, referer).toBe(400);
    }
    const rows = await h.app.db.query(`SELECT 1 FROM amo_install_codes WHERE host NOT LIKE '127.0.0.1:%'`);
    expect(rows.rows).toHaveLength(0);
  });

  it('a declined authorisation shows a page and changes nothing', async () => {
    const res = await fetch(`${h.t.url}/amocrm/oauth?error=access_denied&client_id=${h.integration.clientId}&state=x`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Access was not granted');
  });
});
