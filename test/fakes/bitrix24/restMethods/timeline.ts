import { ENTITY_TYPE_ID, kindByName, kindByTypeId } from '../crm/fields.js';
import { isoDate } from '../clock.js';
import { asArray, asBool, asInt, asString, isRecord, param } from '../params.js';
import { RestError } from '../restError.js';
import type { JsonValue, StoredFile } from '../types.js';
import { ok, requireAppContext, type CallContext, type MethodTable } from './registry.js';

const required = (what: string) => new RestError(400, '100', `Required fields are not provided: ${what}`);
const ownerNotFound = () => new RestError(400, 'OWNER_NOT_FOUND', 'Owner of the item not found');

export function contentTypeFor(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return (
    { mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg', txt: 'text/plain', pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg' }[ext] ??
    'application/octet-stream'
  );
}

function ownerExists(ctx: CallContext, entityTypeId: number | undefined, entityId: number | undefined): boolean {
  const kind = entityTypeId === undefined ? undefined : kindByTypeId(entityTypeId);
  return kind !== undefined && entityId !== undefined && ctx.portal.crm.get(kind, entityId) !== undefined;
}

/** `FILES: [['call.mp3', '<base64>'], ...]` (brief §5.1). */
function commentFiles(ctx: CallContext, value: unknown): StoredFile[] {
  const files: StoredFile[] = [];
  for (const entry of asArray(value) ?? []) {
    const pair = asArray(entry);
    const name = asString(pair?.[0]);
    const content = asString(pair?.[1]);
    if (!name || content === undefined) continue;
    files.push(ctx.portal.files.add(name, contentTypeFor(name), Buffer.from(content, 'base64'), null));
  }
  return files;
}

const TAG_TYPES = new Set(['warning', 'success', 'failure', 'primary', 'secondary']);

/** The subset of LayoutDto checks that catches real mistakes (RD:configurable-add.md error table). */
function checkLayout(layout: unknown): void {
  if (!isRecord(layout) || Object.keys(layout).length === 0) throw new RestError(400, 'ERROR_EMPTY_LAYOUT', 'The layout field must be filled');
  const header = layout['header'];
  if (isRecord(header) && header['tags'] !== undefined) {
    const tags = isRecord(header['tags']) ? header['tags'] : {};
    if (Object.keys(tags).length > 2) throw new RestError(400, 'TOO_MANY_ITEMS', 'Too many items in header.tags (max 2)');
    for (const [key, tag] of Object.entries(tags)) {
      if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new RestError(400, 'KEY_CONTAIN_WRONG_SYMBOLS', `Wrong key ${key}`);
      if (!isRecord(tag) || !asString(tag['title'])) throw new RestError(400, 'FIELD_IS_REQUIRED', `header.tags.${key}.title is required`);
      if (!TAG_TYPES.has(asString(tag['type']) ?? '')) throw new RestError(400, 'ENUM_FIELD', `header.tags.${key}.type has a wrong value`);
    }
  }
  const body = layout['body'];
  if (isRecord(body) && isRecord(body['blocks'])) {
    for (const key of Object.keys(body['blocks'])) {
      if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new RestError(400, 'KEY_CONTAIN_WRONG_SYMBOLS', `Wrong key ${key}`);
    }
  }
}

function deadlineOf(value: unknown): string | null {
  const text = asString(value);
  if (!text) return null;
  if (!Number.isFinite(Date.parse(text))) throw new RestError(400, 'WRONG_DATETIME_FORMAT', 'Wrong datetime format');
  return text;
}

const json = (v: unknown): JsonValue => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue));

