import { DomainError } from '../../../core/errors.js';
import { seedStarter } from '../../../engine/seedStarter.js';
import type { Locale } from '../../../i18n.js';
import { updateTenant, upsertTenant } from '../../../store/repositories/tenants.js';
import type { B24Context } from '../b24Context.js';
import { isB24Error } from '../rest/b24Error.js';
import { upsertPortal } from '../store/portals.js';
import { exchangeRefreshToken, isTrustedServerEndpoint } from '../tokens/oauthServer.js';
import { clearNeedsReauth } from '../tokens/reauth.js';
import { restorePortal } from './disablePortal.js';
import { registerApp, type RegisterSummary } from './registerApp.js';

/**
 * The install page (C1): an administrator opened the app for installation and the portal posted
 * their tokens. The refresh token is exchanged at Bitrix24's OAuth server with our client secret —
 * the proof that this really is our app on that portal (a forged form gets `invalid_grant` or
 * names an OAuth server we do not trust) — and the fresh pair is what we keep. Then the portal
 * becomes a tenant (or is one again, on a re-install), gets the starter scenario and template in
 * its language, and the app is declared on it. `installFinish()` is the page's job.
 */
export interface InstallInput {
  memberId: string;
  refreshToken: string;
  serverEndpoint: string;
  /**
   * The installation's application token, when the request carries one (ONAPPINSTALL). The install
   * page's frame form has none; a stored one is then kept until ONAPPINSTALL brings the new one.
   */
  applicationToken: string | undefined;
  lang: string | undefined;
}

export interface InstallOutcome {
  tenantId: string;
  locale: Locale;
  domain: string;
  summary: RegisterSummary;
}

/** Russian-speaking portals get Russian; every other language gets English. */
export function localeOfPortal(lang: string | undefined): Locale {
  return ['ru', 'ua', 'by', 'kz'].includes((lang ?? '').toLowerCase()) ? 'ru' : 'en';
}

export async function installPortal(b24: B24Context, input: InstallInput): Promise<InstallOutcome> {
  const { app, sealer } = b24;
  if (!isTrustedServerEndpoint(input.serverEndpoint, app.config.crmAllowHttp)) {
    throw new DomainError('forbidden', 'bitrix24.errors.untrusted_oauth_server');
  }
  let tokens;
  try {
    tokens = await exchangeRefreshToken(input.serverEndpoint, input.refreshToken, b24.creds, { allowLoopbackHttp: app.config.crmAllowHttp, http: app.outbound });
  } catch (e) {
    if (isB24Error(e) && (e.kind === 'revoked' || e.kind === 'final')) throw new DomainError('forbidden', 'bitrix24.errors.install_unverified');
    throw e;
  }
  if (tokens.member_id !== input.memberId) throw new DomainError('forbidden', 'bitrix24.errors.install_unverified');

  const now = app.clock.now();
  const domain = new URL(tokens.client_endpoint).host;
  const locale = localeOfPortal(input.lang);
  const { tenant } = await upsertTenant(app.db, { kind: 'bitrix24', externalId: input.memberId, name: domain, locale });
  await upsertPortal(app.db, {
    tenantId: tenant.id,
    memberId: input.memberId,
    domain,
    clientEndpoint: tokens.client_endpoint,
    serverEndpoint: tokens.server_endpoint ?? input.serverEndpoint,
    applicationTokenEnc: input.applicationToken ? sealer.seal(input.applicationToken) : null,
    tokens: sealer.sealResponse(tokens, 1, now),
    now,
  });
  if (tenant.status === 'uninstalled') {
    // Within the recovery window everything is still there: the purge is off (upsertPortal), and
    // what the uninstall paused resumes.
    await updateTenant(app.db, tenant.id, { name: domain });
    await restorePortal(app, tenant.id);
  }
  if (tenant.status === 'needs_reauth') await clearNeedsReauth(app, tenant.id);
  await seedStarter(app, tenant.id, tenant.locale);
  const summary = await registerApp(b24, { tenantId: tenant.id, authUserId: tokens.user_id ?? 1, lng: tenant.locale });
  app.log.info({ tenantId: tenant.id, domain, ...summary }, 'bitrix24: app installed on a portal');
  return { tenantId: tenant.id, locale: tenant.locale, domain, summary };
}
