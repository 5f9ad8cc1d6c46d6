import { finishInstall, pageForm, pageQuery } from './appLifecycle.js';
import { randomHex } from './ids.js';
import { isRecord } from './params.js';
import type { HarnessSession, PortalCore } from './portalCore.js';
import type { FrameMessageRecord, JsonValue } from './types.js';

/**
 * The portal page for browser tests: it POSTs the app page into an iframe named
 * `DOMAIN|PROTOCOL|APP_SID` (which is where b24jssdk's `initializeB24Frame()` reads them from) and
 * plays the parent side of B24Frame's postMessage protocol:
 * child → parent `command:params:callbackId:appSid` (params JSON, may contain `:`),
 * parent → child `callbackId:json` (SDK:frame/message/controller.ts).
 * The page forwards every message to the portal server, which records it and decides the answer.
 */

export interface HarnessRequest {
  userId: number;
  placement: string;
  placementOptions: JsonValue;
  handlerUrl: string | null;
  lang: string | null;
  /** After setInstallFinish, reload the frame with the handler path as the real portal does. */
  reloadAfterInstall: boolean;
}

export class HarnessError extends Error {}

function resolveHandler(portal: PortalCore, req: HarnessRequest): { url: string; install: boolean } {
  if (req.placement === 'DEFAULT') {
    const install = !portal.appState.installed;
    const url = req.handlerUrl ?? (install ? (portal.app.installUrl ?? portal.app.handlerUrl) : portal.app.handlerUrl);
    return { url, install };
  }
  if (!portal.appState.installed) throw new HarnessError('Widgets stay hidden until the app finished installation');
  const binding = portal.placements.find((p) => p.placement === req.placement);
  if (!binding && !req.handlerUrl) throw new HarnessError(`Nothing is bound to placement ${req.placement}`);
  return { url: req.handlerUrl ?? binding?.handler ?? '', install: false };
}

export function createSession(portal: PortalCore, req: HarnessRequest): HarnessSession {
  const { url, install } = resolveHandler(portal, req);
  const session: HarnessSession = {
    appSid: randomHex(16),
    userId: req.userId,
    placement: req.placement,
    placementOptions: req.placementOptions,
    handlerUrl: url,
    tokens: portal.issueTokens(req.userId),
    install,
    firstRun: install && !portal.appState.firstRunDone,
    lang: req.lang ?? portal.lang,
    reloadAfterInstall: req.reloadAfterInstall,
  };
  if (session.firstRun) portal.appState.firstRunDone = true;
  portal.harnessSessions.set(session.appSid, session);
  return session;
}

/** What the page needs to (re)build the form and iframe. */
function frameConfig(portal: PortalCore, session: HarnessSession): Record<string, unknown> {
  const action = new URL(session.handlerUrl);
  for (const [k, v] of Object.entries(pageQuery(portal, session.appSid, session.lang))) action.searchParams.set(k, v);
  return {
    appSid: session.appSid,
    frameName: `${portal.domain}|0|${session.appSid}`,
    action: action.toString(),
    appOrigin: action.origin,
    fields: pageForm(portal, session.tokens, session.placement, session.placementOptions),
    apiUrl: `${portal.url}/harness/api`,
  };
}

