import Router from '@koa/router';
import { DomainError, notFound } from '../core/errors.js';
import type { AppContext } from '../context.js';
import { verifyRecordingLink } from '../engine/recordingUrls.js';
import { findMediaById } from '../store/repositories/media.js';
import type { DozvonState } from './state.js';

/**
 * GET /recordings/:id?exp=&sig= — signed links (no session needed: a CRM's player fetches them),
 * the right content type, and byte ranges so players can seek.
 */
export function recordingsRouter(app: AppContext): Router<DozvonState> {
  const router = new Router<DozvonState>();
  router.get('/recordings/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    const exp = typeof ctx.query.exp === 'string' ? ctx.query.exp : '';
    const sig = typeof ctx.query.sig === 'string' ? ctx.query.sig : '';
    const check = verifyRecordingLink(app.keys.recordingUrl, id, exp, sig, app.clock.now());
    if (check === 'bad_signature') throw new DomainError('forbidden', 'errors.recording_link_invalid');
    if (check === 'expired') throw new DomainError('forbidden', 'errors.recording_link_expired');
    const media = await findMediaById(app.db, id);
    const size = media ? await app.storage.size(media.storageKey) : undefined;
    if (!media || size === undefined) throw notFound('recording', id);

    ctx.set('Accept-Ranges', 'bytes');
    ctx.set('Content-Type', media.contentType);
    ctx.set('Cache-Control', exp === '0' ? 'private, max-age=31536000, immutable' : 'private, max-age=3600');
    ctx.set('Content-Disposition', `inline; filename="${media.name.replace(/[^\w.-]/g, '_')}"`);
    const range = parseRange(ctx.get('range'), size);
    if (range === 'unsatisfiable') {
      ctx.status = 416;
      ctx.set('Content-Range', `bytes */${size}`);
      return;
    }
    if (range) {
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      ctx.length = range.end - range.start + 1;
      ctx.body = ctx.method === 'HEAD' ? null : app.storage.read(media.storageKey, range);
      return;
    }
    ctx.status = 200;
    ctx.length = size;
    ctx.body = ctx.method === 'HEAD' ? null : app.storage.read(media.storageKey);
  });
  return router;
}

/** One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`; several ranges are served as the whole file. */
export function parseRange(header: string, size: number): { start: number; end: number } | undefined | 'unsatisfiable' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    // "bytes=20-10" is not a valid range: ignored, the whole file is served (RFC 9110 §14.1.2).
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
