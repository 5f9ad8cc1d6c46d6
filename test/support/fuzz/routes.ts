import fc from 'fast-check';
import { anyJson, brokenJson, fileContents, formBody, jsonBody, multipartBody, mutated, nastyString, pathParam, pathSegment, queryString, type FuzzBody } from './arbitraries.js';

/**
 * The fuzz suite's route table: for each route, generators that start from a valid request and
 * break it in the ways that matter for that route. A route missing here is still fuzzed, with the
 * generic generators at the end (any JSON, broken JSON, forms, uploads, odd query strings) — so
 * routes added later (amoCRM's `/amocrm/*`, new `/voice/<platform>/*`) are covered from the day
 * they are mounted, and earn an entry here when someone wants them probed deeper.
 *
 * Keys are `METHOD /path` exactly as mounted (see `RunningDozvon.routes`).
 */
export interface FuzzContext {
  /** Real record ids by the resource a path segment names (`campaigns` → a campaign id). */
  ids: Record<string, string>;
  /** Valid bodies to mutate, by name (a template's settings, a scenario graph, …). */
  bases: Record<string, Record<string, unknown>>;
  adminToken: string;
  apiKey: string;
  /** Headers that sign a sandbox callback body the way the sandbox platform does. */
  signSandbox(body: string): Record<string, string>;
  /** The installed Bitrix24 portal, when the adapter is on. */
  b24?: { memberId: string; applicationToken: string; domain: string; robotCode: string; frameToken: string; dealId: number; serverEndpoint: string };
}

export interface RouteFuzz {
  body?: fc.Arbitrary<FuzzBody | undefined>;
  query?: fc.Arbitrary<string>;
  /** Headers added to the request (authentication, signatures); default: an admin's session. */
  headers?: fc.Arbitrary<Record<string, string>>;
  /** Values for path parameters by name; default: a real id (see `ids`) or something that is not one. */
  params?: Record<string, fc.Arbitrary<string>>;
}

export type RouteFuzzers = Record<string, (c: FuzzContext) => RouteFuzz>;

const json = (base: Record<string, unknown>) => fc.oneof({ weight: 6, arbitrary: jsonBody(mutated(base)) }, { weight: 1, arbitrary: brokenJson });

/** Who is asking: mostly the admin (to get past authentication), sometimes an API key, nobody, or a forger. */
const apiAuth = (c: FuzzContext): fc.Arbitrary<Record<string, string>> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant({ authorization: `Bearer ${c.adminToken}` }) },
    { weight: 2, arbitrary: fc.constant({ 'x-api-key': c.apiKey }) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: nastyString.map((s) => ({ authorization: `Bearer ${s.replace(/[\r\n]/g, '')}` })) },
  );

const catalog = (base: string): ((c: FuzzContext) => RouteFuzz) => (c) => ({ body: json(c.bases[base] ?? {}) });

