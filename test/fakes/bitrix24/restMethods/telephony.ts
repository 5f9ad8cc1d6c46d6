import { ENTITY_TYPE_ID } from '../crm/fields.js';
import type { CrmRecord } from '../crm/store.js';
import { randomHex } from '../ids.js';
import { asBool, asInt, asString, param } from '../params.js';
import type { PortalCore } from '../portalCore.js';
import { RestError } from '../restError.js';
import type { CrmEntityKind, ExternalCallView, JsonValue, PortalUser, StoredFile } from '../types.js';
import { contentTypeFor } from './timeline.js';
import { ok, requireAppContext, type CallContext, type MethodTable } from './registry.js';

const core = (text: string) => new RestError(400, 'ERROR_CORE', text);
/**
 * RD lists ERROR_CORE for this one, but a captured real answer has an EMPTY code
 * (b24-rest-docs issue #175) — which b24jssdk batches then treat as success (gotcha 18).
 */
const callNotFound = () => new RestError(400, '', 'Call is not found (call should be registered prior to finishing)');
const REUSE_WINDOW_MS = 30 * 60 * 1000;

function callUser(ctx: CallContext): PortalUser {
  const userId = asInt(param(ctx.params, 'USER_ID'));
  const inner = asString(param(ctx.params, 'USER_PHONE_INNER'));
  if (userId === undefined && !inner) throw core('USER_ID or USER_PHONE_INNER should be set');
  const user = userId !== undefined ? ctx.portal.users.get(userId) : [...ctx.portal.users.values()].find((u) => u.phoneInner === inner);
  if (!user || !user.active) throw core('User is not found or is not active');
  return user;
}

const digits = (phone: string) => phone.replace(/\D/g, '');

/** CRM lookup by number the way the call card does it: contacts, then companies, then leads. */
function findByPhone(portal: PortalCore, phone: string): { kind: CrmEntityKind; rec: CrmRecord } | undefined {
  const wanted = digits(phone);
  for (const kind of ['contact', 'company', 'lead'] as const) {
    for (const rec of portal.crm.tables[kind].values()) {
      if (rec.multi.some((m) => m.typeId === 'PHONE' && digits(m.value) === wanted)) return { kind, rec };
    }
  }
  return undefined;
}

function registerResult(call: ExternalCallView): Record<string, unknown> {
  return {
    CALL_ID: call.callId,
    CRM_CREATED_LEAD: call.createdLeadId,
    CRM_CREATED_ENTITIES: call.createdLeadId === null ? [] : [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: call.createdLeadId }],
    CRM_ENTITY_TYPE: call.crmEntityType,
    CRM_ENTITY_ID: call.crmEntityId,
  };
}

function findCall(ctx: CallContext, notFound: () => RestError = callNotFound): ExternalCallView {
  const callId = param(ctx.params, 'CALL_ID');
  if (typeof callId !== 'string' || !callId) throw new RestError(400, 'INVALID_ARGUMENT', 'CALL_ID must be a string');
  const call = ctx.portal.externalCalls.get(callId);
  if (!call) throw notFound();
  return call;
}

const notInStatistics = () => core('Call is not found in the statistic table. It looks like it is not finished yet.');

/** Stores a record on the call and its CRM activity; a second attach replaces the first (RD). */
export function attachRecordFile(portal: PortalCore, call: ExternalCallView, file: StoredFile): void {
  call.record = file;
  const activity = call.activityId === null ? undefined : portal.timeline.activities.get(call.activityId);
  if (activity) activity.files = [file];
}

