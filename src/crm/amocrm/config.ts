import type { Config } from '../../config.js';
import { safeEqual } from '../../core/crypto.js';

/**
 * The amoCRM adapter's slice of the configuration. amoCRM (amocrm.ru) and Kommo (kommo.com,
 * amocrm.com) are separate platforms with separate integration registries (brief §8): one pair of
 * keys may serve both, or Kommo has its own (`KOMMO_CLIENT_ID` / `KOMMO_CLIENT_SECRET`).
 */
export type Platform = 'amocrm' | 'kommo';
export const PLATFORMS: readonly Platform[] = ['amocrm', 'kommo'];

export interface Integration {
  /** Which platforms' accounts these keys serve. */
  platforms: readonly Platform[];
  clientId: string;
  clientSecret: string;
}

export interface AmoConfig {
  integrations: Integration[];
  /** The integration's Redirect URI (the install route); the widget API shares its origin (JWT `aud`). */
  redirectUri(): string;
  /** CRM_ALLOW_HTTP: accounts on loopback over plain http (the emulator). */
  allowLoopbackHttp: boolean;
}

export function amoConfigOf(config: Config, publicUrl: () => string): AmoConfig | undefined {
  const a = config.amocrm;
  const integrations: Integration[] = [];
  const kommoOwn = Boolean(a.kommoClientId && a.kommoClientSecret);
  if (a.clientId && a.clientSecret) integrations.push({ platforms: kommoOwn ? ['amocrm'] : ['amocrm', 'kommo'], clientId: a.clientId, clientSecret: a.clientSecret });
  if (kommoOwn) integrations.push({ platforms: ['kommo'], clientId: a.kommoClientId!, clientSecret: a.kommoClientSecret! });
  if (integrations.length === 0) return undefined;
  return {
    integrations,
    redirectUri: () => a.redirectUri ?? `${publicUrl()}/amocrm/oauth`,
    allowLoopbackHttp: config.crmAllowHttp,
  };
}

/** The integration whose client id this is (compared in constant time), if it is one of ours. */
export function integrationById(cfg: AmoConfig, clientId: string): Integration | undefined {
  let found: Integration | undefined;
  for (const i of cfg.integrations) if (safeEqual(i.clientId, clientId)) found = i;
  return found;
}

export function integrationFor(cfg: AmoConfig, platform: Platform): Integration | undefined {
  return cfg.integrations.find((i) => i.platforms.includes(platform));
}

/** What the widget token's `aud` may be: the redirect URI's origin, also as scheme://host without a port (the PHP SDK's form). */
export function audiences(cfg: AmoConfig): string[] {
  const u = new URL(cfg.redirectUri());
  return [...new Set([u.origin, `${u.protocol}//${u.hostname}`])];
}