const API: RouteFuzzers = {
  'POST /api/v1/setup': () => ({ body: json({ email: 'x@example.com', name: 'X', password: 'long-enough-password', setupCode: '123456' }) }),
  'POST /api/v1/auth/login': () => ({ body: json({ email: 'admin@example.com', password: 'wrong-password' }) }),
  'POST /api/v1/users': () => ({ body: json({ email: 'new@example.com', name: 'New', password: 'long-enough-password', role: 'manager' }) }),
  'PATCH /api/v1/users/:id': () => ({ body: json({ name: 'Renamed', role: 'manager', disabled: false }) }),
  'POST /api/v1/api-keys': () => ({ body: json({ name: 'Key', role: 'manager' }) }),
  'PUT /api/v1/settings/limits': () => ({ body: json({ maxConcurrentCalls: 10, minuteBudget: null }) }),
  'POST /api/v1/templates': (c) => ({ body: json(c.bases.template ?? {}) }),
  'PUT /api/v1/templates/:id': (c) => ({ body: json(c.bases.template ?? {}) }),
  'POST /api/v1/scenarios': (c) => ({ body: json(c.bases.scenario ?? {}) }),
  'PUT /api/v1/scenarios/:id': (c) => ({ body: json(c.bases.scenario ?? {}) }),
  'POST /api/v1/scenarios/validate': (c) => ({ body: json(c.bases.scenario ?? {}) }),
  'POST /api/v1/redial-rule-sets': catalog('redialRuleSet'),
  'PUT /api/v1/redial-rule-sets/:id': catalog('redialRuleSet'),
  'POST /api/v1/caller-id-groups': catalog('callerIdGroup'),
  'PUT /api/v1/caller-id-groups/:id': catalog('callerIdGroup'),
  'POST /api/v1/dial-plans': catalog('dialPlan'),
  'PUT /api/v1/dial-plans/:id': catalog('dialPlan'),
  'POST /api/v1/transfer-directions': catalog('transferDirection'),
  'PUT /api/v1/transfer-directions/:id': catalog('transferDirection'),
  'POST /api/v1/campaigns': (c) => ({ body: json(c.bases.campaign ?? {}) }),
  'PATCH /api/v1/campaigns/:id': (c) => ({ body: json(c.bases.campaignEdit ?? {}) }),
  'POST /api/v1/campaigns/:id/numbers': () => ({ body: json({ phone: '+7 900 123-45-67', variables: { name: 'Anna' }, externalId: 'crm-1' }) }),
  'POST /api/v1/campaigns/:id/numbers/batch': () => ({
    body: fc.oneof(
      json({ items: [{ phone: '+79001234567' }, { phones: ['+79001234568', '8 900 123 45 69'], variables: { name: 'B' }, externalId: 'e2' }] }),
      jsonBody(fc.array(mutated({ phone: '+79001234567', variables: {}, externalId: 'x' }), { minLength: 1, maxLength: 30 }).map((items) => ({ items }))),
    ),
  }),
  'POST /api/v1/campaigns/:id/numbers/cancel': () => ({ body: json({ phones: ['+79001230004'], externalIds: ['world-1'] }) }),
  'POST /api/v1/campaigns/:id/numbers/import': () => ({ body: multipartBody(fileContents) }),
  'POST /api/v1/greetings': () => ({ body: multipartBody(fileContents) }),
  'POST /api/v1/test-calls': (c) => ({ body: json({ templateId: c.ids.templates, phone: '+79000000004', variables: {} }) }),
  'GET /api/v1/attempts': () => ({ query: queryString(['campaignId', 'numberId', 'status', 'outcome', 'from', 'to', 'limit', 'cursor']) }),
  'GET /api/v1/attempts/:id': () => ({ query: queryString(['wait']) }),
  'GET /api/v1/campaigns/:id/numbers': () => ({ query: queryString(['status', 'limit', 'offset', 'phone', 'externalId']) }),
};

const VOICE: RouteFuzzers = {
  'POST /voice/sandbox/events': (c) => ({
    headers: fc.constant({}),
    body: fc.oneof(
      // Signed as the platform signs: the event itself is what is wrong.
      {
        weight: 4,
        arbitrary: mutated({ type: 'ended', attemptId: c.ids.attempts ?? '', providerCallId: 'sbx-x', seq: 99, at: new Date().toISOString(), cause: 'busy', sipCode: 486, durationSec: 1, talkSec: 0, answeredAt: null, recordingUrl: null, error: null }).map(
          (v) => {
            const text = JSON.stringify(v) ?? '';
            return { contentType: 'application/json', data: Buffer.from(text), extraHeaders: c.signSandbox(text) } as FuzzBody;
          },
        ),
      },
      // Unsigned, or signed for other bytes.
      { weight: 1, arbitrary: jsonBody(anyJson) },
    ),
  }),
  'GET /voice/sandbox/recordings/:file': () => ({ query: queryString(['sig']), params: { file: fc.oneof(fc.uuid().map((u) => `sbx-${u}.wav`), nastyString.map(pathSegment)) } }),
  'GET /recordings/:id': () => ({ query: queryString(['exp', 'sig']) }),
};

