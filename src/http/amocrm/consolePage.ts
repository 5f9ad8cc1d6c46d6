import type Router from '@koa/router';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { DomainError } from '../../core/errors.js';
import { parseInput } from '../../core/validation.js';
import type { AmoContext } from '../../crm/amocrm/amoContext.js';
import { spendConsoleCode } from '../../crm/amocrm/store/consoleCodes.js';
import { findAccount } from '../../crm/amocrm/store/accounts.js';
import { crmConsoleSession } from '../../engine/auth/crmSession.js';
import { t, type Locale } from '../../i18n.js';
import { findTenant } from '../../store/repositories/tenants.js';
import { asPage } from '../bitrix24/pages/html.js';
import { embeddedConsolePage } from '../console/embeddedConsolePage.js';
import { consolePolicy } from '../console/consolePages.js';
import type { DozvonState } from '../state.js';

/**
 * GET /amocrm/console?code=… — the web console inside the amoCRM widget's advanced settings page
 * (the widget's `advancedSettings` callback frames this address). The widget got the code from
 * `POST /amocrm/widget/console-session`, authorised by amoCRM's one-time JWT; the code is spent
 * here once, within a minute, for a console session of the amoCRM user's shadow account in the
 * account's tenant (account administrators are console administrators). The session token lives
 * only in the page (the boot block), never in an address.
 *
 * Only the account's own origin may frame the page. A refused code (unknown, spent, expired) is a
 * page in the frame saying to open the settings page again — and, since that is what a reload of
 * the frame meets (its address carries the spent code), the page asks the widget around it for
 * the console again (`REOPEN_SCRIPT`: a message to the parent, nothing in it); the widget opens it
 * with a fresh code, in the same session (crmConsoleSession resumes this browser's).
 */
const REOPEN_PATH = '/amocrm/console/reopen.js';
/** Served from our origin (the page's policy runs no inline script); the widget checks who sent it. */
const REOPEN_SCRIPT = "if (window.parent !== window) window.parent.postMessage({ dozvon: 'console-reopen' }, '*');\n";

const query = z.object({ code: z.string().max(200).optional(), lang: z.enum(['ru', 'en']).optional() });

/** Who may frame a refusal (it carries nothing): any amoCRM / Kommo account. */
function anyAccountOrigins(allowLoopbackHttp: boolean): string[] {
  const cloud = ['https://*.amocrm.ru', 'https://*.kommo.com', 'https://*.amocrm.com'];
  return allowLoopbackHttp ? [...cloud, 'http://127.0.0.1:*', 'http://localhost:*'] : cloud;
}

function connectionNotice(lng: Locale, account: string, status: string): { text: string; ok: boolean; show: boolean } {
  if (status === 'needs_reauth') return { text: t(lng, 'amocrm.errors.needs_reauth'), ok: false, show: true };
  if (status === 'api_blocked') return { text: t(lng, 'amocrm.errors.api_blocked'), ok: false, show: true };
  return { text: t(lng, 'amocrm.widget.connected_as', { account }), ok: true, show: false };
}

export function mountConsolePage(router: Router<DozvonState>, ctx: AmoContext, app: AppContext): void {
  router.get(REOPEN_PATH, (koa) => {
    koa.type = 'text/javascript; charset=utf-8';
    koa.set('Cache-Control', 'public, max-age=3600');
    koa.set('X-Content-Type-Options', 'nosniff');
    koa.body = REOPEN_SCRIPT;
  });

  router.get('/amocrm/console', async (koa) => {
    // A HEAD (a link checker) must not spend the code the frame is about to use.
    if (koa.method === 'HEAD') {
      koa.status = 204;
      koa.set('Cache-Control', 'no-store');
      return;
    }
    const lang: Locale = koa.query.lang === 'ru' || koa.query.lang === 'en' ? koa.query.lang : koa.state.locale;
    // The refusal's policy; replaced by the account's own below once the code is good.
    consolePolicy(koa, { publicUrl: app.publicUrl(), frameAncestors: anyAccountOrigins(ctx.cfg.allowLoopbackHttp) });
    let spent = false;
    await asPage(koa, lang, async () => {
      const q = parseInput(query, koa.query, 'query');
      const grant = q.code ? await spendConsoleCode(ctx.db, q.code, ctx.clock.now()) : undefined;
      if (!grant) {
        spent = true;
        throw new DomainError('unauthorized', 'amocrm.errors.console_code');
      }
      const [tenant, account] = await Promise.all([findTenant(ctx.db, grant.tenantId), findAccount(ctx.db, grant.tenantId)]);
      // Disconnected between the code and the page: nothing to open.
      if (!tenant || !account || tenant.status === 'uninstalled' || !account.refreshTokenEnc) throw new DomainError('forbidden', 'amocrm.errors.not_connected');
      const session = await crmConsoleSession(
        app,
        { tenantId: tenant.id, crm: 'amocrm', crmUserId: String(grant.amoUserId), name: grant.name, isAdmin: grant.isAdmin, locale: grant.locale },
        { ip: koa.ip || undefined, userAgent: koa.get('user-agent') || undefined },
      );
      const notice = connectionNotice(session.user.locale, account.name || account.host, tenant.status);
      const html = embeddedConsolePage(ctx.log, 'amocrm', session, { account: String(account.accountId), domain: account.host }, notice);
      const origin = new URL(account.baseUrl).origin;
      consolePolicy(koa, { publicUrl: app.publicUrl(), frameAncestors: [origin], connect: [] });
      koa.body = html;
    });
    // The refusal a reload meets: ask the widget for the console again.
    if (spent && typeof koa.body === 'string') koa.body = koa.body.replace('</body>', `<script src="${REOPEN_PATH}"></script></body>`);
  });
}
