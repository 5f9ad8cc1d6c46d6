import crypto from 'node:crypto';
import type { Context, Next } from 'koa';

/**
 * Headers every response gets unless its route chose its own. The defaults: scripts, styles,
 * images and requests only from Dozvon's own origin, no plugins, no `<base>`, and no framing
 * (`frame-ancestors 'none'` and, for older browsers, `X-Frame-Options: DENY`).
 *
 * A route that must differ sets `Content-Security-Policy` itself — then framing is its own choice
 * too and neither default is added (the Bitrix24 pages name the portal in `frame-ancestors`).
 * HTML under a framed prefix (pages shown inside a CRM's frame: `/bitrix24/`) never gets the
 * framing defaults; its routes are responsible for their policy. JSON there still gets them.
 * Every /api response is `Cache-Control: no-store` unless its route says otherwise: tokens,
 * personal data and call results must not sit in shared or browser caches.
 */
export const DEFAULT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface SecurityHeaderOptions {
  /** Path prefixes whose HTML pages are framed by a CRM and set their own policy. */
  framedPrefixes: string[];
}

export function securityHeaders(o: SecurityHeaderOptions) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const has = (name: string) => ctx.response.headers[name.toLowerCase()] !== undefined;
    try {
      await next();
    } finally {
      ctx.set('X-Content-Type-Options', 'nosniff');
      if (!has('Referrer-Policy')) ctx.set('Referrer-Policy', 'no-referrer');
      if (!has('Content-Security-Policy')) {
        const framedPage = o.framedPrefixes.some((p) => ctx.path.startsWith(p)) && /html/i.test(ctx.response.type);
        if (!framedPage) {
          ctx.set('Content-Security-Policy', DEFAULT_CSP);
          ctx.set('X-Frame-Options', 'DENY');
        }
      }
      if (ctx.path.startsWith('/api/') && !has('Cache-Control')) ctx.set('Cache-Control', 'no-store');
    }
  };
}

/** `'sha256-…'` of an inline `<style>` body, for a page's CSP. */
export const styleHash = (css: string): string => `'sha256-${crypto.createHash('sha256').update(css, 'utf8').digest('base64')}'`;

/**
 * The policy of a server-rendered page of our own (status page, error pages): nothing but its one
 * inline stylesheet (by hash) and links; never framed.
 */
export function ownPagePolicy(ctx: Context, inlineCss: string): void {
  ctx.set(
    'Content-Security-Policy',
    ["default-src 'none'", `style-src ${styleHash(inlineCss)}`, "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; '),
  );
  ctx.set('X-Frame-Options', 'DENY');
}
