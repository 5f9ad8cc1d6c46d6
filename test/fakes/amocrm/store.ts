import type { EmulatorClock } from './clock.js';
import type { Contact, CustomFieldDef, CustomFieldValue, Lead, Note, Pipeline, Tag, User } from './types.js';

/**
 * One account's CRM data: users, pipelines, lead custom fields, leads, contacts, tags and notes,
 * with the rules the API applies when they change. Ids are per kind and grow like amoCRM's.
 */
export const WON_STATUS_ID = 142;
export const LOST_STATUS_ID = 143;

export interface ContactSeed {
  name?: string;
  firstName?: string;
  lastName?: string;
  /** Phone values; `MOB` unless `{value, type}` names another type (WORK, HOME, …). */
  phones?: (string | { value: string; type: string })[];
  emails?: string[];
  responsibleUserId?: number;
  customFields?: CustomFieldValue[];
}

export interface LeadSeed {
  name?: string;
  price?: number;
  pipelineId?: number;
  statusId?: number;
  responsibleUserId?: number;
  /** Contact ids, the first is the main contact. */
  contacts?: number[];
  tags?: string[];
  customFields?: CustomFieldValue[];
  createdAt?: number;
}

/** A user as a test seeds one: rights default to seeing every lead. */
export interface UserSeed {
  name: string;
  email?: string;
  lang?: string;
  isAdmin?: boolean;
  active?: boolean;
  leadsView?: User['leads_view'];
  groupId?: number | null;
  hiddenStages?: { pipelineId: number; statusId: number }[];
}

export class AccountStore {
  readonly users = new Map<number, User>();
  readonly pipelines = new Map<number, Pipeline>();
  readonly fields = new Map<number, CustomFieldDef>();
  readonly leads = new Map<number, Lead>();
  readonly contacts = new Map<number, Contact>();
  readonly tags = new Map<number, Tag>();
  readonly notes = new Map<number, Note>();
  private next = { user: 2, pipeline: 7000, status: 50_000, field: 600_000, lead: 1_000_000, contact: 2_000_000, tag: 300, note: 9_000_000, enumId: 800_000 };
  readonly phoneFieldId: number;
  readonly emailFieldId: number;