const BITRIX24: RouteFuzzers = {
  'POST /bitrix24/robot': (c) => ({
    headers: fc.constant({}),
    body: formBody({
      workflow_id: 'wf-1',
      code: c.b24?.robotCode ?? 'calltask_x',
      'document_id[0]': 'crm',
      'document_id[1]': 'CCrmDocumentDeal',
      'document_id[2]': `DEAL_${c.b24?.dealId ?? 1}`,
      event_token: 'token|1',
      'properties[max_attempts]': '1',
      timeout_duration: '660',
      'auth[member_id]': c.b24?.memberId ?? 'm',
      'auth[application_token]': c.b24?.applicationToken ?? 't',
      'auth[domain]': c.b24?.domain ?? 'example.bitrix24.ru',
    }),
  }),
  'POST /bitrix24/events': (c) => ({
    headers: fc.constant({}),
    body: formBody({
      event: 'ONCRMDEALUPDATE',
      'data[FIELDS][ID]': '1',
      'auth[member_id]': c.b24?.memberId ?? 'm',
      'auth[application_token]': c.b24?.applicationToken ?? 't',
      'auth[domain]': c.b24?.domain ?? 'example.bitrix24.ru',
    }),
  }),
  ...Object.fromEntries(
    ['POST /bitrix24/install', 'POST /bitrix24/app', 'POST /bitrix24/placement/:name'].map((key) => [
      key,
      (c: FuzzContext): RouteFuzz => ({
        headers: fc.constant({}),
        query: fc.oneof(fc.constant(`DOMAIN=${c.b24?.domain ?? 'x'}&PROTOCOL=0&LANG=ru&APP_SID=abc`), queryString(['DOMAIN', 'PROTOCOL', 'LANG', 'APP_SID'])),
        params: { name: fc.constantFrom('CRM_DEAL_DETAIL_TAB', 'CRM_DEAL_LIST_MENU', 'x', '%00') },
        body: formBody(
          {
            AUTH_ID: c.b24?.frameToken ?? 'a',
            AUTH_EXPIRES: '3600',
            REFRESH_ID: 'r',
            // The emulator's OAuth server (Bitrix24's own is not reachable from a test machine).
            SERVER_ENDPOINT: c.b24?.serverEndpoint ?? 'https://oauth.bitrix.info/rest/',
            member_id: c.b24?.memberId ?? 'm',
            status: 'L',
            PLACEMENT: 'CRM_DEAL_DETAIL_TAB',
            PLACEMENT_OPTIONS: JSON.stringify({ ID: String(c.b24?.dealId ?? 1) }),
            APPLICATION_TOKEN: c.b24?.applicationToken ?? 't',
          },
          // Without SERVER_ENDPOINT the app asks Bitrix24's own OAuth server: offline that is a 502
          // (right for an unreachable upstream), online it would send the fuzzer's tokens to Bitrix24.
          ['SERVER_ENDPOINT'],
        ),
      }),
    ]),
  ),
};

/** Frame API calls of the Bitrix24 pages: the frame's headers, right or wrong, and JSON bodies. */
function b24Api(c: FuzzContext): RouteFuzz {
  return {
    headers: fc.oneof(
      fc.constant({ 'x-b24-auth': c.b24?.frameToken ?? 'x', 'x-b24-member-id': c.b24?.memberId ?? 'm' }),
      fc.record({ 'x-b24-auth': nastyString.map((s) => s.replace(/[\r\n]/g, '') || 'x'), 'x-b24-member-id': fc.constant(c.b24?.memberId ?? 'm') }),
      fc.constant({}),
    ),
    body: json({ templateId: c.ids.templates, entity: 'deal', ids: [c.b24?.dealId ?? 1], filter: { STAGE_ID: 'NEW' } }),
    query: queryString(['entity', 'id', 'limit']),
  };
}

export const ROUTE_FUZZERS: RouteFuzzers = {
  ...API,
  ...VOICE,
  ...BITRIX24,
  'GET /bitrix24/api/history': b24Api,
  'GET /bitrix24/api/me': b24Api,
  'GET /bitrix24/api/templates': b24Api,
  'GET /bitrix24/api/campaigns/:id': b24Api,
  'POST /bitrix24/api/calls': b24Api,
  'POST /bitrix24/api/calls/filter': b24Api,
};

/** For routes without an entry: every kind of body and query, as the admin or as nobody. */
export function genericFuzz(c: FuzzContext): RouteFuzz {
  return {
    headers: apiAuth(c),
    body: fc.oneof(fc.constant(undefined), jsonBody(anyJson), brokenJson, formBody({ a: '1' }), multipartBody(fileContents)),
    query: queryString(),
  };
}

export { apiAuth, pathParam };
