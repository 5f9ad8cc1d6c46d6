/**
 * The browser side of the widget harness: what amoCRM's page does around a widget (brief §5
 * "script.js"). It loads the uploaded archive's `i18n/<lang>.json` and `script.js` (an AMD module:
 * a minimal `define` catches its factory), creates the widget, mixes in amoCRM's system methods —
 * `i18n`, `system`, `get_settings`, `render_template`, `list_selected`, `$authorizedAjax` (a fresh
 * one-time token from the account for every request, sent as `X-Auth-Token`) — and drives the
 * callbacks the way each area does: render → init → bind_actions; the list's mass action; the
 * settings modal; the advanced settings page; the Digital Pipeline action form.
 */
export const HARNESS_CLIENT = String.raw`(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('harness-config').textContent);
  var base = '/harness/widget/' + cfg.clientId + '/';
  var log = function (what) { (window.__harnessLog = window.__harnessLog || []).push(what); };
  window.APP = {
    lang_id: cfg.lang,
    data: { current_card: cfg.area === 'lcard' ? { id: cfg.leadId, element_type: 2 } : null },
    constant: function (name) { return name === 'user' ? { id: cfg.userId } : name === 'account' ? { id: cfg.accountId, subdomain: cfg.subdomain } : null; },
  };
  var factory = null;
  window.define = function (deps, f) { factory = typeof deps === 'function' ? deps : f; };
  window.define.amd = {};

  function getJson(url) { return fetch(url).then(function (r) { return r.json(); }); }

  function authorizedAjax(settings) {
    return fetch('/harness/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: cfg.clientId, userId: cfg.userId }) })
      .then(function (r) { return r.text(); })
      .then(function (token) {
        var headers = { 'X-Auth-Token': token };
        if (settings.contentType) headers['Content-Type'] = settings.contentType;
        log((settings.method || settings.type || 'GET') + ' ' + settings.url);
        return fetch(settings.url, { method: settings.method || settings.type || 'GET', headers: headers, body: settings.data });
      })
      .then(function (res) {
        return res.text().then(function (text) {
          var json;
          try { json = text ? JSON.parse(text) : undefined; } catch (e) { json = undefined; }
          if (res.ok) return json;
          throw { status: res.status, responseJSON: json, responseText: text };
        });
      }, function (e) {
        throw { status: 0, responseText: String(e) };
      });
  }

  function jq(el) { var o = { 0: el, length: 1 }; return o; }

  getJson(base + 'i18n/' + cfg.lang + '.json').then(function (i18n) {
    var s = document.createElement('script');
    s.src = base + 'script.js';
    s.onload = function () { start(i18n); };
    document.head.appendChild(s);
  });

  function start(i18n) {
    var Widget = factory();
    var w = new Widget();
    var settings = { widget_code: cfg.widgetCode, path: base, oauth_client_uuid: cfg.clientId };
    w.i18n = function (section) { return i18n[section]; };
    w.system = function () { return { area: cfg.area, amouser_id: cfg.userId, subdomain: cfg.subdomain, lang: cfg.lang, domain: location.host }; };
    w.get_settings = function () { return settings; };
    w.set_settings = function (patch) { Object.assign(settings, patch); };
    w.list_selected = function () { return { selected: cfg.selected.map(function (id) { return { id: id, type: 'lead' }; }), summary: { items: cfg.selected.length } }; };
    w.render_template = function (o) {
      var panel = document.getElementById('card-widgets');
      var block = document.createElement('div');
      block.className = 'card-widgets__widget card-widgets__widget-' + cfg.widgetCode;
      block.innerHTML = '<div class="card-widgets__widget__caption ' + ((o.caption && o.caption.class_name) || '') + '">' + i18n.widget.name + '</div>' + (o.render || o.body || '');
      panel.appendChild(block);
    };
    w.$authorizedAjax = authorizedAjax;
    if (w.callbacks.render() !== true) { log('render did not return true'); return; }
    if (w.callbacks.init() !== true) log('init did not return true');
    if (w.callbacks.bind_actions() !== true) log('bind_actions did not return true');
    if (cfg.area === 'llist') {
      document.getElementById('mass-action').addEventListener('click', function () { w.callbacks.leads.selected(); });
    }
    if (cfg.area === 'settings') {
      document.getElementById('settings-modal').hidden = false;
      w.callbacks.settings(jq(document.getElementById('settings-body')));
      document.getElementById('settings-save').addEventListener('click', function () {
        var r = w.callbacks.onSave();
        log('onSave ' + (r === true ? 'true' : 'false'));
      });
    }
    if (cfg.area === 'advanced_settings') w.callbacks.advancedSettings();
    if (cfg.area === 'digital_pipeline') {
      var form = document.getElementById('dp-form');
      w.callbacks.dpSettings(jq(form));
      document.getElementById('dp-save').addEventListener('click', function () {
        var values = {};
        ['template_id', 'dp_key', 'max_attempts'].forEach(function (n) { values[n] = form.querySelector('input[name="' + n + '"]').value; });
        fetch('/harness/dp-save', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: cfg.clientId, settings: values }) })
          .then(function () { document.getElementById('dp-saved').hidden = false; });
      });
    }
    document.body.setAttribute('data-widget-ready', '1');
  }
})();`;
