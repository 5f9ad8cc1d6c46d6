import crypto from 'node:crypto';
import { Account, AccountCore, type AccountOptions } from './account.js';
import { EmulatorClock } from './clock.js';
import { closeServer, listenLoopback } from './http.js';
import { OAuthStore } from './oauth.js';
import { createAccountServer, createApiDomainServer } from './server.js';
import type { IntegrationDefinition, Platform } from './types.js';

/**
 * The amoCRM / Kommo emulator: integrations (client id + secret, redirect URI, disable hook, the
 * widget's DP webhook) and accounts, each account an HTTP server on 127.0.0.1 of its own. See
 * README.md beside this file for what is emulated.
 */
export interface EmulatorOptions {
  /** Access-token lifetime (amoCRM: 24 h). */
  accessTtlSeconds?: number;
  /** Refresh-token lifetime when unused (amoCRM: 3 months). */
  refreshTtlSeconds?: number;
}

export interface AmoEmulator {
  readonly clock: EmulatorClock;
  readonly oauth: OAuthStore;
  /** Registers an integration (what a developer creates in amoCRM's integrations page). */
  addIntegration(i: Partial<IntegrationDefinition> & Pick<IntegrationDefinition, 'redirectUri'>): IntegrationDefinition;
  createAccount(o?: AccountOptions): Promise<Account>;
  accounts(): Account[];
  stop(): Promise<void>;
}

let nextAccountId = 30_000_000 + Math.floor(Math.random() * 1_000_000);

export async function startAmoEmulator(o: EmulatorOptions = {}): Promise<AmoEmulator> {
  const clock = new EmulatorClock();
  const oauth = new OAuthStore(clock, o.accessTtlSeconds ?? 86_400, o.refreshTtlSeconds ?? 90 * 86_400);
  const integrations = new Map<string, IntegrationDefinition>();
  const accounts: Account[] = [];
  // amoCRM's API domain (`api-a.amocrm.ru`): where a refresh token learns its account's address.
  const apiServer = createApiDomainServer(oauth, (id) => accounts.find((a) => a.id === id));
  oauth.apiDomain = `127.0.0.1:${await listenLoopback(apiServer)}`;
  return {
    clock,
    oauth,
    addIntegration(i) {
      const def: IntegrationDefinition = {
        clientId: i.clientId ?? crypto.randomUUID(),
        clientSecret: i.clientSecret ?? crypto.randomBytes(32).toString('base64url'),
        redirectUri: i.redirectUri,
        uninstallUrl: i.uninstallUrl ?? null,
        dpWebhookUrl: i.dpWebhookUrl ?? null,
        platform: i.platform ?? 'amocrm',
        widgetCode: i.widgetCode ?? `dozvon_${crypto.randomBytes(3).toString('hex')}`,
      };
      integrations.set(def.clientId, def);
      return def;
    },
    async createAccount(ao = {}) {
      const platform: Platform = ao.platform ?? 'amocrm';
      const id = ao.accountId ?? nextAccountId++;
      const subdomain = ao.subdomain ?? `acme${id}`;
      const lang = ao.lang ?? (platform === 'amocrm' ? 'ru' : 'en');
      const core = new AccountCore(clock, oauth, integrations, id, platform, subdomain, ao.name ?? `Acme ${id}`, lang, ao);
      const listen = async () => {
        const server = createAccountServer(core);
        return { server, url: `http://127.0.0.1:${await listenLoopback(server)}` };
      };
      const first = await listen();
      core.url = first.url;
      const account = new Account(core, first.server, listen);
      accounts.push(account);
      return account;
    },
    accounts: () => [...accounts],
    async stop() {
      await Promise.all([...accounts.map((a) => a.close()), closeServer(apiServer)]);
    },
  };
}
