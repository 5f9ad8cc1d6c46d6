import type { Context } from 'koa';

/**
 * Headers of a console page (standalone at `/`, or inside a CRM frame): never cached (it may carry a
 * session), only our own scripts, styles of the UI kit (Vue sets element styles through the CSSOM,
 * the kit's components a few inline ones), recordings from our public URL. Standalone pages may
 * be framed by nobody but us; the CRM pages name their portal / account in `frameAncestors`.
 */
export function consolePolicy(ctx: Context, o: { publicUrl: string; frameAncestors?: string[]; connect?: string[] }): void {
  let publicOrigin = '';
  try {
    publicOrigin = new URL(o.publicUrl).origin;
  } catch {
    // no public URL yet: 'self' covers the recordings
  }
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `media-src 'self' blob: ${publicOrigin}`.trim(),
    `connect-src 'self' ${(o.connect ?? []).join(' ')}`.trim(),
    "font-src 'self' data:",
    `frame-ancestors 'self' ${(o.frameAncestors ?? []).join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ];
  ctx.set('Content-Security-Policy', policy.join('; '));
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.type = 'text/html; charset=utf-8';
}