/** The `getInitData` answer (SDK type MessageInitData). */
function initData(portal: PortalCore, session: HarnessSession): Record<string, unknown> {
  const user = portal.users.get(session.userId);
  return {
    LANG: session.lang,
    DOMAIN: portal.domain,
    PROTOCOL: 0,
    PATH: `/marketplace/app/1/`,
    AUTH_ID: session.tokens.accessToken,
    AUTH_EXPIRES: session.tokens.expiresIn,
    REFRESH_ID: session.tokens.refreshToken,
    MEMBER_ID: portal.memberId,
    FIRST_RUN: session.firstRun,
    IS_ADMIN: user?.admin ?? false,
    INSTALL: session.install,
    USER_OPTIONS: portal.userOptions.get(session.userId) ?? [],
    APP_OPTIONS: Object.keys(portal.appOptions).length > 0 ? portal.appOptions : [],
    PLACEMENT: session.placement,
    PLACEMENT_OPTIONS: session.placementOptions,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** JSON safe to inline into a <script> element. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderHarness(portal: PortalCore, req: HarnessRequest): string {
  const session = createSession(portal, req);
  const config = frameConfig(portal, session);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bitrix24 emulator: ${escapeHtml(portal.domain)}</title></head>
<body style="margin:0;font-family:sans-serif">
<h1 id="pagetitle" style="font-size:16px;margin:8px">${escapeHtml(portal.app.code)}</h1>
<div id="frame-host"></div>
<script>
(function () {
  var cfg = ${inlineJson(config)};
  var harness = { messages: [], config: cfg, frame: null };
  window.__b24harness = harness;
  function load(c) {
    cfg = c; harness.config = c;
    var host = document.getElementById('frame-host');
    host.innerHTML = '';
    var frame = document.createElement('iframe');
    frame.name = c.frameName;
    frame.id = 'app-frame';
    frame.style.cssText = 'width:100%;height:600px;border:0';
    host.appendChild(frame);
    harness.frame = frame;
    var form = document.createElement('form');
    form.method = 'POST';
    form.action = c.action;
    form.target = c.frameName;
    Object.keys(c.fields).forEach(function (k) {
      var input = document.createElement('input');
      input.type = 'hidden'; input.name = k; input.value = c.fields[k];
      form.appendChild(input);
    });
    host.appendChild(form);
    form.submit();
  }
  function parse(data) {
    if (typeof data === 'string') {
      var parts = data.split(':');
      if (parts.length < 3) return null;
      return { command: parts[0], params: parts.slice(1, -2).join(':'), callback: parts[parts.length - 2], appSid: parts[parts.length - 1] };
    }
    if (data && typeof data === 'object' && typeof data.method === 'string') {
      return { command: data.method, params: typeof data.params === 'string' ? data.params : JSON.stringify(data.params || ''), callback: data.callback, appSid: data.appSid };
    }
    return null;
  }
  window.addEventListener('message', function (e) {
    if (!harness.frame || e.source !== harness.frame.contentWindow || e.origin !== cfg.appOrigin) return;
    var msg = parse(e.data);
    if (!msg || msg.appSid !== cfg.appSid) return;
    var source = e.source, origin = e.origin;
    fetch(cfg.apiUrl + '/message', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: msg.appSid, command: msg.command, params: msg.params, callback: msg.callback })
    }).then(function (r) { return r.json(); }).then(function (answer) {
      harness.messages.push({ command: msg.command, params: msg.params, answer: answer });
      if (answer.ui && answer.ui.height) harness.frame.style.height = String(answer.ui.height).replace(/^(\\d+)$/, '$1px');
      if (answer.ui && answer.ui.title) document.getElementById('pagetitle').textContent = answer.ui.title;
      if (answer.reply !== undefined && msg.callback) source.postMessage(msg.callback + ':' + JSON.stringify(answer.reply), origin);
      else if (answer.ack && msg.callback) source.postMessage(msg.callback, origin);
      if (answer.ui && answer.ui.reload) setTimeout(function () { load(answer.ui.reload); }, 50);
    });
  });
  load(cfg);
})();
</script>
</body></html>`;
}

/** Commands a placement answers in getInterface (the emulator offers the generic set). */
const INTERFACE = { command: ['setPropertyValue', 'setValue', 'reloadData'], event: ['onSave'] };

export interface HarnessAnswer {
  /** JSON payload posted back as `callbackId:json`. */
  reply?: unknown;
  /** Post back `callbackId` alone (resolves the SDK promise with ''). */
  ack?: boolean;
  ui?: { width?: unknown; height?: unknown; title?: string; reload?: Record<string, unknown> };
}

/**
 * Decides the parent's answer to one frame message and records it. `setInstall`,
 * `setInstallFinish` and `refreshAuth` must be answered: the SDK awaits them without a timeout.
 */
export async function handleFrameMessage(
  portal: PortalCore,
  body: unknown,
): Promise<HarnessAnswer> {
  if (!isRecord(body)) return {};
  const session = portal.harnessSessions.get(String(body['sid'] ?? ''));
  if (!session) return {};
  const command = String(body['command'] ?? '');
  const rawParams = typeof body['params'] === 'string' ? body['params'] : '';
  let params: unknown = null;
  if (rawParams !== '') {
    try {
      params = JSON.parse(rawParams);
    } catch {
      params = rawParams;
    }
  }
  const p = isRecord(params) ? params : {};
  let answer: HarnessAnswer;
  switch (command) {
    case 'getInitData':
      answer = { reply: initData(portal, session) };
      break;
    case 'setInstall':
      answer = { ack: true };
      break;
    case 'setInstallFinish': {
      if (session.install) {
        session.install = false;
        await finishInstall(portal, session.userId);
      }
      answer = session.reloadAfterInstall ? { ack: true, ui: { reload: reloadConfig(portal, session) } } : { ack: true };
      break;
    }
    case 'refreshAuth':
      session.tokens = portal.issueTokens(session.userId);
      answer = {
        reply: { AUTH_ID: session.tokens.accessToken, REFRESH_ID: session.tokens.refreshToken, AUTH_EXPIRES: session.tokens.expiresIn },
      };
      break;
    case 'resizeWindow':
      answer = { ack: true, ui: { width: p['width'], height: p['height'] } };
      break;
    case 'setTitle':
      answer = { ack: true, ui: { title: String(p['title'] ?? '') } };
      break;
    case 'setAppOption':
      portal.appOptions[String(p['name'] ?? '')] = (p['value'] ?? null) as JsonValue;
      answer = { ack: true };
      break;
    case 'setUserOption': {
      const options = portal.userOptions.get(session.userId) ?? {};
      options[String(p['name'] ?? '')] = (p['value'] ?? null) as JsonValue;
      portal.userOptions.set(session.userId, options);
      answer = { ack: true };
      break;
    }
    case 'getInterface':
      answer = { reply: INTERFACE };
      break;
    case 'selectUser': {
      const user = portal.users.get(session.userId);
      answer = { reply: { id: String(user?.id ?? 1), name: `${user?.name ?? ''} ${user?.lastName ?? ''}`.trim() } };
      break;
    }
    case 'selectAccess':
      answer = { reply: [] };
      break;
    case 'selectCRM':
      answer = { reply: {} };
      break;
    case 'setScroll': case 'reloadWindow': case 'closeApplication': case 'openApplication': case 'openPath':
    case 'imCallTo': case 'imPhoneTo': case 'imOpenMessenger': case 'imOpenHistory': case 'showAppForm':
    case 'setPropertyValue': case 'setValue': case 'placementBindEvent':
      answer = { ack: true };
      break;
    default:
      // Unknown commands get no answer, like on a portal; the SDK's isSafely timer resolves them.
      answer = {};
  }
  const record: FrameMessageRecord = {
    at: portal.now(),
    appSid: session.appSid,
    userId: session.userId,
    command,
    params,
    callbackId: typeof body['callback'] === 'string' ? body['callback'] : null,
    reply: answer.reply !== undefined ? answer.reply : answer.ack ? '' : undefined,
  };
  portal.frameMessages.push(record);
  return answer;
}

/** Builds the reload config after installFinish (new APP_SID, handler path, not install mode). */
export function reloadConfig(portal: PortalCore, previous: HarnessSession): Record<string, unknown> {
  const session = createSession(portal, {
    userId: previous.userId,
    placement: 'DEFAULT',
    placementOptions: [],
    handlerUrl: null,
    lang: previous.lang,
    reloadAfterInstall: false,
  });
  return frameConfig(portal, session);
}
