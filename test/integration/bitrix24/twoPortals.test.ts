import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateSettings } from '../../../src/core/template.js';
import { listVersioned, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import type { Portal } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, type B24Harness } from './support.js';

/** Tenants are isolated: each portal's writes land in that portal only, and its users see only its data. */
let h: B24Harness;
let a: Portal;
let b: Portal;
let ta: string;
let tb: string;

beforeAll(async () => {
  h = await startHarness();
  [a, b] = await Promise.all([h.newPortal({ lang: 'en' }), h.newPortal({ lang: 'ru' })]);
  [ta, tb] = await Promise.all([h.install(a!), h.install(b!, { lang: 'ru' })]);
});
afterAll(async () => h?.stop());

describe('two portals at once', () => {
  it('robot runs on both: every write lands in its own portal, in its own language', async () => {
    // Same deal ids on both portals: nothing but the portal tells them apart.
    const da = a.addDeal({ title: 'A', contactIds: [a.addContact({ name: 'Alice', phones: ['+79000000004'] })] });
    const db = b.addDeal({ title: 'B', contactIds: [b.addContact({ name: 'Boris', phones: ['+79000000007'] })] });
    expect(da).toBe(db);
    const [wa, wb] = await Promise.all([
      a.runRobot({ code: a.robots()[0]!.code, document: `DEAL_${da}`, properties: { max_attempts: '1' } }),
      b.runRobot({ code: b.robots()[0]!.code, document: `DEAL_${db}`, properties: { max_attempts: '1' } }),
    ]);
    expect(await wa.settled(60_000)).toBe('completed');
    expect(await wb.settled(60_000)).toBe('completed');
    await Promise.all([settleOutbox(h.app, ta), settleOutbox(h.app, tb)]);
    expect(wa.returnValues).toMatchObject({ outcome: 'human', gender: 'female', result: 'interested' });
    expect(wb.returnValues).toMatchObject({ outcome: 'human', gender: 'male', result: 'not_interested' });

    const comment = (p: Portal, id: number) => p.timeline('deal', id).filter((e) => e.kind === 'comment').map((e) => (e.kind === 'comment' ? e.comment : ''));
    expect(comment(a, da)).toEqual([expect.stringContaining('+79000000004')]);
    expect(comment(a, da)[0]).toContain('Outcome: Human answered');
    expect(comment(b, db)).toEqual([expect.stringContaining('+79000000007')]);
    expect(comment(b, db)[0]).toContain('Исход: Ответил человек');
    // No call of one portal's work reached the other.
    for (const [p, phone, other] of [[a, '+79000000004', '+79000000007'], [b, '+79000000007', '+79000000004']] as const) {
      const regs = p.calls('telephony.externalcall.register').filter((c) => c.status === 200);
      expect(regs.map((c) => c.params.PHONE_NUMBER)).toEqual([phone]);
      expect(JSON.stringify(p.calls())).not.toContain(other);
    }
  });

  it('a portal user sees only their portal: templates, history, and nothing through another portal\'s member id', async () => {
    const headers = (p: Portal, memberId = p.memberId) => ({ 'x-b24-auth': p.issueTokens(1).accessToken, 'x-b24-member-id': memberId });
    const templates = async (p: Portal) => ((await (await fetch(`${h.t.url}/bitrix24/api/templates`, { headers: headers(p) })).json()) as { templates: { id: string }[] }).templates.map((x) => x.id);
    const own = (tenantId: string) => listVersioned<TemplateSettings>(h.app.db, TEMPLATES, tenantId).then((l) => l.map((x) => x.id));
    expect(await templates(a)).toEqual(await own(ta));
    expect(await templates(b)).toEqual(await own(tb));
    expect(await templates(a)).not.toContain((await own(h.app.consoleTenantId))[0]);

    const history = async (p: Portal) => ((await (await fetch(`${h.t.url}/bitrix24/api/history?entity=deal&id=1`, { headers: headers(p) })).json()) as { calls: { phone: string }[] }).calls.map((c) => c.phone);
    expect(await history(a)).toEqual(['+79000000004']);
    expect(await history(b)).toEqual(['+79000000007']);

    // Portal A's user token presented with portal B's member id: B does not know that token.
    const crossed = await fetch(`${h.t.url}/bitrix24/api/history?entity=deal&id=1`, { headers: headers(a, b.memberId) });
    expect(crossed.status).toBe(401);
  });
});
