import { t, type Locale } from '../i18n.js';
import { esc } from './html.js';

/** The one stylesheet of the error page (inline, allowed by its hash in the page's CSP). */
export const ERROR_PAGE_CSS = 'body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2733}.muted{color:#5b6673}';

/** An error as a page, for a person's browser (the same message the JSON error carries). */
export function errorPage(lng: Locale, status: number, e: { message: string; details: { path: string; message: string }[]; requestId: string }): string {
  return `<!doctype html><html lang="${lng}"><head><meta charset="utf-8"><title>${status} · Dozvon</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${ERROR_PAGE_CSS}</style></head><body>
<h1>${esc(t(lng, 'status.error_title', { status }))}</h1><p>${esc(e.message)}</p>
${e.details.map((d) => `<p class="muted">${esc(d.path ? `${d.path}: ${d.message}` : d.message)}</p>`).join('')}
<p class="muted">${esc(t(lng, 'status.request_id', { id: e.requestId }))}</p>
<p><a href="/">${esc(t(lng, 'status.home'))}</a></p>
</body></html>`;
}
