import type { InstallOutcome } from '../../../crm/bitrix24/install/installPortal.js';
import { t, type Locale } from '../../../i18n.js';
import { esc } from '../../html.js';
import { page } from './html.js';

/**
 * The install page the administrator sees in the portal's frame once the server side is done
 * (robots, placements, events, user fields): a summary, then `installFinish()` through B24Frame —
 * until then the portal keeps the app "not installed" (gotcha 1).
 */
export function installPage(lng: Locale, o: InstallOutcome): string {
  const s = o.summary;
  const body = `<h1>${esc(t(lng, 'bitrix24.install.title'))}</h1>
<p>${esc(t(lng, 'bitrix24.install.done', { domain: o.domain }))}</p>
<ul>
<li>${esc(t(lng, 'bitrix24.install.robots', { count: s.robots }))}</li>
<li>${esc(t(lng, 'bitrix24.install.placements', { count: s.placements }))}</li>
<li>${esc(t(lng, 'bitrix24.install.fields', { count: s.userFields }))}</li>
</ul>
<p id="finish" class="muted">${esc(t(lng, 'bitrix24.install.finishing'))}</p>`;
  const script = `(function () {
  var cfg = JSON.parse(document.getElementById('dozvon-config').textContent);
  var out = document.getElementById('finish');
  function say(text, cls) { out.textContent = text; out.className = cls; }
  if (!window.B24Js) { say(cfg.failed + ' (b24jssdk)', 'error'); return; }
  B24Js.initializeB24Frame()
    .then(function ($b24) { return $b24.installFinish(); })
    .then(function () { say(cfg.finished, 'ok'); })
    .catch(function (e) { say(cfg.failed + ' ' + (e && e.message || e), 'error'); });
})();`;
  return page({
    lang: lng,
    title: t(lng, 'bitrix24.install.title'),
    body,
    config: { finished: t(lng, 'bitrix24.install.finished'), failed: t(lng, 'bitrix24.install.failed') },
    sdk: true,
    script,
  });
}

export function errorPage(lng: Locale, title: string, message: string): string {
  return page({ lang: lng, title, body: `<h1>${esc(title)}</h1><p class="error">${esc(message)}</p>` });
}
