import type { Context, Next } from 'koa';
import { unauthorized } from '../core/errors.js';
import type { AppContext } from '../context.js';
import { resolveSession } from '../engine/auth/sessions.js';
import type { DozvonState, Principal } from './state.js';

/**
 * Establishes who is calling the JSON API. A bearer token that is present but invalid (bad
 * signature, expired, its session ended) is refused outright (401) rather than treated as
 * anonymous, so a client never silently acts as nobody. API keys are resolved by the resolver
 * registered for them (Calls API); wrong keys are counted per client address and, past the limit,
 * refused with 429 before they are even looked up.
 */
export type ApiKeyResolver = (app: AppContext, key: string) => Promise<Principal | undefined>;

export function authenticate(app: AppContext, resolveApiKey?: ApiKeyResolver) {
  return async (ctx: Context & { state: DozvonState }, next: Next): Promise<void> => {
    const header = ctx.get('authorization');
    const apiKey = ctx.get('x-api-key');
    if (header) {
      const m = /^Bearer\s+(.+)$/i.exec(header);
      const found = m ? await resolveSession(app.db, app.keys.session, m[1]!.trim()) : undefined;
      if (!found) throw unauthorized('errors.session_invalid');
      const { user, session } = found;
      ctx.state.principal = { kind: 'user', userId: user.id, tenantId: user.tenantId, role: user.role, locale: user.locale, sessionId: session.id };
      // A signed-in user's own language wins over the browser's unless the request names one.
      if (!ctx.query.lang) ctx.state.locale = user.locale;
    } else if (apiKey) {
      await app.authThrottle.assertApiKeyAllowed(ctx.ip);
      const p = resolveApiKey ? await resolveApiKey(app, apiKey) : undefined;
      if (!p) {
        await app.authThrottle.apiKeyFailed(ctx.ip);
        throw unauthorized('errors.api_key_invalid');
      }
      ctx.state.principal = p;
    }
    await next();
  };
}
