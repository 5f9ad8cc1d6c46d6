import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm, type Portal } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';

/**
 * C3 + C5 through the placement pages' API: "call these deals now", "call every deal / lead
 * matching this filter", the deal tab's history. Requests carry a portal user's frame token.
 */
let h: B24Harness;
let portal: Portal;
let tenantId: string;
let templateId: string;

beforeAll(async () => {
  h = await startHarness();
  portal = await h.newPortal({ rateLimit: null });
  tenantId = await h.install(portal);
  templateId = portal.robots()[0]!.code.replace('calltask_', '');
});
afterAll(async () => h?.stop());

const headers = () => ({ 'x-b24-auth': portal.issueTokens(1).accessToken, 'x-b24-member-id': portal.memberId, 'x-b24-domain': portal.domain });
async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.t.url}/bitrix24/api/${path}`, {
    method,
    headers: { ...headers(), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface CampaignView {
  status: string;
  numbers: Record<string, number>;
  intake: { status: string; fetched: number; added: number; skipped: number } | null;
}
const campaignDone = (id: string) =>
  waitFor(`campaign ${id} to complete`, async () => {
    const c = (await api<CampaignView>('GET', `campaigns/${id}`)).body;
    return c.status === 'completed' ? c : undefined;
  }, 60_000, 200);

describe('the placement API', () => {
  it('who am I, and the templates to choose from', async () => {
    const me = await api<{ userId: number; admin: boolean; portal: { domain: string; status: string } }>('GET', 'me');
    expect(me.body).toMatchObject({ userId: 1, admin: true, portal: { domain: portal.domain, status: 'active' } });
    const list = await api<{ templates: { id: string; name: string; robotCode: string }[] }>('GET', 'templates');
    expect(list.body.templates).toEqual([expect.objectContaining({ id: templateId, robotCode: `calltask_${templateId}` })]);
  });

  it('"call now" on selected deals: a campaign of their phones, history on each deal, the timeline written', async () => {
    const d1 = portal.addDeal({ title: 'One', contactIds: [portal.addContact({ name: 'Anna', phones: ['+79000000004'] })] });
    const d2 = portal.addDeal({ title: 'Two', contactIds: [portal.addContact({ name: 'Ivan', phones: ['+79000000007', '+79000000001'] })] });
    const d3 = portal.addDeal({ title: 'No phone', contactIds: [portal.addContact({ name: 'Nobody' })] });
    const started = await api<{ campaignId: string; name: string }>('POST', 'calls', { templateId, entity: 'deal', ids: [d1, d2, d3], maxAttempts: 1 });
    expect(started.status).toBe(202);
    const c = await campaignDone(started.body.campaignId);
    expect(c.intake).toMatchObject({ status: 'done', fetched: 3, added: 2, skipped: 1 });
    await settleOutbox(h.app, tenantId);

    const history = await api<{ document: string; calls: { phone: string; outcome: string; outcomeText: string; result: string | null; gender: string | null; answers: unknown[]; recordingUrl: string | null }[] }>(
      'GET',
      `history?entity=deal&id=${d1}`,
    );
    expect(history.body.document).toBe(`DEAL_${d1}`);
    expect(history.body.calls).toEqual([
      expect.objectContaining({ phone: '+79000000004', outcome: 'human', outcomeText: 'Human answered', result: 'interested', gender: 'female', recordingUrl: expect.stringContaining('/recordings/') }),
    ]);
    expect(history.body.calls[0]!.answers.length).toBeGreaterThan(0);
    expect(portal.timeline('deal', d1).filter((e) => e.kind === 'comment')).toHaveLength(1);
    // A man declined on the first number: that settles the deal, the second number is not called.
    const h2 = await api<{ calls: { phone: string; outcome: string }[] }>('GET', `history?entity=deal&id=${d2}`);
    expect(h2.body.calls.map((x) => x.phone)).toContain('+79000000007');
    expect(portal.timeline('deal', d3)).toHaveLength(0);
  });

  it('"call by filter": only the deals of the stage, read in id order with the fast paging', async () => {
    const stage = 'PREPARATION';
    const inStage = [1, 2, 3].map((i) => portal.addDeal({ title: `S${i}`, stage, contactIds: [portal.addContact({ name: 'S', phones: [`+790200${i}0004`] })] }));
    const other = portal.addDeal({ title: 'Elsewhere', stage: 'NEW', contactIds: [portal.addContact({ name: 'O', phones: ['+79030000004'] })] });
    const before = portal.calls('crm.item.list').length;
    const started = await api<{ campaignId: string }>('POST', 'calls/filter', { templateId, entity: 'deal', stageId: stage, maxAttempts: 1 });
    expect(started.status).toBe(202);
    const c = await campaignDone(started.body.campaignId);
    expect(c.intake).toMatchObject({ status: 'done', fetched: 3, added: 3 });
    await settleOutbox(h.app, tenantId);
    for (const d of inStage) expect(portal.timeline('deal', d).filter((e) => e.kind === 'comment')).toHaveLength(1);
    expect(portal.timeline('deal', other)).toHaveLength(0);
    const lists = portal.calls('crm.item.list').slice(before);
    // One probe for the highest id (DESC), then pages in id order; never a COUNT.
    expect(lists[0]?.params).toMatchObject({ start: '-1', order: { id: 'DESC' } });
    expect(lists[1]?.params).toMatchObject({ start: '-1', order: { id: 'ASC' }, filter: { '>id': '0' } });
    expect(lists.every((l) => l.params.start === '-1')).toBe(true);
    expect(Math.max(...lists.map((l) => l.scannedRows))).toBeLessThanOrEqual(60);
  });

  it('"call by filter" on leads, with any CRM filter', async () => {
    const hot = portal.addLead({ title: 'Hot', name: 'Lena', phones: ['+79040000004'], status: 'IN_PROCESS', fields: { OPPORTUNITY: 5000 } });
    const cold = portal.addLead({ title: 'Cold', name: 'Petr', phones: ['+79050000004'], status: 'IN_PROCESS', fields: { OPPORTUNITY: 10 } });
    const started = await api<{ campaignId: string }>('POST', 'calls/filter', { templateId, entity: 'lead', statusId: 'IN_PROCESS', filter: { '>OPPORTUNITY': 1000 }, maxAttempts: 1 });
    const c = await campaignDone(started.body.campaignId);
    expect(c.intake).toMatchObject({ fetched: 1, added: 1 });
    await settleOutbox(h.app, tenantId);
    expect(portal.timeline('lead', hot).filter((e) => e.kind === 'comment')).toHaveLength(1);
    expect(portal.timeline('lead', cold)).toHaveLength(0);
  });

  it('rejects bad input with the field named', async () => {
    const bad = await api<{ error: { code: string; details: { path: string }[] } }>('POST', 'calls', { templateId, entity: 'company', ids: [] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual(['entity', 'ids']);
    const otherTemplate = await api<{ error: { code: string } }>('POST', 'calls', { templateId: '01900000-0000-7000-8000-000000000000', entity: 'deal', ids: [1] });
    expect(otherTemplate.status).toBe(422);
    expect((await api('GET', 'campaigns/01900000-0000-7000-8000-000000000000')).status).toBe(404);
  });
});

describe('placement pages', () => {
  it('the deal tab is a real page with its config, the SDK and the API it uses', async () => {
    const deal = portal.addDeal({ title: 'Tab' });
    const page = await portal.openPlacement('CRM_DEAL_DETAIL_TAB', { ID: String(deal) });
    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBeUndefined();
    expect(page.body).toContain('/bitrix24/static/b24jssdk.js');
    expect(page.body).toContain('/bitrix24/api/');
    const config = JSON.parse(/<script type="application\/json" id="dozvon-config">(.*?)<\/script>/s.exec(page.body)![1]!) as Record<string, unknown>;
    expect(config).toMatchObject({ page: 'deal_tab', entity: 'deal', ids: [deal], memberId: portal.memberId, domain: portal.domain, lang: 'en' });
    const sdk = await fetch(`${h.t.url}/bitrix24/static/b24jssdk.js`);
    expect(sdk.status).toBe(200);
    expect(await sdk.text()).toContain('initializeB24Frame');
  });

  it('the list menu page takes the chosen rows', async () => {
    const t = portal.issueTokens(1);
    const form = {
      AUTH_ID: t.accessToken, AUTH_EXPIRES: '3600', REFRESH_ID: t.refreshToken, member_id: portal.memberId,
      status: 'L', PLACEMENT: 'CRM_LEAD_LIST_MENU', PLACEMENT_OPTIONS: JSON.stringify({ ID: ['3', '5'] }),
    };
    const res = await fetch(`${h.t.url}/bitrix24/placement/lead_list?DOMAIN=${portal.domain}&PROTOCOL=0&LANG=en&APP_SID=x`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(form),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"ids":[3,5]');
  });
});

describe('who may start calls by filter', () => {
  it('a portal user who is not an administrator is refused (403) and nothing starts', async () => {
    const manager = portal.addUser({ name: 'Manager', admin: false });
    const campaignsBefore = await h.t.dozvon.app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaigns WHERE tenant_id = $1', [tenantId]);
    const res = await fetch(`${h.t.url}/bitrix24/api/calls/filter`, {
      method: 'POST',
      headers: {
        'x-b24-auth': portal.issueTokens(manager.id).accessToken,
        'x-b24-member-id': portal.memberId,
        'content-type': 'application/json',
        'accept-language': 'en',
      },
      body: JSON.stringify({ templateId, entity: 'deal', maxAttempts: 1 }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('administrator');
    const campaignsAfter = await h.t.dozvon.app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaigns WHERE tenant_id = $1', [tenantId]);
    expect(campaignsAfter.rows[0]!.n).toBe(campaignsBefore.rows[0]!.n);
  });
});
