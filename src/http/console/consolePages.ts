import type { Context } from 'koa';

/**
 * Headers of a console page (standalone at `/`, or inside a CRM frame): never cached (it may carry a
 * session), only our own scripts, styles of the UI kit (Vue sets element styles through the CSSOM,
 * the kit's components a few inline ones), recordings from our public URL. Standalone pages may
 * never be framed; the CRM pages name their portal / account in `frameAncestors`.
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
    // Standalone: framed by nobody. In a CRM: by the CRM's origins (stored at install) and ourselves.
    o.frameAncestors ? `frame-ancestors 'self' ${o.frameAncestors.join(' ')}`.trim() : "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ];
  ctx.set('Content-Security-Policy', policy.join('; '));
  if (!o.frameAncestors) ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.type = 'text/html; charset=utf-8';
}
