import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateSettings } from '../../../src/core/template.js';
import { findPortalByMember } from '../../../src/crm/bitrix24/store/portals.js';
import { createTemplate, deleteTemplate, updateTemplate } from '../../../src/engine/catalog/templates.js';
import { findTenant } from '../../../src/store/repositories/tenants.js';
import { listVersioned, TEMPLATES } from '../../../src/store/repositories/versioned.js';
import { encodeForm } from '../../fakes/bitrix24/index.js';
import { settleOutbox, startHarness, waitFor, type B24Harness } from './support.js';

let h: B24Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

describe('installing Dozvon on a portal (C1)', () => {
  it('declares one robot per template, the placements, the uninstall handler and the user fields, then finishes the install', async () => {
    const portal = await h.newPortal({ lang: 'ru' });
    const res = await portal.installApp({ lang: 'ru' });
    expect(res.page?.status).toBe(200);
    expect(res.page?.body).toContain('installFinish');
    expect(res.page?.body).toContain('/bitrix24/static/b24jssdk.js');
    expect(portal.installed).toBe(false); // the page's job, not the server's (gotcha 1)
    await portal.installFinish();
    await portal.flush();

    const tenantId = await h.tenantOf(portal);
    const tenant = await findTenant(h.app.db, tenantId);
    expect(tenant).toMatchObject({ kind: 'bitrix24', externalId: portal.memberId, locale: 'ru', status: 'active' });
    // The starter scenario and template, in the portal's language, so the robot works at once.
    const templates = await listVersioned<TemplateSettings>(h.app.db, TEMPLATES, tenantId);
    expect(templates).toHaveLength(1);
    expect(templates[0]!.name).toMatch(/[а-яё]/i);

    const robots = portal.robots();
    expect(robots).toHaveLength(1);
    const robot = robots[0]!;
    expect(robot).toMatchObject({ code: `calltask_${templates[0]!.id}`, handler: `${h.t.url}/bitrix24/robot`, useSubscription: 'Y', authUserId: 1 });
    expect(robot.name).toMatchObject({ ru: `Звонок голосовым ботом: ${templates[0]!.name}`, en: `Call with voice bot: ${templates[0]!.name}` });
    expect(Object.keys(robot.returnProperties).sort()).toEqual(['answers', 'attempts', 'duration', 'final', 'gender', 'outcome', 'recording_url', 'result']);
    expect(robot.returnProperties.final).toMatchObject({ Type: 'bool' });
    expect(Object.keys((robot.returnProperties.outcome as { Options: Record<string, string> }).Options).sort()).toEqual(
      ['busy', 'cancelled', 'failed', 'human', 'invalid_number', 'machine', 'no_answer', 'pending', 'short'],
    );
    expect(Object.keys(robot.properties).sort()).toEqual(['max_attempts', 'phone_field', 'variables']);

    expect(portal.placementBindings().map((p) => `${p.placement} ${p.handler}`).sort()).toEqual([
      `CRM_DEAL_DETAIL_TAB ${h.t.url}/bitrix24/placement/deal_tab`,
      `CRM_DEAL_LIST_MENU ${h.t.url}/bitrix24/placement/deal_list`,
      `CRM_LEAD_DETAIL_TAB ${h.t.url}/bitrix24/placement/lead_tab`,
      `CRM_LEAD_LIST_MENU ${h.t.url}/bitrix24/placement/lead_list`,
    ]);
    expect(portal.eventBindings().map((e) => e.event).sort()).toEqual(['ONAPPINSTALL', 'ONAPPUNINSTALL']);
    for (const kind of ['deal', 'lead'] as const) {
      expect(portal.userFields(kind).map((f) => f.FIELD_NAME).sort()).toEqual(['UF_CRM_DOZVON_GENDER', 'UF_CRM_DOZVON_LAST_CALL', 'UF_CRM_DOZVON_RESULT']);
    }
    // The app triggers automation rules can wait for, named in the portal's language.
    expect(portal.triggers()).toEqual([
      { code: 'dozvon_finished', name: 'Голосовой бот: обзвон завершён' },
      { code: 'dozvon_reached', name: 'Голосовой бот: дозвонились' },
      { code: 'dozvon_interested', name: 'Голосовой бот: клиент заинтересован' },
      { code: 'dozvon_not_reached', name: 'Голосовой бот: не дозвонились' },
    ]);
    // ONAPPINSTALL arrived and was accepted.
    expect(portal.outbound('event').find((e) => e.name === 'ONAPPINSTALL')?.status).toBe(200);
    const row = await findPortalByMember(h.app.db, portal.memberId);
    expect(row?.installedAt).toBeInstanceOf(Date);
  });

  it('keeps tokens encrypted at rest: no token of the portal appears in the database', async () => {
    const portal = await h.newPortal();
    await h.install(portal, { alwaysOpen: false });
    const row = await h.app.db.query<Record<string, unknown>>('SELECT * FROM b24_portals WHERE member_id = $1', [portal.memberId]);
    const text = JSON.stringify(row.rows[0]);
    expect(text).not.toContain(portal.applicationToken);
    expect(String(row.rows[0]!.access_token_enc)).toMatch(/^v1\./);
    expect(String(row.rows[0]!.refresh_token_enc)).toMatch(/^v1\./);
    // The pair Dozvon keeps is the one it got by refreshing the install page's refresh token.
    expect(portal.refreshCount).toBe(1);
  });

  it('opening the install page again changes nothing twice', async () => {
    const portal = await h.newPortal();
    const tenantId = await h.install(portal, { alwaysOpen: false });
    const before = { robots: portal.robots(), placements: portal.placementBindings(), events: portal.eventBindings(), deal: portal.userFields('deal') };
    // The admin reloads the install page (the portal posts it again with fresh tokens).
    const again = await portal.openApp({ url: `${h.t.url}/bitrix24/install` });
    expect(again.status, again.body).toBe(200);
    expect(await h.tenantOf(portal)).toBe(tenantId);
    expect(portal.robots()).toEqual(before.robots);
    expect(portal.placementBindings()).toEqual(before.placements);
    expect(portal.eventBindings()).toEqual(before.events);
    expect(portal.userFields('deal')).toEqual(before.deal);
    expect(portal.calls('bizproc.robot.add').filter((c) => c.status === 200)).toHaveLength(1);
    expect(portal.calls('placement.bind').filter((c) => c.status === 200)).toHaveLength(4);
    expect(portal.calls('crm.deal.userfield.add').filter((c) => c.status === 200)).toHaveLength(3);
  });

  it('re-installs after an uninstall: same tenant and data, new application token, robots and placements back', async () => {
    const portal = await h.newPortal();
    const tenantId = await h.install(portal, { alwaysOpen: false });
    await portal.uninstallApp({ clean: false });
    await portal.flush();
    await waitFor('the uninstall to be confirmed', async () => (await findTenant(h.app.db, tenantId))?.status === 'uninstalled');
    const oldToken = portal.applicationToken;
    await h.install(portal, { alwaysOpen: false });
    expect(portal.applicationToken).not.toBe(oldToken);
    expect(await h.tenantOf(portal)).toBe(tenantId);
    expect((await findTenant(h.app.db, tenantId))?.status).toBe('active');
    expect(portal.robots()).toHaveLength(1);
    expect(portal.placementBindings()).toHaveLength(4);
    expect(portal.userFields('lead')).toHaveLength(3);
    expect(await listVersioned(h.app.db, TEMPLATES, tenantId)).toHaveLength(1);
  });

  it('template created / renamed / deleted → robot added / updated / deleted', async () => {
    const portal = await h.newPortal();
    const tenantId = await h.install(portal, { alwaysOpen: false });
    const [starter] = await listVersioned<TemplateSettings>(h.app.db, TEMPLATES, tenantId);
    const created = await createTemplate(h.app, tenantId, null, { ...starter!.body, name: 'Payment reminder' });
    const code = `calltask_${created.id}`;
    await waitFor('the new robot', () => portal.robots().find((r) => r.code === code));
    expect(portal.robots().find((r) => r.code === code)?.name).toMatchObject({ en: 'Call with voice bot: Payment reminder' });

    await updateTemplate(h.app, tenantId, null, created.id, { ...created.body, name: 'Debt reminder' });
    await waitFor('the renamed robot', () => (portal.robots().find((r) => r.code === code)?.name as { en?: string })?.en === 'Call with voice bot: Debt reminder');

    await deleteTemplate(h.app, tenantId, created.id);
    await waitFor('the robot to go', () => !portal.robots().some((r) => r.code === code));
    await settleOutbox(h.app, tenantId);
    expect(portal.robots().map((r) => r.code)).toEqual([`calltask_${starter!.id}`]);
  });

  it('refuses a forged install: a refresh token Bitrix24 never issued, or an OAuth server that is not Bitrix24', async () => {
    const portal = await h.newPortal();
    const base = {
      AUTH_ID: 'x', AUTH_EXPIRES: '3600', REFRESH_ID: 'forged', SERVER_ENDPOINT: portal.serverEndpoint, member_id: portal.memberId,
      status: 'L', PLACEMENT: 'DEFAULT', PLACEMENT_OPTIONS: '[]',
    };
    const post = (form: Record<string, string>) =>
      fetch(`${h.t.url}/bitrix24/install?DOMAIN=${portal.domain}&PROTOCOL=0&LANG=en`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(form),
      });
    expect((await post(base)).status).toBe(403);
    expect((await post({ ...base, SERVER_ENDPOINT: 'https://evil.example/rest/' })).status).toBe(403);
    expect((await post({ ...base, member_id: '' })).status).toBe(422);
    expect(await findPortalByMember(h.app.db, portal.memberId)).toBeUndefined();
  });
});
