import { B24OAuth } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator, type Portal } from './index.js';
import { rest } from './testSupport.js';

const COUNT = 100_000;

/**
 * The "huge data" export (brief §3.4): `>ID` + `start=-1` reads only the rows it returns.
 * Asserted through the rows the list engine examined, not through wall-clock time.
 */
describe('100,000 deals', () => {
  let emu: Bitrix24Emulator;
  let portal: Portal;

  beforeAll(async () => {
    emu = await startBitrix24Emulator();
    portal = await emu.createPortal({ rateLimit: null, costScale: 0 });
    const contact = portal.addContact({ name: 'Shared', phones: ['+79990000000'] });
    const range = portal.seedDeals(COUNT, (i) => ({ title: `Deal ${i + 1}`, contactIds: [contact], stage: i % 10 === 0 ? 'WON' : 'NEW' }));
    expect(range).toEqual({ firstId: 1, lastId: COUNT });
  });

  afterAll(async () => {
    await emu.stop();
  });

  it('exports every deal through fetchList with the >ID cursor, each page touching only its own rows', async () => {
    const b24 = new B24OAuth(portal.oauthParams(), { clientId: emu.app.clientId, clientSecret: emu.app.clientSecret }, {
      restrictionParams: { rateLimit: { burstLimit: 1e9, drainRate: 1e9, adaptiveEnabled: false } },
    });
    let seen = 0;
    let lastId = 0;
    for await (const page of b24.actions.v2.fetchList.make<{ ID: string }>({ method: 'crm.deal.list', params: { select: ['ID', 'TITLE'] }, idKey: 'ID' })) {
      for (const row of page) {
        expect(Number(row.ID)).toBeGreaterThan(lastId);
        lastId = Number(row.ID);
      }
      seen += page.length;
    }
    expect(seen).toBe(COUNT);
    const calls = portal.calls('crm.deal.list');
    expect(calls).toHaveLength(COUNT / 50 + 1);
    expect(Math.max(...calls.map((c) => c.scannedRows))).toBeLessThanOrEqual(50);
  });

  it('still counts the whole table for offset paging (the slow way the docs warn about)', async () => {
    const token = portal.issueTokens().accessToken;
    const res = await rest(portal.clientEndpoint, 'crm.deal.list', { select: ['ID'], start: 99_950, filter: { STAGE_ID: 'WON' } }, token);
    expect(res.body['total']).toBe(COUNT / 10);
    expect(portal.calls('crm.deal.list').at(-1)?.scannedRows).toBe(COUNT);
    const filtered = await rest(portal.clientEndpoint, 'crm.deal.list', { select: ['ID'], start: -1, order: { ID: 'ASC' }, filter: { '>ID': 99_000, STAGE_ID: 'WON' } }, token);
    expect((filtered.body['result'] as unknown[]).length).toBe(50);
    expect(portal.calls('crm.deal.list').at(-1)?.scannedRows).toBe(491);
  });
});
