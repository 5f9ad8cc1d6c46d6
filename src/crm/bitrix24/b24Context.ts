import type { AppContext } from '../../context.js';
import { PortalGateway } from './rest/portalGateway.js';
import type { AppCredentials } from './tokens/oauthServer.js';
import { markNeedsReauth } from './tokens/reauth.js';
import { TokenRefresher } from './tokens/tokenRefresher.js';
import { TokenSealer } from './tokens/tokenStore.js';

/**
 * What every part of the Bitrix24 adapter works with: the app, our OAuth client credentials, the
 * token sealer, the token refresher and the per-portal request gateway. Built once per process by
 * `installBitrix24`; tests build extra ones (with their own worker id) to act as other processes.
 */
export interface B24Context {
  app: AppContext;
  creds: AppCredentials;
  sealer: TokenSealer;
  refresher: TokenRefresher;
  gateway: PortalGateway;
}

export function createB24Context(app: AppContext, creds: AppCredentials, o: { workerId?: string } = {}): B24Context {
  const sealer = new TokenSealer(app.keys.tokenEncryption);
  const refresher = new TokenRefresher({
    db: app.db,
    log: app.log,
    sealer,
    creds,
    allowLoopbackHttp: app.config.crmAllowHttp,
    http: app.outbound,
    workerId: o.workerId ?? app.workerId,
    now: () => app.clock.now(),
    onRevoked: (tenantId, detail) => markNeedsReauth(app, tenantId, 'refresh_rejected', detail),
  });
  const gateway = new PortalGateway({ db: app.db, sealer, refresher, http: app.outbound, now: () => app.clock.now() });
  return { app, creds, sealer, refresher, gateway };
}