export const timelineMethods: MethodTable = {
  /**
   * Only the lower-case `fields` key (crm 23.100.0+) and a lower-case string ENTITY_TYPE
   * (brief §5.1, gotcha 13). The emulator is strict here on purpose.
   */
  'crm.timeline.comment.add': {
    scopes: ['crm'],
    run(ctx) {
      const fields = ctx.params['fields'];
      if (!isRecord(fields)) throw required('fields');
      const entityType = fields['ENTITY_TYPE'];
      const entityId = asInt(fields['ENTITY_ID']);
      const comment = asString(fields['COMMENT']) ?? '';
      if (entityType === undefined || entityId === undefined) throw required('ENTITY_ID, ENTITY_TYPE');
      const kind = typeof entityType === 'string' ? kindByName(entityType) : undefined;
      if (!kind || !ctx.portal.crm.get(kind, entityId)) throw ownerNotFound();
      if (!comment.trim()) throw new RestError(400, 'INVALID_ARG_VALUE', 'Empty comment');
      const authorId = asInt(fields['AUTHOR_ID']) ?? ctx.auth.user.id;
      const files = commentFiles(ctx, fields['FILES']);
      const id = ctx.portal.timeline.addComment(ENTITY_TYPE_ID[kind], entityId, comment, authorId, ctx.now, files);
      ctx.portal.emitEvent('ONCRMTIMELINECOMMENTADD', { FIELDS: { ID: id } }, ctx.auth.user.id);
      return ok(id);
    },
  },

  /**
   * RD:crm-timeline-comment-list.md: `filter` must name ENTITY_ID and ENTITY_TYPE (a lower-case
   * string); `select` lists the fields (an empty or missing select answers items with no fields —
   * the docs disagree, so the emulator takes the strict reading); `order` by ID, CREATED or
   * AUTHOR_ID; pages of 50 with `start`; a missing entity is the classic empty-code error.
   */
  'crm.timeline.comment.list': {
    scopes: ['crm'],
    run(ctx) {
      const filter = ctx.params['filter'];
      if (!isRecord(filter)) throw required('ENTITY_ID, ENTITY_TYPE');
      const entityId = asInt(filter['ENTITY_ID']);
      const entityType = filter['ENTITY_TYPE'];
      const kind = typeof entityType === 'string' ? kindByName(entityType) : undefined;
      if (entityId === undefined || !kind) throw required('ENTITY_ID, ENTITY_TYPE');
      if (!ctx.portal.crm.get(kind, entityId)) throw new RestError(400, '', 'Access denied.');
      const select = (asArray(ctx.params['select']) ?? []).map((f) => String(f).toUpperCase());
      const order = isRecord(ctx.params['order']) ? ctx.params['order'] : {};
      const [field, dir] = Object.entries(order)[0] ?? ['ID', 'ASC'];
      const key = (['ID', 'CREATED', 'AUTHOR_ID'].includes(field.toUpperCase()) ? field.toUpperCase() : 'ID') as 'ID' | 'CREATED' | 'AUTHOR_ID';
      const sign = String(dir).toUpperCase() === 'DESC' ? -1 : 1;
      const all = ctx.portal.timeline.comments
        .filter((c) => c.entityTypeId === ENTITY_TYPE_ID[kind] && c.entityId === entityId)
        .map((c) => ({
          ID: String(c.id),
          ENTITY_ID: String(c.entityId),
          ENTITY_TYPE: kind,
          CREATED: isoDate(c.created),
          COMMENT: c.comment,
          AUTHOR_ID: String(c.authorId),
          FILES: Object.fromEntries(c.files.map((f) => [String(f.id), { id: f.id, name: f.name, size: f.bytes.length }])),
        }))
        .sort((a, b) => sign * (key === 'CREATED' ? a.CREATED.localeCompare(b.CREATED) || Number(a.ID) - Number(b.ID) : Number(a[key]) - Number(b[key])));
      const start = Math.max(0, asInt(ctx.params['start']) ?? 0);
      const page = all.slice(start, start + 50).map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => select.includes(k))));
      return { result: json(page), total: all.length, ...(start + 50 < all.length ? { next: start + 50 } : {}) };
    },
  },

  'crm.timeline.logmessage.add': {
    scopes: ['crm'],
    run(ctx) {
      const fields = param(ctx.params, 'fields');
      if (!isRecord(fields)) throw required('fields');
      const entityTypeId = asInt(param(fields, 'entityTypeId'));
      const entityId = asInt(param(fields, 'entityId'));
      const title = asString(param(fields, 'title')) ?? '';
      const text = asString(param(fields, 'text')) ?? '';
      if (entityTypeId === undefined || entityId === undefined || !title || !text) throw required('entityTypeId, entityId, title, text');
      if (!ownerExists(ctx, entityTypeId, entityId)) throw new RestError(400, 'OWNER_NOT_FOUND', 'The CRM object does not exist');
      const rec = ctx.portal.timeline.addLogMessage({
        entityTypeId,
        entityId,
        title,
        text,
        iconCode: asString(param(fields, 'iconCode')) ?? 'info',
        authorId: ctx.auth.user.id,
        created: ctx.now,
      });
      return ok({ logMessage: { id: rec.id, created: isoDate(rec.created), authorId: rec.authorId, title, text, iconCode: rec.iconCode } });
    },
  },

  'crm.activity.binding.add': {
    scopes: ['crm'],
    run(ctx) {
      const activityId = asInt(param(ctx.params, 'activityId'));
      const entityTypeId = asInt(param(ctx.params, 'entityTypeId'));
      const entityId = asInt(param(ctx.params, 'entityId'));
      if (activityId === undefined || entityTypeId === undefined || entityId === undefined) throw required('activityId, entityTypeId, entityId');
      const activity = ctx.portal.timeline.activities.get(activityId);
      if (!activity) throw new RestError(400, 'NOT_FOUND', 'Entity not found');
      if (!ownerExists(ctx, entityTypeId, entityId)) throw ownerNotFound();
      if (activity.bindings.some((b) => b.entityTypeId === entityTypeId && b.entityId === entityId)) {
        throw new RestError(400, 'ACTIVITY_IS_ALREADY_BOUND', 'The activity is already bound to this entity');
      }
      activity.bindings.push({ entityTypeId, entityId });
      return ok(true);
    },
  },

  'crm.activity.binding.list': {
    scopes: ['crm'],
    run(ctx) {
      const activity = ctx.portal.timeline.activities.get(asInt(param(ctx.params, 'activityId')) ?? -1);
      if (!activity) throw new RestError(400, 'NOT_FOUND', 'Entity not found');
      return ok(activity.bindings.map((b) => ({ entityTypeId: b.entityTypeId, entityId: b.entityId })));
    },
  },

  'crm.activity.configurable.add': {
    scopes: ['crm'],
    run(ctx) {
      requireAppContext(ctx, () => new RestError(400, 'ERROR_WRONG_CONTEXT', 'Method call is only possible in the context of an application'));
      const ownerTypeId = asInt(param(ctx.params, 'ownerTypeId'));
      const ownerId = asInt(param(ctx.params, 'ownerId'));
      if (ownerTypeId === undefined || ownerId === undefined) throw required('ownerTypeId, ownerId');
      if (!ownerExists(ctx, ownerTypeId, ownerId)) throw ownerNotFound();
      const fields = isRecord(param(ctx.params, 'fields')) ? (param(ctx.params, 'fields') as Record<string, unknown>) : {};
      const layout = param(ctx.params, 'layout');
      checkLayout(layout);
      const incoming = asBool(fields['isIncomingChannel']) === true;
      const deadline = deadlineOf(fields['deadline']);
      if (incoming && deadline) throw new RestError(400, 'INCOMING_ACTIVITY_CAN_NOT_BE_WITH_DEADLINE', 'Incoming activity cannot have a deadline');
      const activity = ctx.portal.timeline.addActivity({
        providerId: 'CONFIGURABLE_REST_APP',
        typeId: 6,
        ownerTypeId,
        ownerId,
        subject: '',
        description: '',
        completed: asBool(fields['completed']) ?? false,
        direction: null,
        deadline,
        responsibleId: asInt(fields['responsibleId']) ?? ctx.auth.user.id,
        created: ctx.now,
        bindings: [{ entityTypeId: ownerTypeId, entityId: ownerId }],
        files: [],
        layout: json(layout),
        callId: null,
        originId: asString(fields['originId']) ?? null,
        fields: json(fields) as Record<string, JsonValue>,
      });
      return ok({ activity: { id: activity.id } });
    },
  },

  'crm.activity.todo.add': {
    scopes: ['crm'],
    run(ctx) {
      const ownerTypeId = asInt(param(ctx.params, 'ownerTypeId'));
      const ownerId = asInt(param(ctx.params, 'ownerId'));
      if (ownerTypeId === undefined || ownerId === undefined || param(ctx.params, 'deadline') === undefined) {
        throw required('ownerTypeId, ownerId, deadline');
      }
      if (!ownerExists(ctx, ownerTypeId, ownerId)) throw new RestError(400, 'NOT_FOUND', 'CRM object not found');
      const activity = ctx.portal.timeline.addActivity({
        providerId: 'CRM_TODO',
        typeId: 6,
        ownerTypeId,
        ownerId,
        subject: asString(param(ctx.params, 'title')) ?? '',
        description: asString(param(ctx.params, 'description')) ?? '',
        completed: false,
        direction: null,
        deadline: deadlineOf(param(ctx.params, 'deadline')),
        responsibleId: asInt(param(ctx.params, 'responsibleId')) ?? ctx.auth.user.id,
        created: ctx.now,
        bindings: [{ entityTypeId: ownerTypeId, entityId: ownerId }],
        files: [],
        layout: null,
        callId: null,
        originId: null,
        fields: json({ pingOffsets: param(ctx.params, 'pingOffsets') ?? [], colorId: param(ctx.params, 'colorId') ?? null }) as Record<string, JsonValue>,
      });
      return ok({ id: activity.id });
    },
  },

  /** Classic read of an activity (subset of fields) so apps can verify what they wrote. */
  'crm.activity.get': {
    scopes: ['crm'],
    run(ctx) {
      const a = ctx.portal.timeline.activities.get(asInt(param(ctx.params, 'id')) ?? -1);
      if (!a) throw new RestError(400, '', 'Not found');
      return ok({
        ID: String(a.id),
        OWNER_TYPE_ID: String(a.ownerTypeId),
        OWNER_ID: String(a.ownerId),
        TYPE_ID: String(a.typeId),
        PROVIDER_ID: a.providerId,
        SUBJECT: a.subject,
        DESCRIPTION: a.description,
        COMPLETED: a.completed ? 'Y' : 'N',
        DIRECTION: a.direction === null ? null : String(a.direction),
        RESPONSIBLE_ID: String(a.responsibleId),
        CREATED: isoDate(a.created),
        DEADLINE: a.deadline,
        ORIGIN_ID: a.originId,
        FILES: a.files.map((f) => ({ id: f.id, url: `/disk/${f.id}/${encodeURIComponent(f.name)}` })),
      });
    },
  },
};
