import { authBlock, postToApp } from './appCaller.js';
import { randomHex } from './ids.js';
import type { PortalCore } from './portalCore.js';
import type { AppPageResult, JsonValue, OutboundKind, OutboundPostRecord, TokenPair } from './types.js';

export interface OpenPageOptions {
  kind: OutboundKind;
  url: string;
  userId: number;
  placement: string;
  placementOptions: JsonValue;
  lang?: string;
}

/**
 * The form a portal POSTs when it opens the app page, install page or a placement in a frame
 * (brief §1.2): DOMAIN/PROTOCOL/LANG/APP_SID in the query, the user's tokens and the context in the
 * body. PLACEMENT_OPTIONS is a JSON string; for the main page PHP encodes the empty options as `[]`.
 *
 * The field set is the one Bitrix24's own frame form has (bitrix core, rest module,
 * `components/bitrix/app.layout/templates/.default/template.php`: AUTH_ID, AUTH_EXPIRES,
 * REFRESH_ID, member_id, status, PLACEMENT, PLACEMENT_OPTIONS) and the docs list
 * (RD:settings/oauth/simple-way.md, RD:api-reference/widgets/_includes/widget_data.md). There is
 * no APPLICATION_TOKEN: the brief's §1.2 claims one, but the user's browser builds and submits this
 * form, so anything in it is readable by every portal user — and the application token is what
 * authenticates ONAPPUNINSTALL (RD:api-reference/events/safe-event-handlers.md: "do not pass it to
 * client-side code"). SERVER_ENDPOINT is not in the core template either; the emulator still sends
 * it because its OAuth server is not at oauth.bitrix.info (Dozvon treats the field as optional).
 */
export function pageForm(portal: PortalCore, tokens: TokenPair, placement: string, placementOptions: JsonValue): Record<string, string> {
  return {
    AUTH_ID: tokens.accessToken,
    AUTH_EXPIRES: String(tokens.expiresIn),
    REFRESH_ID: tokens.refreshToken,
    SERVER_ENDPOINT: portal.serverEndpoint,
    member_id: portal.memberId,
    status: portal.app.status,
    PLACEMENT: placement,
    PLACEMENT_OPTIONS: JSON.stringify(placementOptions),
  };
}

export function pageQuery(portal: PortalCore, appSid: string, lang?: string): Record<string, string> {
  return { DOMAIN: portal.domain, PROTOCOL: '0', LANG: lang ?? portal.lang, APP_SID: appSid };
}

export async function openPage(portal: PortalCore, options: OpenPageOptions): Promise<AppPageResult> {
  const appSid = randomHex(16);
  const tokens = portal.issueTokens(options.userId);
  const record = await postToApp(portal, {
    kind: options.kind,
    url: options.url,
    form: pageForm(portal, tokens, options.placement, options.placementOptions),
    name: options.placement,
    query: pageQuery(portal, appSid, options.lang),
  });
  return { status: record.status, body: record.responseBody, headers: record.responseHeaders, appSid, auth: tokens, record };
}

/**
 * Delivers an event to every handler bound to it. Nothing is delivered before installation
 * finished (gotcha 1). Each handler gets a fresh token of its `auth_type` user (or of the user
 * who caused the event); ordinary events carry no refresh token (brief §1.3).
 */
export function deliverEvent(
  portal: PortalCore,
  event: string,
  data: Record<string, unknown>,
  userId: number,
  extraHandlers: string[] = [],
): Array<Promise<OutboundPostRecord>> {
  if (!portal.appState.installed) return [];
  const name = event.toUpperCase();
  const targets: Array<{ id: number; handler: string; authType: number }> = portal.events
    .filter((b) => b.event === name && !b.offline)
    .map((b) => ({ id: b.id, handler: b.handler, authType: b.authType }));
  for (const handler of extraHandlers) {
    if (!targets.some((t) => t.handler === handler)) targets.push({ id: 0, handler, authType: 0 });
  }
  return targets.map((t) => {
    const tokens = portal.issueTokens(t.authType || userId);
    return portal.track(
      postToApp(portal, {
        kind: 'event',
        url: t.handler,
        name,
        form: {
          event: name,
          event_handler_id: String(t.id),
          data,
          ts: String(Math.floor(portal.now() / 1000)),
          auth: authBlock(portal, tokens, name === 'ONAPPINSTALL'),
        },
      }),
    );
  });
}

