import type { EmulatorClock } from './clock.js';
import type { TokenStore } from './tokens.js';
import type { AppDefinition } from './types.js';

/** One request the OAuth server handled (for assertions on refresh behaviour). */
export interface OAuthRequestRecord {
  at: number;
  httpMethod: string;
  grantType: string;
  clientId: string;
  memberId: string | null;
  /** HTTP status answered. */
  status: number;
  error: string | null;
}

export interface ResolvedEmulatorOptions {
  app: Partial<AppDefinition>;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  oauthDomain: string;
  revokedTokenError: 'expired_token' | 'invalid_token';
  outboundTimeoutMs: number;
}

/** What the OAuth server needs to know about a portal. */
export interface PortalDirectoryEntry {
  readonly memberId: string;
  readonly domain: string;
  readonly clientEndpoint: string;
  readonly app: AppDefinition;
  readonly accessTtlSeconds: number;
  isAppInstalled(): boolean;
  scopeString(): string;
  countRefresh(): void;
  /** `app.info` result, also served by the OAuth server's own REST (brief §8: trust its status). */
  appInfo(): Record<string, unknown>;
}

/** State shared by the OAuth server and all portals of one emulator. */
export interface EmulatorCore {
  readonly clock: EmulatorClock;
  readonly tokens: TokenStore;
  readonly options: ResolvedEmulatorOptions;
  /** `http://127.0.0.1:<port>` of the OAuth server (set once it listens). */
  oauthUrl: string;
  readonly portals: Map<string, PortalDirectoryEntry>;
  readonly oauthLog: OAuthRequestRecord[];
}

export function serverEndpointOf(core: EmulatorCore): string {
  return `${core.oauthUrl}/rest/`;
}
