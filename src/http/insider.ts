import ipaddr from 'ipaddr.js';
import type { Context } from 'koa';
import type { AppContext } from '../context.js';
import { resolveSession } from '../engine/auth/sessions.js';

/**
 * Whether a request may see where the server keeps its files (the data directory, the setup
 * code): only one from this machine (the socket's peer is loopback and no proxy forwarded it — or,
 * with TRUST_PROXY, the forwarded client is loopback), or one carrying an admin's session.
 */
export async function maySeeServerPaths(app: AppContext, ctx: Context): Promise<boolean> {
  const forwarded = Boolean(ctx.get('x-forwarded-for') || ctx.get('forwarded'));
  const peer = app.config.trustProxy > 0 ? ctx.ip : forwarded ? '' : (ctx.req.socket.remoteAddress ?? '');
  if (isLoopback(peer)) return true;
  const m = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'));
  const session = m ? await resolveSession(app.db, app.keys.session, m[1]!.trim()) : undefined;
  return session?.user.role === 'admin';
}

function isLoopback(ip: string): boolean {
  try {
    const a = ipaddr.process(ip);
    return a.range() === 'loopback';
  } catch {
    return false;
  }
}
