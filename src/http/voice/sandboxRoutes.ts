import fs from 'node:fs';
import Router from '@koa/router';
import coBody from 'co-body';
import { DomainError, notFound } from '../../core/errors.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { handleCallEvent } from '../../engine/handleCallEvent.js';
import { callEventSchema } from '../../voice/events.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyCallback } from '../../voice/sandbox/callbackSignature.js';
import type { SandboxPlatform } from '../../voice/sandbox/sandboxPlatform.js';
import type { DozvonState } from '../state.js';

/**
 * Where the sandbox platform's callbacks land (exactly as a real platform's would): signed JSON
 * events, verified in constant time before anything is parsed into the engine; and the platform's
 * own recording downloads.
 */
export function sandboxRouter(app: AppContext, sandbox: SandboxPlatform): Router<DozvonState> {
  const router = new Router<DozvonState>({ prefix: '/voice/sandbox' });

  router.post('/events', async (ctx) => {
    const raw = await coBody.text(ctx.req, { limit: '256kb' });
    const ok = verifyCallback(
      app.keys.voiceCallback,
      raw,
      { timestamp: ctx.get(TIMESTAMP_HEADER), signature: ctx.get(SIGNATURE_HEADER) },
      Math.floor(Date.now() / 1000),
    );
    if (!ok) throw new DomainError('unauthorized', 'errors.callback_signature');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new DomainError('bad_request', 'errors.malformed_body');
    }
    const event = parseInput(callEventSchema, json);
    const r = await handleCallEvent(app, event);
    ctx.body = { ok: true, duplicate: r === 'duplicate' };
  });

  router.get('/recordings/:file', async (ctx) => {
    const callId = (ctx.params.file ?? '').replace(/\.wav$/, '');
    const sig = typeof ctx.query.sig === 'string' ? ctx.query.sig : '';
    const file = sandbox.mediaFile(callId);
    if (!file || !sandbox.verifyMedia(callId, sig)) throw new DomainError('forbidden', 'errors.recording_link_invalid');
    const st = await fs.promises.stat(file).catch(() => undefined); // no such file: 404 below
    if (!st) throw notFound('recording', callId);
    ctx.set('Content-Type', 'audio/wav');
    ctx.length = st.size;
    ctx.body = fs.createReadStream(file);
  });
  return router;
}
