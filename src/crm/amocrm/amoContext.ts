import { SecretSealer } from '../shared/secretSealer.js';
import { AmoClient } from './api/client.js';
import { AmoGateway } from './api/gateway.js';
import type { AmoConfig } from './config.js';
import { AmoTokenRefresher } from './oauth/tokenRefresher.js';
import type { AmoPorts } from './ports.js';
import { markBlocked, markNeedsReauth } from './accountStatus.js';
import { markNotesSending } from './writeback/sendingMark.js';

/**
 * What every part of the amoCRM adapter works with: its ports, its configuration slice, the sealer,
 * the token refresher, the per-account request gateway and the typed API client. Built once per
 * process by `installAmocrm`; tests build extra ones (another worker id) to act as other processes.
 */
export interface AmoContext extends AmoPorts {
  cfg: AmoConfig;
  sealer: SecretSealer;
  refresher: AmoTokenRefresher;
  gateway: AmoGateway;
  api: AmoClient;
}

export function createAmoContext(ports: AmoPorts, cfg: AmoConfig, o: { workerId?: string } = {}): AmoContext {
  const sealer = new SecretSealer(ports.tokenKey);
  const now = () => ports.clock.now();
  // The context is completed below; the callbacks only run later, once it is whole.
  const ctx = { ...ports, workerId: o.workerId ?? ports.workerId, cfg, sealer } as AmoContext;
  ctx.refresher = new AmoTokenRefresher({
    db: ports.db,
    log: ports.log,
    sealer,
    cfg,
    http: ports.http,
    workerId: ctx.workerId,
    now,
    onRevoked: (tenantId, detail) => markNeedsReauth(ctx, tenantId, detail),
  });
  ctx.gateway = new AmoGateway({
    db: ports.db,
    log: ports.log,
    sealer,
    refresher: ctx.refresher,
    http: ports.http,
    now,
    onBlocked: (tenantId, e) => markBlocked(ctx, tenantId, e),
    markSending: (jobIds) => markNotesSending(ports.db, jobIds),
  });
  ctx.api = new AmoClient(ctx.gateway);
  return ctx;
}