/** ONAPPINSTALL data (RD:on-app-install.md). */
function installData(portal: PortalCore): Record<string, string> {
  return { VERSION: String(portal.app.version), ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: portal.lang };
}

/** Marks the app installed and fires ONAPPINSTALL (bound handlers + the app's install event handler URL). */
export async function finishInstall(portal: PortalCore, userId: number): Promise<OutboundPostRecord[]> {
  if (portal.appState.installed) return [];
  portal.appState.installed = true;
  portal.appState.uninstalled = false;
  portal.appState.installedAt = portal.now();
  const extra = portal.app.installEventHandlerUrl ? [portal.app.installEventHandlerUrl] : [];
  return Promise.all(deliverEvent(portal, 'ONAPPINSTALL', installData(portal), userId, extra));
}

export interface InstallResult {
  /** The install page as the admin's browser got it (apps with UI). */
  page: AppPageResult | null;
  /** The ONAPPINSTALL-shaped POST to the install URL (script-only apps). */
  callback: OutboundPostRecord | null;
}

/**
 * The administrator installs the app (brief §1.1). With UI: the install page (or handler path) is
 * opened and the app stays "not installed" until `installFinish`. Script only: the portal POSTs an
 * ONAPPINSTALL-shaped payload with tokens to the install URL and the app counts as installed.
 */
export async function installApp(portal: PortalCore, userId: number, lang?: string): Promise<InstallResult> {
  if (portal.appState.installed) throw new Error('The app is already installed on this portal');
  if (portal.appState.uninstalled) {
    // A reinstall gets a new application_token.
    portal.appState.applicationToken = randomHex(16);
    portal.appState.uninstalled = false;
  }
  const installUrl = portal.app.installUrl ?? portal.app.handlerUrl;
  if (portal.app.scriptOnly) {
    portal.appState.installed = true;
    portal.appState.installedAt = portal.now();
    const tokens = portal.issueTokens(userId);
    const callback = await postToApp(portal, {
      kind: 'install',
      url: installUrl,
      name: 'ONAPPINSTALL',
      form: {
        event: 'ONAPPINSTALL',
        data: installData(portal),
        ts: String(Math.floor(portal.now() / 1000)),
        auth: authBlock(portal, tokens, true),
      },
    });
    return { page: null, callback };
  }
  const page = await openPage(portal, {
    kind: 'install',
    url: installUrl,
    userId,
    placement: 'DEFAULT',
    placementOptions: [],
    ...(lang ? { lang } : {}),
  });
  return { page, callback: null };
}

/**
 * Uninstall (brief §1.5): API access is revoked first, the app's event handlers, placements,
 * robots and triggers are removed, then ONAPPUNINSTALL (no tokens, `data[CLEAN]`) goes to the handlers that
 * were bound to it.
 */
export async function uninstallApp(portal: PortalCore, clean: boolean): Promise<OutboundPostRecord[]> {
  const handlers = portal.events.filter((b) => b.event === 'ONAPPUNINSTALL' && !b.offline);
  portal.emulator.tokens.revokeAll(portal.memberId, 'uninstalled');
  portal.appState.installed = false;
  portal.appState.uninstalled = true;
  portal.events.splice(0);
  portal.placements.splice(0);
  portal.robots.clear();
  portal.triggers.clear();
  if (clean) for (const key of Object.keys(portal.appOptions)) delete portal.appOptions[key];
  const ts = String(Math.floor(portal.now() / 1000));
  return Promise.all(
    handlers.map((b) =>
      portal.track(
        postToApp(portal, {
          kind: 'event',
          url: b.handler,
          name: 'ONAPPUNINSTALL',
          form: {
            event: 'ONAPPUNINSTALL',
            event_handler_id: String(b.id),
            data: { LANGUAGE_ID: portal.lang, CLEAN: clean ? '1' : '0' },
            ts,
            auth: {
              domain: portal.domain,
              server_endpoint: portal.serverEndpoint,
              client_endpoint: portal.clientEndpoint,
              member_id: portal.memberId,
              application_token: portal.appState.applicationToken,
            },
          },
        }),
      ),
    ),
  );
}
