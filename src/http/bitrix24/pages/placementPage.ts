import type { PlacementPage } from '../../../crm/bitrix24/install/appBindings.js';
import type { BulkEntity } from '../../../crm/bitrix24/store/intakes.js';
import { t, type Locale } from '../../../i18n.js';
import { esc, page } from './html.js';

/**
 * Placement pages (C3): the deal / lead tab (call history + "Call now") and the list-menu action
 * (call the chosen rows). A small script on top of `/bitrix24/api/*` — the placement-UI work
 * replaces it; what it relies on is the config block and the API (docs/bitrix24.md):
 *
 *   <script type="application/json" id="dozvon-config">
 *     {page, entity, ids, placement, memberId, domain, lang, texts}
 *   </script>
 *   then B24Js.initializeB24Frame() → $b24.auth.getAuthData().access_token
 *   → fetch('/bitrix24/api/…', {headers: {'X-B24-Auth': token, 'X-B24-Member-Id': memberId, 'X-B24-Domain': domain}})
 */
export interface PlacementConfig {
  page: PlacementPage;
  entity: BulkEntity;
  /** Row ids from PLACEMENT_OPTIONS (`ID`): the card's id for a tab, the chosen rows for a menu. */
  ids: number[];
  placement: string;
  memberId: string;
  domain: string;
  lang: Locale;
}

const TEXT_KEYS = ['history', 'no_calls', 'call_now', 'call_selected', 'queued', 'failed', 'template', 'when', 'phone', 'outcome', 'result', 'gender', 'answers', 'recording', 'duration', 'selected'] as const;

export function placementPage(c: PlacementConfig): string {
  const lng = c.lang;
  const texts = Object.fromEntries(TEXT_KEYS.map((k) => [k, t(lng, `bitrix24.tab.${k}`)]));
  const tab = c.page.endsWith('_tab');
  const body = `<h1>${esc(t(lng, tab ? 'bitrix24.placement.tab_title' : 'bitrix24.placement.menu_title'))}</h1>
<div><label>${esc(texts.template!)} <select id="template"></select></label>
<button id="call">${esc(tab ? texts.call_now! : texts.call_selected!)}</button> <span id="status" class="muted"></span></div>
${tab ? `<h2>${esc(texts.history!)}</h2><div id="history" class="muted">…</div>` : `<p class="muted" id="selection"></p>`}`;
  const script = `(function () {
  var cfg = JSON.parse(document.getElementById('dozvon-config').textContent);
  var T = cfg.texts, $ = function (id) { return document.getElementById(id); };
  function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function say(text, cls) { $('status').textContent = text; $('status').className = cls || 'muted'; }
  B24Js.initializeB24Frame().then(function ($b24) {
    function api(path, body) {
      var auth = $b24.auth.getAuthData();
      var headers = { 'X-B24-Auth': auth ? auth.access_token : '', 'X-B24-Member-Id': cfg.memberId, 'X-B24-Domain': cfg.domain };
      if (body) headers['Content-Type'] = 'application/json';
      return fetch('/bitrix24/api/' + path, { method: body ? 'POST' : 'GET', headers: headers, body: body ? JSON.stringify(body) : undefined })
        .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error ? j.error.message : r.status); return j; }); });
    }
    function history() {
      if (!$('history') || !cfg.ids.length) return;
      api('history?entity=' + cfg.entity + '&id=' + cfg.ids[0]).then(function (h) {
        if (!h.calls.length) { $('history').textContent = T.no_calls; return; }
        var rows = h.calls.map(function (c) {
          var answers = c.answers.map(function (a) { return esc(a.question) + ': ' + esc(a.text); }).join('<br>');
          var rec = c.recordingUrl ? '<audio controls preload="none" src="' + esc(c.recordingUrl) + '"></audio>' : '';
          return '<tr><td>' + esc(c.startedAt.slice(0, 16).replace('T', ' ')) + '</td><td>' + esc(c.phone) + '</td><td>' + esc(c.outcomeText || c.status) +
            '</td><td>' + esc(c.result) + '</td><td>' + esc(c.gender) + '</td><td>' + answers + '</td><td>' + esc(c.talkSec) + '</td><td>' + rec + '</td></tr>';
        }).join('');
        $('history').className = '';
        $('history').innerHTML = '<table><tr><th>' + [T.when, T.phone, T.outcome, T.result, T.gender, T.answers, T.duration, T.recording].map(esc).join('</th><th>') + '</th></tr>' + rows + '</table>';
      }).catch(function (e) { $('history').textContent = T.failed + ' ' + e.message; });
    }
    if ($('selection')) $('selection').textContent = T.selected + ' ' + cfg.ids.join(', ');
    api('templates').then(function (r) {
      $('template').innerHTML = r.templates.map(function (x) { return '<option value="' + esc(x.id) + '">' + esc(x.name) + '</option>'; }).join('');
    });
    $('call').onclick = function () {
      say('…');
      api('calls', { templateId: $('template').value, entity: cfg.entity, ids: cfg.ids })
        .then(function () { say(T.queued, 'ok'); setTimeout(history, 3000); })
        .catch(function (e) { say(T.failed + ' ' + e.message, 'error'); });
    };
    history();
    $b24.parent.fitWindow && $b24.parent.fitWindow();
  }).catch(function (e) { say(T.failed + ' ' + (e && e.message || e), 'error'); });
})();`;
  return page({ lang: lng, title: 'Dozvon', body, config: { ...c, texts }, sdk: true, script });
}
