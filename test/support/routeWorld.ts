import crypto from 'node:crypto';
import type { Db } from '../../src/store/db.js';
import type { TestApp } from './app.js';
import { makeWav } from './wav.js';

/**
 * A few real records of every kind, so a test that drives every mounted route fills path
 * parameters with ids that exist (the request then reaches the code behind the lookup), and a
 * fingerprint of the whole database to prove a refused request changed nothing.
 */
export interface RouteWorld {
  /** Id of a real record for the resource a path segment names (`campaigns` → a campaign id). */
  ids: Record<string, string>;
  apiKey: string;
  /** The path with every `:param` replaced: a real id where one is known, a plausible value otherwise. */
  fill(path: string): string;
}

async function must<T>(t: TestApp, method: string, path: string, body?: unknown): Promise<T> {
  const r = await t.api<T>(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function buildRouteWorld(t: TestApp): Promise<RouteWorld> {
  const scenarios = await must<{ scenarios: { id: string }[] }>(t, 'GET', '/scenarios');
  const scenarioId = scenarios.scenarios[0]!.id;
  const redial = await must<{ id: string }>(t, 'POST', '/redial-rule-sets', { name: 'World redials', rules: { busy: { delayMinutes: 10, from: 'start', maxCount: 1 } } });
  const group = await must<{ id: string }>(t, 'POST', '/caller-id-groups', { name: 'World group', numbers: ['+74959898533'] });
  const plan = await must<{ id: string }>(t, 'POST', '/dial-plans', { name: 'World plan', trunk: 'sip:trunk@carrier', rules: [] });
  const direction = await must<{ id: string }>(t, 'POST', '/transfer-directions', { name: 'World desk', numbers: ['101'] });
  const template = await must<{ id: string }>(t, 'POST', '/templates', { name: 'World template', scenarioId });
  // Scheduled a day ahead: nothing in it is ever dialled while the tests run.
  const campaign = await must<{ id: string }>(t, 'POST', '/campaigns', { name: 'World campaign', templateId: template.id, startAt: new Date(Date.now() + 86400_000).toISOString() });
  await must(t, 'POST', `/campaigns/${campaign.id}/numbers/batch`, { items: [{ phone: '+79001230004', externalId: 'world-1' }] });
  const numbers = await must<{ numbers: { id: string }[] }>(t, 'GET', `/campaigns/${campaign.id}/numbers`);
  const key = await must<{ id: string; key: string }>(t, 'POST', '/api-keys', { name: 'World key' });
  const user = await must<{ id: string }>(t, 'POST', '/users', { email: `world-${crypto.randomBytes(4).toString('hex')}@example.com`, name: 'World', password: 'world-password-1', role: 'manager' });
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(makeWav({ ms: 300, hz: 440 }))], { type: 'audio/wav' }), 'world.wav');
  const greetingRes = await fetch(`${t.url}/api/v1/greetings`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
  const greeting = (await greetingRes.json()) as { id: string };
  const ids: Record<string, string> = {
    scenarios: scenarioId,
    'redial-rule-sets': redial.id,
    'caller-id-groups': group.id,
    'dial-plans': plan.id,
    'transfer-directions': direction.id,
    templates: template.id,
    campaigns: campaign.id,
    numbers: numbers.numbers[0]!.id,
    'api-keys': key.id,
    users: user.id,
    greetings: greeting.id,
    recordings: greeting.id,
  };
  const plausible: Record<string, string> = { name: 'CRM_DEAL_DETAIL_TAB', file: 'placement.js', platform: 'sandbox' };
  return {
    ids,
    apiKey: key.key,
    fill(path) {
      const parts = path.split('/');
      return parts
        .map((part, i) => {
          if (!part.startsWith(':')) return part;
          const name = part.slice(1).replace(/\(.*$/, '');
          if (name === 'numberId') return ids.numbers!;
          if (name === 'id') return ids[parts[i - 1] ?? ''] ?? crypto.randomUUID();
          return plausible[name] ?? 'x';
        })
        .join('/');
    },
  };
}

// Tables whose rows change by themselves while the app runs (agenda's schedule bookkeeping).
const LIVE_TABLES = new Set(['agenda_jobs']);

/** One digest per table of every row's content: equal digests mean nothing was written. */
export async function databaseFingerprint(db: Db, skip: ReadonlySet<string> = new Set()): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    if (LIVE_TABLES.has(name) || skip.has(name)) continue;
    const r = await db.query<{ n: string; digest: string | null }>(`SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM "${name}" t`);
    out[name] = `${r.rows[0]!.n}:${r.rows[0]!.digest ?? ''}`;
  }
  return out;
}
