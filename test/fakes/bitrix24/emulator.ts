import { randomInt } from 'node:crypto';
import { EmulatorClock } from './clock.js';
import { serverEndpointOf, type EmulatorCore, type OAuthRequestRecord, type ResolvedEmulatorOptions } from './emulatorCore.js';
import { closeServer, listenLoopback } from './http.js';
import { randomHex } from './ids.js';
import { createOAuthServer } from './oauthServer.js';
import { Portal } from './portal.js';
import { PortalCore } from './portalCore.js';
import { createPortalServer } from './portalServer.js';
import { TokenStore } from './tokens.js';
import type { AppDefinition, EmulatorOptions, PortalOptions } from './types.js';

export type { OAuthRequestRecord } from './emulatorCore.js';

/** A running emulator: one OAuth server plus any number of portals. */
export interface Bitrix24Emulator {
  /** `http://127.0.0.1:<port>` of the OAuth server (token endpoint `${oauthUrl}/oauth/token/`). */
  readonly oauthUrl: string;
  /** `${oauthUrl}/rest/` — the `server_endpoint` every token response and callback carries. */
  readonly serverEndpoint: string;
  /** Emulator time; `clock.advance(ms)` expires tokens, operating windows, robot timeouts. */
  readonly clock: EmulatorClock;
  /** The default app definition (client id/secret are generated once and shared by portals). */
  readonly app: Readonly<AppDefinition>;
  /** Starts a portal on its own port. */
  createPortal(options?: PortalOptions): Promise<Portal>;
  portals(): Portal[];
  /** Requests the OAuth server handled. */
  oauthRequests(): OAuthRequestRecord[];
  /** Stops every server (waits for in-flight event deliveries first). */
  stop(): Promise<void>;
}

function defaultApp(overrides: Partial<AppDefinition>): AppDefinition {
  const clientId = overrides.clientId ?? `local.${randomHex(7)}.${randomInt(10_000_000, 99_999_999)}`;
  return {
    clientId,
    clientSecret: overrides.clientSecret ?? randomHex(25),
    code: overrides.code ?? clientId,
    handlerUrl: overrides.handlerUrl ?? 'http://127.0.0.1:9/bitrix24/app',
    installUrl: overrides.installUrl ?? null,
    redirectUrl: overrides.redirectUrl ?? null,
    scope: overrides.scope ?? ['crm', 'bizproc', 'placement', 'telephony', 'user_brief'],
    status: overrides.status ?? 'L',
    scriptOnly: overrides.scriptOnly ?? false,
    installEventHandlerUrl: overrides.installEventHandlerUrl ?? null,
    version: overrides.version ?? 1,
  };
}

/**
 * Starts the Bitrix24 emulator: an OAuth server (stands for oauth.bitrix.info) on 127.0.0.1.
 * Portals are created with `createPortal()`, each on its own port.
 */
export async function startBitrix24Emulator(options: EmulatorOptions = {}): Promise<Bitrix24Emulator> {
  const clock = new EmulatorClock();
  const resolved: ResolvedEmulatorOptions = {
    app: options.app ?? {},
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 180 * 24 * 3600,
    oauthDomain: options.oauthDomain ?? 'oauth.bitrix24.tech',
    revokedTokenError: options.revokedTokenError ?? 'expired_token',
    outboundTimeoutMs: options.outboundTimeoutMs ?? 10_000,
  };
  const core: EmulatorCore = {
    clock,
    tokens: new TokenStore(clock),
    options: resolved,
    oauthUrl: '',
    portals: new Map(),
    oauthLog: [],
  };
  const baseApp = defaultApp(resolved.app);
  const oauthServer = createOAuthServer(core);
  const oauthPort = await listenLoopback(oauthServer);
  core.oauthUrl = `http://127.0.0.1:${oauthPort}`;
  const portals: Portal[] = [];

  return {
    oauthUrl: core.oauthUrl,
    serverEndpoint: serverEndpointOf(core),
    clock,
    app: baseApp,
    async createPortal(portalOptions: PortalOptions = {}): Promise<Portal> {
      const app: AppDefinition = { ...baseApp, ...(portalOptions.app ?? {}) };
      const portalCore = new PortalCore(core, app, portalOptions);
      const server = createPortalServer(portalCore);
      const port = await listenLoopback(server);
      portalCore.domain = `127.0.0.1:${port}`;
      portalCore.url = `http://127.0.0.1:${port}`;
      core.portals.set(portalCore.memberId, portalCore);
      const portal = new Portal(portalCore, server);
      portals.push(portal);
      return portal;
    },
    portals: () => [...portals],
    oauthRequests: () => [...core.oauthLog],
    async stop(): Promise<void> {
      await Promise.all(portals.map((p) => p.close()));
      await closeServer(oauthServer);
    },
  };
}
