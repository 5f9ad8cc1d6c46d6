/* global define, window, document, Event, URL */
/**
 * Dozvon for amoCRM / Kommo: calls leads with a voice bot and shows what came of it.
 *
 * Where it shows up (manifest `locations`):
 * - lead card, right panel (lcard-1): a template, "Call now", and the lead's calls with outcome,
 *   gender, result, talk time, answers and a player for the recording;
 * - lead list, mass action (llist-1): "Call the selected leads", with a confirmation that says how
 *   many phones will be called;
 * - settings: the connection ("Connected to …" / Reconnect), templates, the lead fields to fill,
 *   e-mails for alerts, the pace, and calling every lead of a stage (administrators);
 * - advanced settings: the Dozvon console for this account;
 * - Digital Pipeline: the action's template picker; the account key is filled in by itself.
 *
 * Every request goes to Dozvon through `self.$authorizedAjax`, which adds amoCRM's one-time token
 * (`X-Auth-Token`); Dozvon checks it and answers for this account only. All texts come from the
 * widget's i18n files (built from Dozvon's locales); this file has none of its own.
 *
 * Plain ES2017 in one AMD module, no libraries: amoCRM's moderation wants readable code, and a
 * widget that brings no dependencies cannot clash with the page's.
 */
define([], function () {
  'use strict';

  /** Dozvon's address, written in when the archive is built (the Redirect URI's origin). */
  var DOZVON_URL = '__DOZVON_URL__';
  /** Follow a started call: first look after 0.8 s, then ×1.5 up to 15 s, for at most 20 minutes. */
  var POLL_FIRST_MS = 800;
  var POLL_MAX_MS = 15000;
  var POLL_LIMIT_MS = 20 * 60 * 1000;

  /**
   * How a call reads — widgets/shared/callView.ts, the one source the console and the Bitrix24 tab
   * use too. The widget build (widgets/amocrm/build/buildWidget.ts) writes that module in here, as
   * readable ES2017, at the line marked `@dozvon:call-view`; this file is only loadable as built.
   */
  var CallView = null; // @dozvon:call-view

  // --- small helpers ------------------------------------------------------------------------

  /** `el('div', {class: 'x', onclick: fn}, ['text', child])` */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name.indexOf('on') === 0 && typeof value === 'function') node.addEventListener(name.slice(2), value);
      else if (name === 'value') node.value = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function option(value, label, selected) {
    return el('option', { value: String(value), selected: selected }, [label]);
  }

  /** The widget's texts (`i18n/<lang>.json` → `dozvon`), with `{{name}}` parameters. */
  function Texts(dict) {
    this.dict = dict || {};
  }
  Texts.prototype.t = function (key, params) {
    var value = key.split('.').reduce(function (node, part) {
      return node && typeof node === 'object' ? node[part] : undefined;
    }, this.dict);
    if (typeof value !== 'string') return key;
    return value.replace(/\{\{\s*(\w+)\s*\}\}/g, function (_all, name) {
      return params && params[name] !== undefined ? String(params[name]) : '';
    });
  };

  /** The shared call view asks for texts by their locale keys (`call.*`, `outcome.*`), which the widget's texts carry. */
  function callTexts(texts) {
    return {
      t: function (key, params) { return texts.t(key, params); },
      has: function (key) { return texts.t(key) !== key; },
      lang: texts.t('lang'),
    };
  }

  /** amoCRM's global (Kommo calls it APP; older amoCRM pages AMOCRM). */
  function appGlobal() {
    return window.APP || window.AMOCRM || {};
  }

  // --- Dozvon's API, through amoCRM's authorised requests --------------------------------------

  function Api(widget, texts) {
    this.widget = widget;
    this.texts = texts;
  }

  /** Resolves with the JSON answer; rejects with {status, code, message, details}. */
  Api.prototype.request = function (method, path, body) {
    var widget = this.widget;
    var texts = this.texts;
    var lang = texts.t('lang');
    var url = DOZVON_URL + path + (path.indexOf('?') < 0 ? '?' : '&') + 'lang=' + encodeURIComponent(lang);
    return new Promise(function (resolve, reject) {
      var settings = { url: url, method: method, type: method, dataType: 'json' };
      if (body !== undefined) {
        settings.contentType = 'application/json';
        settings.data = JSON.stringify(body);
      }
      var done = function (data) {
        resolve(data);
      };
      var failed = function (xhr) {
        var answer = (xhr && xhr.responseJSON) || null;
        if (!answer && xhr && xhr.responseText) {
          try {
            answer = JSON.parse(xhr.responseText);
          } catch {
            answer = null;
          }
        }
        var error = answer && answer.error;
        reject({
          status: (xhr && xhr.status) || 0,
          code: error ? error.code : 'unreachable',
          message: error ? error.message : texts.t('unreachable'),
          details: error ? error.details : [],
        });
      };
      try {
        widget.$authorizedAjax(settings).then(done, failed);
      } catch {
        failed(null);
      }
    });
  };
  Api.prototype.get = function (path) {
    return this.request('GET', path);
  };
  Api.prototype.post = function (path, body) {
    return this.request('POST', path, body || {});
  };
  Api.prototype.put = function (path, body) {
    return this.request('PUT', path, body || {});
  };

  /** A problem in words, with "Try again" when there is something to retry. */
  function alertBox(texts, message, retry) {
    return el('div', { class: 'dozvon-alert', role: 'alert' }, [
      el('span', {}, [message]),
      retry ? el('button', { type: 'button', class: 'dozvon-button dozvon-button--link', onclick: retry }, [texts.t('retry')]) : null,
    ]);
  }

  function statusMessage(texts, status) {
    if (!status.connected) return texts.t('state_not_connected');
    if (status.status === 'needs_reauth') return texts.t('state_needs_reauth');
    if (status.status === 'api_blocked') return texts.t('state_api_blocked');
    return texts.t('connected_as', { account: status.account ? status.account.name : '' });
  }

  // --- advanced settings: the web console, framed ------------------------------------------

  /**
   * The Dozvon console in the advanced settings page, signed in as this amoCRM user: Dozvon hands a
   * one-time code (valid a minute) for this user, and the frame's address carries it; the page
   * spends it for a session that lives only inside the frame. When the console cannot be opened
   * (the account is not connected yet, or must be reconnected), the reason and the settings with
   * Connect / Reconnect are shown instead.
   */
  function openConsole(api, texts, root, openPopup) {
    clear(root).appendChild(el('p', { class: 'dozvon-muted', role: 'status' }, [texts.t('console_loading')]));
    api.post('/amocrm/widget/console-session').then(
      function (session) {
        var src = DOZVON_URL + session.console.path + '&lang=' + encodeURIComponent(texts.t('lang'));
        var frame = el('iframe', { class: 'dozvon-console-frame', src: src, title: texts.t('console_title') });
        clear(root).appendChild(frame);
        onReopenAsked(frame, function () { openConsole(api, texts, root, openPopup); });
      },
      function (e) {
        clear(root).appendChild(alertBox(texts, texts.t('console_failed') + ' ' + e.message, function () { openConsole(api, texts, root, openPopup); }));
        var settings = el('div', { class: 'dozvon-settings' });
        root.appendChild(settings);
        new SettingsPanel(api, texts, settings, openPopup).start();
      },
    );
  }

  /**
   * The console's address carries a one-time code, so a reload of the frame meets a spent code. The
   * page Dozvon answers then asks for the console again (a message with nothing in it), and it is
   * opened with a fresh code — in the same session, which Dozvon resumes for this browser. At most
   * once in REOPEN_EVERY_MS, so a refusal that keeps coming stays on screen with its words.
   */
  var REOPEN_EVERY_MS = 10000;
  var lastReopen = 0;
  function onReopenAsked(frame, reopen) {
    var origin = new URL(DOZVON_URL).origin;
    function listener(event) {
      if (!document.body.contains(frame)) {
        window.removeEventListener('message', listener);
        return;
      }
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      if (!event.data || event.data.dozvon !== 'console-reopen') return;
      if (Date.now() - lastReopen < REOPEN_EVERY_MS) return;
      lastReopen = Date.now();
      window.removeEventListener('message', listener);
      reopen();
    }
    window.addEventListener('message', listener);
  }

  // --- the lead card: "Call now" and the lead's calls ------------------------------------------

  function CardPanel(api, texts, root, leadId) {
    this.api = api;
    this.texts = texts;
    this.root = root;
    this.leadId = leadId;
    this.timer = null;
    this.pollUntil = 0;
    this.pollDelay = POLL_FIRST_MS;
    this.campaignId = null;
  }

  CardPanel.prototype.start = function () {
    var self = this;
    var t = this.texts;
    clear(this.root).appendChild(el('p', { class: 'dozvon-muted' }, [t.t('loading')]));
    return this.api
      .get('/amocrm/widget/status')
      .then(function (status) {
        if (!status.connected) throw { status: 403, message: t.t('not_connected') };
        return self.api.get('/amocrm/widget/templates');
      })
      .then(function (answer) {
        self.renderForm(answer.templates);
        return self.refresh();
      })
      .catch(function (e) {
        clear(self.root).appendChild(alertBox(t, e.message, e.status === 403 ? null : function () { self.start(); }));
      });
  };

  CardPanel.prototype.renderForm = function (templates) {
    var t = this.texts;
    var self = this;
    clear(this.root);
    if (!templates.length) {
      this.root.appendChild(el('p', { class: 'dozvon-muted' }, [t.t('no_templates')]));
      return;
    }
    this.select = el('select', { class: 'dozvon-select', 'aria-label': t.t('template') }, templates.map(function (x) {
      return option(x.id, x.name);
    }));
    this.attempts = el('input', { class: 'dozvon-input dozvon-input--short', type: 'number', min: 1, max: 99, 'aria-label': t.t('max_attempts'), placeholder: '—', title: t.t('max_attempts_hint') });
    this.button = el('button', { type: 'button', class: 'dozvon-button', onclick: function () { self.callNow(); } }, [t.t('call_now')]);
    this.status = el('p', { class: 'dozvon-status', role: 'status' });
    this.history = el('div', { class: 'dozvon-history', 'aria-label': t.t('history') });
    this.root.appendChild(el('div', { class: 'dozvon-form' }, [
      el('label', { class: 'dozvon-label' }, [t.t('template'), this.select]),
      el('label', { class: 'dozvon-label' }, [t.t('max_attempts'), this.attempts]),
      this.button,
    ]));
    this.root.appendChild(this.status);
    this.root.appendChild(el('h3', { class: 'dozvon-subtitle' }, [t.t('history')]));
    this.root.appendChild(this.history);
  };

  CardPanel.prototype.callNow = function () {
    var self = this;
    var t = this.texts;
    var body = { template_id: this.select.value, lead_ids: [this.leadId] };
    var max = parseInt(this.attempts.value, 10);
    if (max > 0) body.max_attempts = max;
    this.button.disabled = true;
    this.status.className = 'dozvon-status';
    this.status.textContent = t.t('calling');
    this.api
      .post('/amocrm/widget/calls', body)
      .then(function (started) {
        self.campaignId = started.campaign_id;
        self.status.textContent = t.t('started', { name: started.name });
        self.follow();
      })
      .catch(function (e) {
        self.status.className = 'dozvon-status dozvon-status--error';
        self.status.textContent = e.message;
      })
      .then(function () {
        self.button.disabled = false;
      });
  };

  /** Looks again and again while the call goes on, then a few times until its recording is saved. */
  CardPanel.prototype.follow = function () {
    this.pollUntil = Date.now() + POLL_LIMIT_MS;
    this.pollDelay = POLL_FIRST_MS;
    this.schedule();
  };

  CardPanel.prototype.schedule = function () {
    var self = this;
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () {
      self.timer = null;
      if (!document.body.contains(self.root)) return;
      self.refresh().then(function (busy) {
        if (busy && Date.now() < self.pollUntil) {
          self.pollDelay = Math.min(POLL_MAX_MS, self.pollDelay * 1.5);
          self.schedule();
        }
      });
    }, this.pollDelay);
  };

  /** Redraws the history; resolves with whether something is still going on (a call, a recording). */
  CardPanel.prototype.refresh = function () {
    var self = this;
    var t = this.texts;
    var campaign = this.campaignId ? this.api.get('/amocrm/widget/campaigns/' + this.campaignId) : Promise.resolve(null);
    return Promise.all([this.api.get('/amocrm/widget/history?lead_id=' + this.leadId), campaign])
      .then(function (answers) {
        var calls = answers[0].calls;
        var c = answers[1];
        self.renderHistory(calls);
        if (c) {
          var total = Object.keys(c.numbers).reduce(function (n, k) { return n + c.numbers[k]; }, 0);
          var open = (c.numbers['new'] || 0) + (c.numbers.dialing || 0) + (c.numbers.callback || 0);
          self.status.textContent = t.t('campaign_status', { status: t.t('status.' + c.status) }) + ' · ' + t.t('campaign_numbers', { done: total - open, total: total });
        }
        var pending = calls.some(function (x) { return !x.outcome || x.recordingPending; });
        var running = c && c.status !== 'completed' && (!c.intake || c.intake.status === 'running' || (c.numbers['new'] || 0) + (c.numbers.dialing || 0) > 0);
        return Boolean(pending || running);
      })
      .catch(function (e) {
        if (self.history) clear(self.history).appendChild(alertBox(t, e.message, function () { self.refresh(); }));
        return false;
      });
  };

  /**
   * The lead's calls. What a call card says (outcome and tone, the line under it, the facts, the
   * answers, the recording) is `CallView.callView` — the module the console and the Bitrix24 tab
   * use too — so this panel only lays it out in its own markup and classes.
   */
  CardPanel.prototype.renderHistory = function (calls) {
    var texts = callTexts(this.texts);
    clear(this.history);
    if (!calls.length) {
      this.history.appendChild(el('p', { class: 'dozvon-muted' }, [this.texts.t('no_calls')]));
      return;
    }
    calls.forEach(function (call) {
      var v = CallView.callView(call, texts);
      var lines = [
        el('div', { class: 'dozvon-call__head' }, [
          el('span', { class: 'dozvon-outcome dozvon-outcome--' + v.tone }, [v.outcome]),
          ' ',
          el('time', { class: 'dozvon-muted', datetime: v.startedAt }, [v.when]),
        ]),
        el('div', { class: 'dozvon-muted' }, [v.meta.join(' · ')]),
      ];
      if (v.facts.length) {
        lines.push(el('dl', { class: 'dozvon-facts' }, v.facts.map(function (f) {
          return el('div', { class: 'dozvon-fact' }, [el('dt', {}, [f.label]), el('dd', {}, [f.value])]);
        })));
      }
      if (v.answers.length) {
        lines.push(el('table', { class: 'dozvon-answers', 'aria-label': v.labels.answers }, v.answers.map(function (a) {
          return el('tr', {}, [el('th', { scope: 'row' }, [a.question]), el('td', {}, [a.text])]);
        })));
      }
      // The player only once the MP3 copy is ready (amoCRM's own player plays only audio/mpeg;
      // the panel polls until it is).
      if (v.recording.state === 'ready') {
        lines.push(el('audio', { controls: true, preload: 'none', src: v.recording.url, 'aria-label': v.recording.label }));
      } else if (v.recording.state === 'pending') {
        lines.push(el('div', { class: 'dozvon-muted' }, [v.recording.text]));
      }
      this.history.appendChild(el('article', { class: 'dozvon-call dozvon-call--' + v.tone }, lines));
    }, this);
  };

  // --- the lead list: call the selected leads --------------------------------------------------

  function Dialog(texts, title) {
    var self = this;
    this.body = el('div', { class: 'dozvon-dialog__body' });
    this.node = el('div', { class: 'dozvon-overlay' }, [
      el('div', { class: 'dozvon-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': title }, [
        el('h2', { class: 'dozvon-title' }, [title]),
        this.body,
        el('button', { type: 'button', class: 'dozvon-dialog__close', 'aria-label': texts.t('close'), onclick: function () { self.close(); } }, ['×']),
      ]),
    ]);
    document.body.appendChild(this.node);
  }
  Dialog.prototype.close = function () {
    if (this.node.parentNode) this.node.parentNode.removeChild(this.node);
  };

  function callSelected(api, texts, leadIds) {
    var t = texts;
    var dialog = new Dialog(t, t.t('list_title'));
    var body = dialog.body;
    if (!leadIds.length) {
      body.appendChild(el('p', {}, [t.t('list_nothing')]));
      return dialog;
    }
    var count = el('p', { class: 'dozvon-muted', role: 'status' }, [t.t('list_counting')]);
    var select = el('select', { class: 'dozvon-select', 'aria-label': t.t('template') });
    var attempts = el('input', { class: 'dozvon-input dozvon-input--short', type: 'number', min: 1, max: 99, 'aria-label': t.t('max_attempts'), placeholder: '—', title: t.t('max_attempts_hint') });
    var result = el('div', { class: 'dozvon-status', role: 'status' });
    var start = el('button', { type: 'button', class: 'dozvon-button', disabled: true }, [t.t('start')]);
    var cancel = el('button', { type: 'button', class: 'dozvon-button dozvon-button--link', onclick: function () { dialog.close(); } }, [t.t('cancel')]);
    body.appendChild(count);
    body.appendChild(el('label', { class: 'dozvon-label' }, [t.t('template'), select]));
    body.appendChild(el('label', { class: 'dozvon-label' }, [t.t('max_attempts'), attempts]));
    body.appendChild(el('div', { class: 'dozvon-actions' }, [start, cancel]));
    body.appendChild(result);

    function fail(e) {
      result.className = 'dozvon-status dozvon-status--error';
      result.textContent = e.message;
    }

    api
      .get('/amocrm/widget/templates')
      .then(function (answer) {
        answer.templates.forEach(function (x) { select.appendChild(option(x.id, x.name)); });
        if (!answer.templates.length) throw { message: t.t('no_templates') };
        start.disabled = false;
        return api.post('/amocrm/widget/calls/preview', { template_id: select.value, lead_ids: leadIds });
      })
      .then(function (p) {
        count.textContent = p.exact
          ? t.t('list_count', { leads: p.leads, phones: p.phones, without: p.without_phone })
          : t.t('list_count_partial', { leads: p.leads, counted: p.counted, phones: p.phones, without: p.without_phone });
      })
      .catch(fail);

    start.addEventListener('click', function () {
      var req = { template_id: select.value, lead_ids: leadIds };
      var max = parseInt(attempts.value, 10);
      if (max > 0) req.max_attempts = max;
      start.disabled = true;
      api
        .post('/amocrm/widget/calls', req)
        .then(function (started) {
          result.className = 'dozvon-status';
          result.textContent = t.t('started', { name: started.name });
          cancel.textContent = t.t('close');
          return followCampaign(api, t, started.campaign_id, result);
        })
        .catch(function (e) {
          start.disabled = false;
          fail(e);
        });
    });
    return dialog;
  }

  function followCampaign(api, t, id, out) {
    var delay = POLL_FIRST_MS;
    var until = Date.now() + POLL_LIMIT_MS;
    function look() {
      if (!document.body.contains(out)) return;
      api.get('/amocrm/widget/campaigns/' + id).then(function (c) {
        var total = Object.keys(c.numbers).reduce(function (n, k) { return n + c.numbers[k]; }, 0);
        var open = (c.numbers['new'] || 0) + (c.numbers.dialing || 0) + (c.numbers.callback || 0);
        out.textContent = c.name + ' — ' + t.t('campaign_status', { status: t.t('status.' + c.status) }) + ' · ' + t.t('campaign_numbers', { done: total - open, total: total });
        if (c.status !== 'completed' && Date.now() < until) {
          delay = Math.min(POLL_MAX_MS, delay * 1.5);
          window.setTimeout(look, delay);
        }
      }, function () {
        window.setTimeout(look, POLL_MAX_MS);
      });
    }
    window.setTimeout(look, delay);
  }

  // --- settings ------------------------------------------------------------------------------

  function SettingsPanel(api, texts, root, openPopup) {
    this.api = api;
    this.texts = texts;
    this.root = root;
    this.openPopup = openPopup;
  }

  SettingsPanel.prototype.start = function () {
    var self = this;
    var t = this.texts;
    clear(this.root).appendChild(el('p', { class: 'dozvon-muted' }, [t.t('loading')]));
    return this.api
      .get('/amocrm/widget/status')
      .then(function (status) {
        self.status = status;
        clear(self.root);
        self.renderConnection(status);
        if (!status.connected) return null;
        return self.api.get('/amocrm/widget/templates').then(function (answer) {
          self.renderTemplates(answer.templates);
          if (!status.user.isAdmin) {
            self.root.appendChild(el('p', { class: 'dozvon-muted' }, [t.t('admins_only')]));
            return null;
          }
          return self.api.get('/amocrm/widget/settings').then(function (s) {
            self.renderSettings(s);
            self.renderFilter(s.pipelines, answer.templates);
          });
        });
      })
      .catch(function (e) {
        clear(self.root).appendChild(alertBox(t, e.message, function () { self.start(); }));
      });
  };

  SettingsPanel.prototype.renderConnection = function (status) {
    var t = this.texts;
    var self = this;
    var ok = status.connected && status.status === 'active';
    this.root.appendChild(el('section', { class: 'dozvon-section' }, [
      el('p', { class: ok ? 'dozvon-ok' : 'dozvon-warning', role: 'status' }, [statusMessage(t, status)]),
      ok ? null : el('button', { type: 'button', class: 'dozvon-button', onclick: function () { self.openPopup(status.reconnectUrl); } }, [t.t('reconnect')]),
    ]));
  };

  SettingsPanel.prototype.renderTemplates = function (templates) {
    var t = this.texts;
    this.root.appendChild(el('section', { class: 'dozvon-section' }, [
      el('h3', { class: 'dozvon-subtitle' }, [t.t('templates')]),
      templates.length ? el('ul', { class: 'dozvon-list' }, templates.map(function (x) { return el('li', {}, [x.name]); })) : el('p', { class: 'dozvon-muted' }, [t.t('no_templates')]),
    ]));
  };

  SettingsPanel.prototype.renderSettings = function (s) {
    var t = this.texts;
    var self = this;
    var current = s.settings;
    var textFields = s.fields.filter(function (f) { return f.type === 'text' || f.type === 'textarea'; });
    var genderFields = s.fields.filter(function (f) { return ['text', 'textarea', 'select', 'radiobutton'].indexOf(f.type) >= 0; });
    function fieldSelect(label, list, chosen) {
      var select = el('select', { class: 'dozvon-select', 'aria-label': label }, [option('', t.t('field_none'))].concat(list.map(function (f) {
        return option(f.id, f.name, chosen && chosen.fieldId === f.id);
      })));
      return { select: select, node: el('label', { class: 'dozvon-label' }, [label, select]) };
    }
    var result = fieldSelect(t.t('field_result'), textFields, current.fields.result);
    var answers = fieldSelect(t.t('field_answers'), textFields, current.fields.answers);
    var gender = fieldSelect(t.t('field_gender'), genderFields, current.fields.gender);
    var items = el('div', { class: 'dozvon-indent' });
    var female = el('select', { class: 'dozvon-select', 'aria-label': t.t('field_gender_female') });
    var male = el('select', { class: 'dozvon-select', 'aria-label': t.t('field_gender_male') });
    function showItems() {
      clear(items);
      var f = s.fields.filter(function (x) { return String(x.id) === gender.select.value; })[0];
      if (!f || (f.type !== 'select' && f.type !== 'radiobutton')) return;
      [[female, 'female'], [male, 'male']].forEach(function (pair) {
        var select = clear(pair[0]);
        var chosen = current.fields.gender && current.fields.gender[pair[1]];
        f.enums.forEach(function (e) { select.appendChild(option(e.id, e.value, chosen === e.id)); });
        items.appendChild(el('label', { class: 'dozvon-label' }, [t.t(pair[1] === 'female' ? 'field_gender_female' : 'field_gender_male'), select]));
      });
    }
    gender.select.addEventListener('change', showItems);
    showItems();
    var emails = el('input', { class: 'dozvon-input', type: 'text', 'aria-label': t.t('notify_emails'), value: current.notifyEmails.join(', ') });
    var concurrent = el('input', { class: 'dozvon-input dozvon-input--short', type: 'number', min: 1, max: 1000, 'aria-label': t.t('max_concurrent'), value: current.maxConcurrent });
    var intensity = el('input', { class: 'dozvon-input dozvon-input--short', type: 'number', min: 0.1, max: 50, step: 0.1, 'aria-label': t.t('intensity'), value: current.intensity === null ? '' : current.intensity });
    var out = el('p', { class: 'dozvon-status', role: 'status' });
    var save = el('button', { type: 'button', class: 'dozvon-button' }, [t.t('save')]);
    save.addEventListener('click', function () {
      var g = gender.select.value ? { fieldId: Number(gender.select.value), female: female.value ? Number(female.value) : null, male: male.value ? Number(male.value) : null } : null;
      var body = {
        fields: {
          result: result.select.value ? { fieldId: Number(result.select.value) } : null,
          gender: g,
          answers: answers.select.value ? { fieldId: Number(answers.select.value) } : null,
        },
        notifyEmails: emails.value.split(',').map(function (x) { return x.trim(); }).filter(Boolean),
        maxConcurrent: Number(concurrent.value) || 10,
        intensity: intensity.value === '' ? null : Number(intensity.value),
      };
      save.disabled = true;
      self.api
        .put('/amocrm/widget/settings', body)
        .then(function () {
          out.className = 'dozvon-status dozvon-ok';
          out.textContent = t.t('saved');
        })
        .catch(function (e) {
          out.className = 'dozvon-status dozvon-status--error';
          out.textContent = [e.message].concat((e.details || []).map(function (d) { return d.message; })).join(' ');
        })
        .then(function () {
          save.disabled = false;
        });
    });
    this.root.appendChild(el('section', { class: 'dozvon-section' }, [
      el('h3', { class: 'dozvon-subtitle' }, [t.t('fields_title')]),
      result.node,
      gender.node,
      items,
      answers.node,
      el('label', { class: 'dozvon-label' }, [t.t('notify_emails'), emails]),
      el('h3', { class: 'dozvon-subtitle' }, [t.t('pace_title')]),
      el('label', { class: 'dozvon-label' }, [t.t('max_concurrent'), concurrent]),
      el('label', { class: 'dozvon-label' }, [t.t('intensity'), intensity]),
      save,
      out,
    ]));
  };

  SettingsPanel.prototype.renderFilter = function (pipelines, templates) {
    var t = this.texts;
    var self = this;
    if (!templates.length || !pipelines.length) return;
    var template = el('select', { class: 'dozvon-select', 'aria-label': t.t('template') }, templates.map(function (x) { return option(x.id, x.name); }));
    var pipeline = el('select', { class: 'dozvon-select', 'aria-label': t.t('pipeline') }, pipelines.map(function (p) { return option(p.id, p.name); }));
    var stage = el('select', { class: 'dozvon-select', 'aria-label': t.t('stage') });
    function showStages() {
      clear(stage).appendChild(option('', t.t('any_stage')));
      var p = pipelines.filter(function (x) { return String(x.id) === pipeline.value; })[0];
      (p ? p.statuses : []).forEach(function (s) { stage.appendChild(option(s.id, s.name)); });
    }
    pipeline.addEventListener('change', showStages);
    showStages();
    var out = el('p', { class: 'dozvon-status', role: 'status' });
    var go = el('button', { type: 'button', class: 'dozvon-button' }, [t.t('filter_start')]);
    go.addEventListener('click', function () {
      var filter = { pipeline_id: Number(pipeline.value) };
      if (stage.value) filter.status_ids = [Number(stage.value)];
      go.disabled = true;
      self.api
        .post('/amocrm/widget/calls/filter', { template_id: template.value, filter: filter })
        .then(function (started) {
          out.className = 'dozvon-status';
          out.textContent = t.t('started', { name: started.name });
          followCampaign(self.api, t, started.campaign_id, out);
        })
        .catch(function (e) {
          out.className = 'dozvon-status dozvon-status--error';
          out.textContent = e.message;
        })
        .then(function () {
          go.disabled = false;
        });
    });
    this.root.appendChild(el('section', { class: 'dozvon-section' }, [
      el('h3', { class: 'dozvon-subtitle' }, [t.t('filter_title')]),
      el('label', { class: 'dozvon-label' }, [t.t('template'), template]),
      el('label', { class: 'dozvon-label' }, [t.t('pipeline'), pipeline]),
      el('label', { class: 'dozvon-label' }, [t.t('stage'), stage]),
      go,
      out,
    ]));
  };

  // --- Digital Pipeline: the action's settings ---------------------------------------------------

  /**
   * amoCRM draws the action's fields from `manifest.dp.settings` (text inputs named template_id,
   * dp_key, max_attempts). The template becomes a list of the account's templates, and the account
   * key is filled in and hidden: it is what lets Dozvon trust the hook (DP hooks are unsigned).
   */
  function enhanceDpForm(api, texts, scope) {
    var t = texts;
    var root = scope || document;
    var templateInput = root.querySelector('input[name="template_id"]');
    var keyInput = root.querySelector('input[name="dp_key"]');
    if (!templateInput || !keyInput) return Promise.resolve(false);
    var keyRow = keyInput.closest('.widget_settings_block__item_field') || keyInput.parentNode;
    if (keyRow && keyRow.style) keyRow.style.display = 'none';
    templateInput.style.display = 'none';
    var select = el('select', { class: 'dozvon-select', 'aria-label': t.t('dp_template') });
    templateInput.parentNode.insertBefore(select, templateInput.nextSibling);
    templateInput.parentNode.insertBefore(el('p', { class: 'dozvon-muted' }, [t.t('dp_hint')]), select.nextSibling);
    function sync() {
      templateInput.value = select.value;
      templateInput.dispatchEvent(new Event('input', { bubbles: true }));
      templateInput.dispatchEvent(new Event('change', { bubbles: true }));
    }
    select.addEventListener('change', sync);
    return api
      .get('/amocrm/widget/templates')
      .then(function (answer) {
        answer.templates.forEach(function (x) { select.appendChild(option(x.id, x.name, x.id === templateInput.value)); });
        if (!templateInput.value && answer.templates.length) sync();
        if (answer.dp_key) {
          keyInput.value = answer.dp_key;
          keyInput.dispatchEvent(new Event('input', { bubbles: true }));
          keyInput.dispatchEvent(new Event('change', { bubbles: true }));
        }
        return true;
      })
      .catch(function (e) {
        select.parentNode.insertBefore(alertBox(t, e.message), select);
        return false;
      });
  }

  // --- the widget ------------------------------------------------------------------------------

  var CustomWidget = function () {
    var self = this;
    var texts = null;
    var api = null;

    function ready() {
      if (!api) {
        texts = new Texts(self.i18n('dozvon'));
        api = new Api(self, texts);
      }
      return { texts: texts, api: api };
    }

    function area() {
      var system = self.system ? self.system() : {};
      return system.area || '';
    }

    function openPopup(url) {
      window.open(url, 'dozvon_oauth', 'width=760,height=620,scrollbars=1');
    }

    /** The element a settings callback gives (jQuery or DOM), or a container of our own. */
    function elementOf(target, fallbackSelector) {
      if (target && target.nodeType === 1) return target;
      if (target && target[0] && target[0].nodeType === 1) return target[0];
      return document.querySelector(fallbackSelector);
    }

    this.callbacks = {
      render: function () {
        var r = ready();
        if (area() === 'lcard') {
          var card = appGlobal().data && appGlobal().data.current_card;
          var leadId = card && Number(card.id);
          if (!leadId) return true;
          self.render_template({
            caption: { class_name: 'dozvon-caption' },
            body: '',
            render: '<div class="dozvon dozvon-panel" id="dozvon-card-' + leadId + '"></div>',
          });
          var root = document.getElementById('dozvon-card-' + leadId);
          if (root) new CardPanel(r.api, r.texts, root, leadId).start();
        }
        return true;
      },
      init: function () {
        return true;
      },
      bind_actions: function () {
        return true;
      },
      settings: function (modal) {
        var r = ready();
        var host = elementOf(modal, '.widget-settings__desc-space') || document.body;
        var root = document.getElementById('dozvon-settings') || el('div', { id: 'dozvon-settings', class: 'dozvon dozvon-settings' });
        if (!root.parentNode) host.appendChild(root);
        new SettingsPanel(r.api, r.texts, root, openPopup).start();
        return true;
      },
      onSave: function () {
        return true;
      },
      destroy: function () {},
      advancedSettings: function () {
        var r = ready();
        var code = (self.get_settings() || {}).widget_code;
        var host = document.getElementById('work-area-' + code) || document.querySelector('.work-area') || document.body;
        var root = el('div', { class: 'dozvon dozvon-advanced', id: 'dozvon-advanced' });
        clear(host).appendChild(root);
        openConsole(r.api, r.texts, root, openPopup);
        return true;
      },
      dpSettings: function (form) {
        var r = ready();
        var scope = elementOf(form, '.digital-pipeline__edit-forms');
        enhanceDpForm(r.api, r.texts, scope || document);
        return true;
      },
      leads: {
        selected: function () {
          var r = ready();
          var selected = (self.list_selected() || {}).selected || [];
          var ids = selected.map(function (x) { return Number(x.id); }).filter(function (x) { return x > 0; });
          callSelected(r.api, r.texts, ids);
          return true;
        },
      },
    };
    return this;
  };

  return CustomWidget;
});
