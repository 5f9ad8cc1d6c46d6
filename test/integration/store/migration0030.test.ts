import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../../src/store/migrate.js';
import { openTestDatabase } from '../../support/db.js';

/**
 * 0030 brings the robots of portals installed before it up to date (the `final` return value, the
 * `pending` outcome) with one `robot.sync` job per registered robot of an installed portal.
 */
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

describe('migration 0030 (Bitrix24 hardening)', () => {
  it('queues one robot sync per robot of an installed portal, none for removed robots or uninstalled portals, and only once', async () => {
    const t = await openTestDatabase();
    opened.push(t);
    const d = t.db;
    await d.query('DROP SCHEMA public CASCADE');
    await d.query('CREATE SCHEMA public');
    await migrate(d, loadMigrations().filter((m) => m.id < 30));
    const ids = { a: '01a00000-0000-7000-8000-00000000000a', b: '01a00000-0000-7000-8000-00000000000b' };
    for (const [k, id] of Object.entries(ids)) {
      await d.query(`INSERT INTO tenants (id, kind, external_id, name) VALUES ($1, 'bitrix24', $2, $2)`, [id, `member-${k}`]);
      await d.query(
        `INSERT INTO b24_portals (tenant_id, member_id, domain, client_endpoint, server_endpoint, access_token_enc) VALUES ($1, $2, 'x', 'https://x/rest/', 'https://oauth.bitrix.info/rest/', $3)`,
        [id, `member-${k}`, k === 'a' ? 'v1.sealed' : null],
      );
    }
    const robot = (tenant: string, template: string, deleted: boolean) =>
      d.query(`INSERT INTO b24_robots (tenant_id, code, template_id, name, registered_at, deleted_at) VALUES ($1, $2, $3, 'T', now(), $4)`, [tenant, `calltask_${template}`, template, deleted ? new Date() : null]);
    await robot(ids.a, '01a00000-0000-7000-8000-0000000000a1', false);
    await robot(ids.a, '01a00000-0000-7000-8000-0000000000a2', true);
    await robot(ids.b, '01a00000-0000-7000-8000-0000000000b1', false);

    await migrate(d);
    await migrate(d);
    const jobs = await d.query<{ tenant_id: string; kind: string; payload: { templateId: string }; partition_key: string }>(`SELECT tenant_id, kind, payload, partition_key FROM outbox`);
    expect(jobs.rows).toEqual([{ tenant_id: ids.a, kind: 'robot.sync', payload: { templateId: '01a00000-0000-7000-8000-0000000000a1' }, partition_key: `b24:${ids.a}:robots` }]);
  });
});
