import Router from '@koa/router';
import coBody from 'co-body';
import type { Context } from 'koa';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import type { AppContext } from '../../context.js';
import { VoicePlatformError } from '../../voice/port.js';
import type { TwilioFamilyPlatform, WebhookKind } from '../../voice/twilio/twilioPlatform.js';
import { ON_THE_LINE, withPriority } from '../../store/dbPriority.js';
import type { DozvonState } from '../state.js';

/**
 * Webhooks of Twilio, SignalWire and Telnyx (`/voice/<profile>/calls/<attemptId>/…`). The
 * signature is checked against the URL as Dozvon registered it (PUBLIC_URL + path + query, never
 * the Host header) before anything in the body is used; a forged or stale request gets 401 and
 * changes nothing. TwiML goes back as text/xml; a webhook with nothing to say gets 204.
 */
const KINDS = ['answer', 'heard', 'dialed', 'amdwait', 'status', 'amd', 'recording'] as const satisfies readonly WebhookKind[];
// The callee is on the line for these: the bot's next step, and the detector's verdict (a machine
// is hung up on at once; a verdict applied after a step would let the bot talk to a voicemail).
const CALLEE_WAITS = new Set<WebhookKind>(['answer', 'heard', 'dialed', 'amdwait', 'amd']);
const paramsSchema = z.object({ attemptId: z.uuid(), kind: z.enum(KINDS), n: z.coerce.number().int().min(0).max(10_000).optional() });

/** The URL the provider requested, as we gave it to the provider: the public origin and path prefix + the request path. */
export function publicRequestUrl(publicUrl: string, originalUrl: string): string {
  const base = new URL(publicUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = prefix && !originalUrl.startsWith(`${prefix}/`) ? `${prefix}${originalUrl}` : originalUrl;
  return `${base.origin}${path}`;
}

async function readParams(ctx: Context): Promise<{ raw: string; params: Record<string, string>; type: 'form' | 'json' }> {
  const raw = await coBody.text(ctx.req, { limit: '256kb' });
  if (ctx.is('application/json')) {
    let json: unknown;
    try {
      json = JSON.parse(raw || '{}');
    } catch {
      throw new DomainError('bad_request', 'errors.malformed_body');
    }
    const params: Record<string, string> = {};
    if (json && typeof json === 'object') for (const [k, v] of Object.entries(json)) if (v !== null && typeof v !== 'object') params[k] = String(v);
    return { raw, params, type: 'json' };
  }
  return { raw, params: Object.fromEntries(new URLSearchParams(raw)), type: 'form' };
}

export function twilioFamilyRouter(app: AppContext, platform: TwilioFamilyPlatform): Router<DozvonState> {
  const router = new Router<DozvonState>({ prefix: `/voice/${platform.name}` });
  const handler = async (ctx: Context & { state: DozvonState }) => {
    const { raw, params, type } = await readParams(ctx);
    const ok = platform.verify({
      url: publicRequestUrl(app.publicUrl(), ctx.originalUrl),
      rawBody: raw,
      params,
      contentType: type,
      header: (name) => ctx.get(name) || undefined,
      nowSec: Math.floor(Date.now() / 1000),
    });
    if (!ok) throw new DomainError('unauthorized', 'errors.callback_signature');
    const p = paramsSchema.safeParse(ctx.params);
    if (!p.success) throw new DomainError('not_found', 'errors.route_not_found', { path: ctx.path });
    const query = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : (v ?? '')]));
    let twiml: string | undefined;
    try {
      const webhook = { kind: p.data.kind, attemptId: p.data.attemptId, n: p.data.n, query, params };
      twiml = CALLEE_WAITS.has(webhook.kind) ? await withPriority(ON_THE_LINE, () => platform.handle(webhook)) : await platform.handle(webhook);
    } catch (e) {
      if (e instanceof VoicePlatformError && !e.technical) throw new DomainError('not_found', 'errors.not_found', { entity: 'attempt', id: p.data.attemptId });
      throw e;
    }
    if (twiml === undefined) {
      ctx.status = 204;
      return;
    }
    ctx.type = 'text/xml';
    ctx.body = twiml;
  };
  router.post('/calls/:attemptId/:kind', handler);
  router.post('/calls/:attemptId/:kind/:n', handler);
  return router;
}