async function download(ctx: CallContext, url: string): Promise<{ bytes: Buffer; contentType: string | null }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(ctx.portal.emulator.options.outboundTimeoutMs) });
  } catch (err) {
    throw core(`Could not download the record: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok) throw core(`Server returns HTTP error code ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { bytes, contentType: response.headers.get('content-type') };
}

export const telephonyMethods: MethodTable = {
  /**
   * RD:telephony-external-call-register.md. A repeat within 30 minutes with the same
   * PHONE_NUMBER/TYPE/user/LINE_NUMBER/EXTERNAL_CALL_ID returns the still-open call's CALL_ID
   * (gotcha 7); once that call is finished, the repeat's finish fails with "Call is not found".
   */
  'telephony.externalcall.register': {
    scopes: ['telephony'],
    run(ctx) {
      requireAppContext(ctx);
      const user = callUser(ctx);
      const phone = asString(param(ctx.params, 'PHONE_NUMBER')) ?? '';
      if (!digits(phone)) throw core('Unsupported phone number format');
      const type = asInt(param(ctx.params, 'TYPE'));
      if (type === undefined || type < 1 || type > 5) throw core('Unknown TYPE');
      const startDate = asString(param(ctx.params, 'CALL_START_DATE'));
      if (startDate && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?/.test(startDate)) {
        throw core('CALL_START_DATE should be in the ISO-8601 format');
      }
      const line = asString(param(ctx.params, 'LINE_NUMBER')) ?? null;
      const externalId = asString(param(ctx.params, 'EXTERNAL_CALL_ID')) ?? null;

      for (const call of ctx.portal.externalCalls.values()) {
        if (
          !call.finished &&
          ctx.now - call.registeredAt < REUSE_WINDOW_MS &&
          call.phoneNumber === phone &&
          call.type === type &&
          call.userId === user.id &&
          call.lineNumber === line &&
          call.externalCallId === externalId
        ) {
          return ok(registerResult(call));
        }
      }

      let crmType: ExternalCallView['crmEntityType'] = null;
      let crmId: number | null = null;
      const wantedType = asString(param(ctx.params, 'CRM_ENTITY_TYPE'))?.toUpperCase();
      const wantedId = asInt(param(ctx.params, 'CRM_ENTITY_ID'));
      if ((wantedType === 'CONTACT' || wantedType === 'COMPANY' || wantedType === 'LEAD') && wantedId !== undefined) {
        if (ctx.portal.crm.get(wantedType.toLowerCase() as CrmEntityKind, wantedId)) {
          crmType = wantedType;
          crmId = wantedId;
        }
      }
      if (crmType === null) {
        const found = findByPhone(ctx.portal, phone);
        if (found) {
          crmType = found.kind.toUpperCase() as ExternalCallView['crmEntityType'];
          crmId = found.rec.id;
        }
      }
      let createdLeadId: number | null = null;
      if (crmType === null && asBool(param(ctx.params, 'CRM_CREATE')) === true) {
        const lead = ctx.portal.crm.create(
          'lead',
          {
            TITLE: `${phone} - ${type === 1 ? 'Outgoing call' : 'Incoming call'}`,
            SOURCE_ID: asString(param(ctx.params, 'CRM_SOURCE')) ?? 'CALL',
            PHONE: [{ VALUE: phone, VALUE_TYPE: 'WORK' }],
          },
          { userId: user.id, now: ctx.now },
        );
        createdLeadId = lead.id;
        crmType = 'LEAD';
        crmId = lead.id;
      }
      const call: ExternalCallView = {
        callId: `externalCall.${randomHex(16)}.${Math.floor(ctx.now / 1000)}`,
        externalCallId: externalId,
        userId: user.id,
        phoneNumber: phone,
        type,
        lineNumber: line,
        registeredAt: ctx.now,
        crmEntityType: crmType,
        crmEntityId: crmId,
        createdLeadId,
        show: asBool(param(ctx.params, 'SHOW')) ?? true,
        addToChat: asBool(param(ctx.params, 'ADD_TO_CHAT')) ?? true,
        finished: false,
        duration: null,
        statusCode: null,
        failedReason: null,
        vote: null,
        activityId: null,
        record: null,
        registerParams: Object.fromEntries(Object.entries(ctx.params).filter(([k]) => k !== 'auth' && !k.startsWith('bx24_'))),
        finishParams: null,
      };
      ctx.portal.externalCalls.set(call.callId, call);
      return ok(registerResult(call));
    },
  },

  /** RD:telephony-external-call-finish.md: creates the CRM call activity. */
  'telephony.externalcall.finish': {
    scopes: ['telephony'],
    run(ctx) {
      requireAppContext(ctx);
      const call = findCall(ctx);
      const user = callUser(ctx);
      if (call.finished) throw callNotFound();
      const duration = asInt(param(ctx.params, 'DURATION')) ?? 0;
      const statusCode = asString(param(ctx.params, 'STATUS_CODE')) ?? (duration > 0 ? '200' : '304');
      const failedReason = asString(param(ctx.params, 'FAILED_REASON')) ?? '';
      const vote = asInt(param(ctx.params, 'VOTE')) ?? null;
      call.finished = true;
      call.duration = duration;
      call.statusCode = statusCode;
      call.failedReason = failedReason;
      call.vote = vote;
      call.finishParams = Object.fromEntries(Object.entries(ctx.params).filter(([k]) => k !== 'auth'));

      if (call.crmEntityType !== null && call.crmEntityId !== null) {
        const kind = call.crmEntityType.toLowerCase() as CrmEntityKind;
        const bindings = [{ entityTypeId: ENTITY_TYPE_ID[kind], entityId: call.crmEntityId }];
        if (ctx.portal.autoBindCallsToOpenDeals && (kind === 'contact' || kind === 'company')) {
          for (const deal of ctx.portal.crm.tables.deal.values()) {
            const linked = kind === 'contact' ? deal.contactIds.includes(call.crmEntityId) : deal.fields['COMPANY_ID'] === String(call.crmEntityId);
            if (linked && deal.fields['CLOSED'] !== 'Y') bindings.push({ entityTypeId: ENTITY_TYPE_ID.deal, entityId: deal.id });
          }
        }
        const outgoing = call.type === 1;
        const activity = ctx.portal.timeline.addActivity({
          providerId: 'VOXIMPLANT_CALL',
          typeId: 2,
          ownerTypeId: ENTITY_TYPE_ID[kind],
          ownerId: call.crmEntityId,
          subject: outgoing ? `Outgoing call to ${call.phoneNumber}` : `Incoming call from ${call.phoneNumber}`,
          description: failedReason,
          completed: true,
          direction: outgoing ? 2 : 1,
          deadline: null,
          responsibleId: user.id,
          created: ctx.now,
          bindings,
          files: call.record ? [call.record] : [],
          layout: null,
          callId: call.callId,
          originId: `VI_${call.callId}`,
          fields: { DURATION: duration, STATUS_CODE: statusCode, COST: (asString(param(ctx.params, 'COST')) ?? '0') as JsonValue },
        });
        call.activityId = activity.id;
      }
      return ok({
        CALL_ID: call.callId,
        EXTERNAL_CALL_ID: call.externalCallId,
        PORTAL_USER_ID: user.id,
        PHONE_NUMBER: call.phoneNumber,
        PORTAL_NUMBER: call.lineNumber ?? '',
        INCOMING: String(call.type),
        CALL_DURATION: duration,
        CALL_START_DATE: {},
        CALL_STATUS: statusCode === '200' ? 1 : 0,
        CALL_VOTE: vote,
        COST: Number(asString(param(ctx.params, 'COST')) ?? 0),
        COST_CURRENCY: asString(param(ctx.params, 'COST_CURRENCY')) ?? '',
        CALL_FAILED_CODE: statusCode,
        CALL_FAILED_REASON: failedReason,
        REST_APP_ID: '1',
        REST_APP_NAME: ctx.portal.app.code,
        CRM_ACTIVITY_ID: call.activityId,
        COMMENT: null,
        CRM_ENTITY_TYPE: call.crmEntityType,
        CRM_ENTITY_ID: call.crmEntityId,
        ID: ctx.portal.externalCalls.size,
      });
    },
  },

  /**
   * RD:telephony-external-call-attach-record.md: RECORD_URL is downloaded by the portal during
   * the call (bytes and content type are kept), FILENAME+FILE_CONTENT is base64, FILENAME alone
   * returns an `uploadUrl` for a multipart upload.
   */
  'telephony.externalcall.attachrecord': {
    scopes: ['telephony'],
    async run(ctx) {
      const call = findCall(ctx, notInStatistics);
      if (!call.finished) throw notInStatistics();
      const url = asString(param(ctx.params, 'RECORD_URL'));
      const fileName = asString(param(ctx.params, 'FILENAME'));
      const content = asString(param(ctx.params, 'FILE_CONTENT'));
      if (url) {
        const { bytes, contentType } = await download(ctx, url);
        const name = fileName || decodeURIComponent(new URL(url).pathname.split('/').pop() || 'record.mp3');
        ctx.extraCost += 0.2 + bytes.length / 10_000_000;
        const file = ctx.portal.files.add(name, contentType ?? contentTypeFor(name), bytes, url);
        attachRecordFile(ctx.portal, call, file);
        return ok({ FILE_ID: file.id });
      }
      if (fileName === undefined) throw core('Required parameters are not set. Request should contain either URL or FILENAME parameter');
      if (!fileName) throw core('File name is empty');
      if (!/\.(mp3|wav)$/i.test(fileName)) throw core('Wrong file extension. Only wav and mp3 are allowed');
      if (content === undefined) {
        const token = `telephony|${Buffer.from(`callId=${call.callId}|${randomHex(8)}`).toString('base64')}`;
        ctx.portal.pendingUploads.set(token, { callId: call.callId, fileName });
        const uploadUrl = `${ctx.portal.url}/rest/upload.json?auth=${encodeURIComponent(ctx.auth.token)}&token=${encodeURIComponent(token)}`;
        return ok({ uploadUrl, fieldName: 'file' });
      }
      if (!content) throw core('File content is empty.');
      if (!/^[A-Za-z0-9+/=\s]+$/.test(content)) throw core('File content is not properly encoded. Base64 encoding is expected.');
      const file = ctx.portal.files.add(fileName, contentTypeFor(fileName), Buffer.from(content, 'base64'), null);
      attachRecordFile(ctx.portal, call, file);
      return ok({ FILE_ID: file.id });
    },
  },

  'telephony.externalcall.show': { scopes: ['telephony'], run: () => ok(true) },
  'telephony.externalcall.hide': { scopes: ['telephony'], run: () => ok(true) },
};
