import type { TemplateSettings } from '../../../core/template.js';
import type { Locale } from '../../../i18n.js';
import { listVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { B24Context } from '../b24Context.js';
import { setPortalRateLimit, setPortalUserFields, type PortalUserFields } from '../store/portals.js';
import { upsertRobots } from '../robots/registerRobots.js';
import { APP_TRIGGERS, triggerAddCommands } from '../triggers/appTriggers.js';
import { BOUND_EVENTS, PLACEMENTS, USER_FIELDS, placementBindParams, userFieldAddFields } from './appBindings.js';
import type { CommandOutcome } from '../rest/batchCodec.js';

/**
 * Declares the app on the portal with the installing administrator's token (brief §8 "install
 * page duties"): one robot per template, the placements, ONAPPINSTALL/ONAPPUNINSTALL handlers, the
 * user fields Dozvon writes and the app triggers automation rules can wait for
 * (../triggers/appTriggers.ts). Every step first reads what is already there (a trigger added again
 * is only renamed), so opening the install page again, or re-installing after an uninstall,
 * changes nothing twice. Independent calls of a step travel in one batch.
 */
export interface RegisterSummary {
  robots: number;
  placements: number;
  events: number;
  userFields: number;
  triggers: number;
  plan: 'normal' | 'enterprise';
}

function must<T>(r: CommandOutcome | undefined): T {
  if (!r) throw new Error('missing answer');
  if (!r.ok) throw r.error;
  return r.result as T;
}

type Row = Record<string, unknown>;
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Row[]) : []);

export async function registerApp(b24: B24Context, p: { tenantId: string; authUserId: number; lng: Locale }): Promise<RegisterSummary> {
  const { gateway, app } = b24;
  const base = app.publicUrl();
  const [info, dealUf, leadUf, events, placements] = await gateway.callAll(p.tenantId, [
    { method: 'app.info', params: {} },
    { method: 'crm.deal.userfield.list', params: {} },
    { method: 'crm.lead.userfield.list', params: {} },
    { method: 'event.get', params: {} },
    { method: 'placement.get', params: {} },
  ]);

  // Enterprise plans drain 5/s with a bucket of 250 (brief §4).
  const plan = String(must<Row>(info).LICENSE_FAMILY ?? '') === 'ent' ? 'enterprise' : 'normal';
  if (plan === 'enterprise') {
    await setPortalRateLimit(app.db, p.tenantId, 5, 250);
    gateway.forgetSettings(p.tenantId);
  }

  const templates = await listVersioned<TemplateSettings>(app.db, TEMPLATES, p.tenantId);
  await upsertRobots(b24, { tenantId: p.tenantId, authUserId: p.authUserId, lng: p.lng }, templates.map((t) => ({ id: t.id, name: t.name })));

  const eventHandler = `${base}/bitrix24/events`;
  const boundEvents = rows(must(events)).map((e) => `${String(e.event).toUpperCase()} ${String(e.handler)}`);
  const eventCalls = BOUND_EVENTS.filter((e) => !boundEvents.includes(`${e} ${eventHandler}`)).map((event) => ({ method: 'event.bind', params: { event, handler: eventHandler } }));

  const bound = rows(must(placements));
  const placementCalls = [];
  for (const pl of PLACEMENTS) {
    const handler = `${base}/bitrix24/placement/${pl.page}`;
    const same = bound.filter((b) => String(b.placement) === pl.code);
    if (same.some((b) => String(b.handler) === handler)) continue;
    // A different handler of ours for this placement: PUBLIC_URL changed since the last install.
    for (const old of same) placementCalls.push({ method: 'placement.unbind', params: { PLACEMENT: pl.code, HANDLER: String(old.handler) } });
    placementCalls.push({ method: 'placement.bind', params: placementBindParams(pl, handler, p.lng) });
  }

  const existing = { deal: rows(must(dealUf)), lead: rows(must(leadUf)) };
  const ufCalls = (['deal', 'lead'] as const).flatMap((entity) =>
    USER_FIELDS.filter((f) => !existing[entity].some((r) => r.FIELD_NAME === f.fieldName)).map((f) => ({
      method: `crm.${entity}.userfield.add`,
      params: { fields: userFieldAddFields(f, p.lng) },
    })),
  );

  const results = await gateway.callAll(p.tenantId, [...eventCalls, ...placementCalls, ...ufCalls, ...triggerAddCommands(p.lng)]);
  results.forEach((r) => {
    // "Handler already binded" / "field already exists" (two install pages at once): the state we wanted.
    if (!r.ok && !/already (binded|exists)/i.test(r.error.description)) throw r.error;
  });

  const fields: PortalUserFields = { deal: {}, lead: {} };
  const lists = ufCalls.length ? await gateway.callAll(p.tenantId, [
    { method: 'crm.deal.userfield.list', params: {} },
    { method: 'crm.lead.userfield.list', params: {} },
  ]) : undefined;
  const final = { deal: lists ? rows(must(lists[0])) : existing.deal, lead: lists ? rows(must(lists[1])) : existing.lead };
  for (const entity of ['deal', 'lead'] as const) {
    for (const f of USER_FIELDS) {
      const row = final[entity].find((r) => r.FIELD_NAME === f.fieldName);
      if (!row) continue;
      const items = f.items ? Object.fromEntries(rows(row.LIST).map((it) => [String(it.XML_ID), Number(it.ID)])) : undefined;
      fields[entity]![f.fieldName] = { id: Number(row.ID), ...(items ? { items } : {}) };
    }
  }
  await setPortalUserFields(app.db, p.tenantId, fields);
  return { robots: templates.length, placements: PLACEMENTS.length, events: BOUND_EVENTS.length, userFields: USER_FIELDS.length * 2, triggers: APP_TRIGGERS.length, plan };
}