  constructor(
    private readonly clock: EmulatorClock,
    readonly accountId: number,
    admin: { name: string; email: string; lang: string },
  ) {
    this.users.set(1, { id: 1, name: admin.name, email: admin.email, lang: admin.lang, is_admin: true, is_active: true, leads_view: 'A', group_id: null, status_rights: [] });
    this.addPipeline('Main pipeline', ['Incoming', 'First contact', 'Negotiation', 'Decision'], true);
    this.phoneFieldId = this.addField({ name: 'Phone', type: 'multitext', code: 'PHONE', entity: 'contacts', enums: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'] });
    this.emailFieldId = this.addField({ name: 'Email', type: 'multitext', code: 'EMAIL', entity: 'contacts', enums: ['WORK', 'PRIV', 'OTHER'] });
  }

  now(): number {
    return this.clock.nowSeconds();
  }

  addUser(u: UserSeed): number {
    const id = this.next.user++;
    this.users.set(id, {
      id,
      name: u.name,
      email: u.email ?? `user${id}@example.com`,
      lang: u.lang ?? 'en',
      is_admin: u.isAdmin ?? false,
      is_active: u.active ?? true,
      leads_view: u.leadsView ?? 'A',
      group_id: u.groupId ?? null,
      status_rights: (u.hiddenStages ?? []).map((st) => ({ entity_type: 'leads' as const, pipeline_id: st.pipelineId, status_id: st.statusId, rights: { view: 'D' as const, edit: 'D' as const, delete: 'D' as const } })),
    });
    return id;
  }

  /** A pipeline with its stages, plus the fixed won (142) and lost (143) stages. */
  addPipeline(name: string, stages: string[], isMain = false): number {
    const id = this.next.pipeline++;
    const statuses = stages.map((s, i) => ({ id: this.next.status++, name: s, sort: (i + 1) * 10, type: (i === 0 ? 1 : 0) as 0 | 1, pipeline_id: id }));
    statuses.push({ id: WON_STATUS_ID, name: 'Closed - won', sort: 10_000, type: 0, pipeline_id: id }, { id: LOST_STATUS_ID, name: 'Closed - lost', sort: 11_000, type: 0, pipeline_id: id });
    this.pipelines.set(id, { id, name, sort: this.pipelines.size + 1, is_main: isMain, statuses });
    return id;
  }

  get mainPipeline(): Pipeline {
    return [...this.pipelines.values()].find((p) => p.is_main)!;
  }

  addField(f: { name: string; type: CustomFieldDef['type']; code?: string | null; entity?: 'leads' | 'contacts'; enums?: string[] }): number {
    const id = this.next.field++;
    this.fields.set(id, {
      id,
      name: f.name,
      type: f.type,
      code: f.code ?? null,
      sort: this.fields.size * 10,
      is_api_only: false,
      enums: f.enums ? f.enums.map((value, i) => ({ id: this.next.enumId++, value, sort: (i + 1) * 10 })) : null,
      entity_type: f.entity ?? 'leads',
    });
    return id;
  }

  addContact(c: ContactSeed): number {
    const id = this.next.contact++;
    const now = this.now();
    const cfv: CustomFieldValue[] = [...(c.customFields ?? [])];
    const phoneField = this.fields.get(this.phoneFieldId)!;
    if (c.phones?.length) {
      cfv.push({
        field_id: this.phoneFieldId,
        field_name: 'Phone',
        field_code: 'PHONE',
        field_type: 'multitext',
        values: c.phones.map((p) => {
          const v = typeof p === 'string' ? { value: p, type: 'MOB' } : p;
          const e = phoneField.enums!.find((x) => x.value === v.type) ?? phoneField.enums![0]!;
          return { value: v.value, enum_id: e.id, enum_code: e.value };
        }),
      });
    }
    if (c.emails?.length) {
      cfv.push({ field_id: this.emailFieldId, field_name: 'Email', field_code: 'EMAIL', field_type: 'multitext', values: c.emails.map((value) => ({ value, enum_code: 'WORK' })) });
    }
    const first = c.firstName ?? c.name?.split(' ')[0] ?? '';
    const last = c.lastName ?? c.name?.split(' ').slice(1).join(' ') ?? '';
    this.contacts.set(id, {
      id,
      name: c.name ?? [first, last].filter(Boolean).join(' '),
      first_name: first,
      last_name: last,
      responsible_user_id: c.responsibleUserId ?? 1,
      created_at: now,
      updated_at: now,
      custom_fields_values: cfv.length ? cfv : null,
      account_id: this.accountId,
    });
    return id;
  }

  addLead(l: LeadSeed): number {
    const id = this.next.lead++;
    const pipeline = l.pipelineId ? this.pipelines.get(l.pipelineId) : this.mainPipeline;
    if (!pipeline) throw new Error(`no pipeline ${l.pipelineId}`);
    const status = l.statusId ?? pipeline.statuses[0]!.id;
    const now = l.createdAt ?? this.now();
    this.leads.set(id, {
      id,
      name: l.name ?? `Lead #${id}`,
      price: l.price ?? 0,
      responsible_user_id: l.responsibleUserId ?? 1,
      group_id: 0,
      status_id: status,
      pipeline_id: pipeline.id,
      loss_reason_id: null,
      created_by: 1,
      updated_by: 1,
      created_at: now,
      updated_at: now,
      closed_at: null,
      closest_task_at: null,
      is_deleted: false,
      custom_fields_values: l.customFields?.length ? l.customFields : null,
      score: null,
      account_id: this.accountId,
      tags: (l.tags ?? []).map((name) => this.tagId(name)),
      contacts: (l.contacts ?? []).map((cid, i) => ({ id: cid, is_main: i === 0 })),
      company_id: null,
    });
    return id;
  }

  /** The tag's id, creating it in the catalogue when new (names are case-insensitive). */
  tagId(name: string): number {
    const found = [...this.tags.values()].find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (found) return found.id;
    const id = this.next.tag++;
    this.tags.set(id, { id, name, color: null });
    return id;
  }

  addNote(n: Omit<Note, 'id' | 'created_at' | 'updated_at' | 'account_id'>): Note {
    const now = this.now();
    const note: Note = { ...n, id: this.next.note++, created_at: now, updated_at: now, account_id: this.accountId };
    this.notes.set(note.id, note);
    const lead = this.leads.get(n.entity_id);
    if (lead) lead.updated_at = now;
    return note;
  }

  statusOf(pipelineId: number, statusId: number): boolean {
    return Boolean(this.pipelines.get(pipelineId)?.statuses.some((s) => s.id === statusId));
  }
}
