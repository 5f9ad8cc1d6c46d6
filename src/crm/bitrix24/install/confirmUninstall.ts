import type { HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { newId } from '../../../store/ids.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { findTenant } from '../../../store/repositories/tenants.js';
import type { B24Context } from '../b24Context.js';
import { enqueueB24, type JobPayload } from '../jobs.js';
import { isB24Error } from '../rest/b24Error.js';
import { findPortal, swapTokens, type PortalRecord } from '../store/portals.js';
import { exchangeRefreshToken } from '../tokens/oauthServer.js';
import { disablePortal } from './disablePortal.js';

/**
 * ONAPPUNINSTALL carries nothing but the application token (RD:api-reference/common/events/on-app-uninstall.md;
 * which payloads carry that token: ./applicationToken.ts). A token that leaked once — from a log, a
 * proxy, a backup — must not be enough to switch a portal off or erase its data. So the event,
 * after its token checked out, only queues this job (answering Bitrix24 at once), and the job asks
 * the portal first:
 *
 * 1. `app.info` with the stored access token. An answer means the app is still there: the event is
 *    ignored (logged), nothing changes.
 * 2. Refused (API access is revoked on uninstall, brief §1.5): the stored refresh token goes to the
 *    OAuth server. A new pair means the app is still there (the pair is kept, as any refresh).
 *    `invalid_client` — "the app is not installed" (RD:settings/oauth/error-codes.md) — is the
 *    confirmation; a portal answering PORTAL_DELETED confirms it too.
 * 3. Anything else (a refresh token refused as `invalid_grant`: spent elsewhere, not proof of an
 *    uninstall) cannot confirm: the event is ignored and the data kept. Portal or OAuth server not
 *    answering: asked again later (the job retries with backoff for a week).
 *
 * Confirmed: the portal is disabled at once, its data kept for a recovery window (./disablePortal.ts).
 */
export type AppPresence = 'installed' | 'gone' | 'unknown';

export async function requestUninstall(b24: B24Context, portal: PortalRecord, clean: boolean): Promise<void> {
  const { app } = b24;
  await enqueueB24(app, app.db, {
    tenantId: portal.tenantId,
    kind: 'portal.uninstall',
    // Every event is its own request: one ignored as unconfirmed must not swallow a later, real one.
    key: `b24:portal.uninstall:${portal.tenantId}:${newId()}`,
    partition: `b24:${portal.tenantId}:lifecycle`,
    payload: { clean },
  });
  app.wake.outbox();
}

export async function confirmUninstall(b24: B24Context, job: OutboxJob, p: JobPayload<'portal.uninstall'>): Promise<HandlerResult> {
  const { app } = b24;
  const log = app.log.child({ tenantId: job.tenantId });
  const portal = await findPortal(app.db, job.tenantId);
  if (!portal?.accessTokenEnc) return { kind: 'done' }; // disabled already (a repeated event)
  const presence = await appPresence(b24, portal);
  if (presence !== 'gone') {
    log.warn({ presence, clean: p.clean }, presence === 'installed'
      ? 'bitrix24: ONAPPUNINSTALL ignored: the app still works on the portal'
      : 'bitrix24: ONAPPUNINSTALL ignored: the portal could not confirm it (refresh token refused as invalid_grant); data kept');
    return { kind: 'done' };
  }
  await disablePortal(app, job.tenantId, { clean: p.clean, runningJobId: job.id });
  return { kind: 'done' };
}

/** Whether the app is still installed on the portal, asked with the stored tokens. Throws when the portal cannot say now. */
export async function appPresence(b24: B24Context, portal: PortalRecord): Promise<AppPresence> {
  const { gateway, sealer, refresher } = b24;
  try {
    await gateway.callAsUser(portal.tenantId, portal.clientEndpoint, sealer.open(portal.accessTokenEnc!), 'app.info');
    return 'installed';
  } catch (e) {
    if (!isB24Error(e) || e.kind === 'transient' || e.kind === 'limit') throw e;
    if (e.code === 'PORTAL_DELETED') return 'gone';
  }
  const tenant = await findTenant(b24.app.db, portal.tenantId);
  try {
    if (tenant?.status === 'needs_reauth') {
      // The refresher no longer asks the OAuth server for such a portal; this one question is safe:
      // the stored refresh token was refused already.
      const answer = await exchangeRefreshToken(portal.serverEndpoint, sealer.open(portal.refreshTokenEnc!), b24.creds, {
        allowLoopbackHttp: b24.app.config.crmAllowHttp,
        http: b24.app.outbound,
      });
      await swapTokens(b24.app.db, portal.tenantId, portal.tokenVersion, sealer.sealResponse(answer, portal.tokenUserId ?? 1, b24.app.clock.now()));
    } else {
      await refresher.refresh(portal.tenantId, portal.tokenVersion, { reportRevoked: false });
    }
    return 'installed';
  } catch (e) {
    if (!isB24Error(e) || e.kind === 'transient' || e.kind === 'limit') throw e;
    return e.code === 'invalid_client' ? 'gone' : 'unknown';
  }
}
