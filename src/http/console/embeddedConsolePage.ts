import { DomainError } from '../../core/errors.js';
import type { Logger } from '../../log.js';
import { VERSION } from '../../version.js';
import { esc } from '../html.js';
import type { EmbeddedBoot } from './bootConfig.js';
import { consoleFiles, logNotBuilt } from './consoleFiles.js';

/**
 * The console's page inside a CRM (the Bitrix24 app page, amoCRM's advanced settings), signed in
 * as the CRM user's console session. The connection line is also in the page's body for the
 * moment before the console starts. Not built, or being rebuilt: 503 with Retry-After, as every
 * console page (the request itself was right).
 */
export function embeddedConsolePage(
  log: Logger,
  mode: EmbeddedBoot['mode'],
  session: { token: string; user: { id: string; name: string; role: EmbeddedBoot['user']['role']; locale: EmbeddedBoot['locale'] } },
  crm: EmbeddedBoot['crm'],
  notice: NonNullable<EmbeddedBoot['notice']>,
  o: { headExtra?: string } = {},
): string {
  const { user } = session;
  const html = consoleFiles().page(
    { mode, locale: user.locale, version: VERSION, token: session.token, user: { id: user.id, name: user.name, role: user.role }, crm, notice },
    { ...o, body: `<p role="${notice.ok ? 'status' : 'alert'}" style="font:14px system-ui,sans-serif;margin:16px">${esc(notice.text)}</p>` },
  );
  if (html === undefined) {
    logNotBuilt(log, `${mode} console page`, consoleFiles().dir);
    throw new DomainError('service_unavailable', 'placements.common.page_failed');
  }
  return html;
}
