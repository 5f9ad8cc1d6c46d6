/**
 * Public types of the Bitrix24 emulator. Everything a test touches is typed here; internal
 * state types live next to the code that owns them.
 */
import type { OperatingLimitSettings, RateLimitSettings } from './rateLimiter.js';

export type { OperatingLimitSettings, RateLimitSettings } from './rateLimiter.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Tariff family: drives the leaky bucket (normal 2/s burst 50, enterprise 5/s burst 250). */
export type PortalPlan = 'normal' | 'enterprise';

/** App status as in `app.info`/tokens: L local, F free, D demo, T trial, P paid (brief §1.2). */
export type AppStatus = 'L' | 'F' | 'D' | 'T' | 'P';

/** The application as registered in the portal (local app form or Marketplace card, brief §1.1). */
export interface AppDefinition {
  /** `client_id`; local apps look like `local.65f1c3a2b4d5e6.12345678`. */
  clientId: string;
  clientSecret: string;
  /** `app.info` CODE. */
  code: string;
  /** "Handler path": the app page opened inside the portal. */
  handlerUrl: string;
  /** "Initial installation path"; null = the handler path is opened for installation. */
  installUrl: string | null;
  /** Redirect URI for the full OAuth protocol (`/oauth/authorize/` on the portal). */
  redirectUrl: string | null;
  /** Granted scopes, e.g. `['crm','bizproc','placement','telephony','user_brief']`. */
  scope: string[];
  status: AppStatus;
  /** "Script only (no user interface)": installing POSTs ONAPPINSTALL to the install URL, no installFinish. */
  scriptOnly: boolean;
  /** Marketplace "Installation event handler URL": receives ONAPPINSTALL when installation finishes. */
  installEventHandlerUrl: string | null;
  version: number;
}

export interface EmulatorOptions {
  /** Default app for every portal (each portal may override). */
  app?: Partial<AppDefinition>;
  /** Access-token lifetime; real: 3600. */
  accessTokenTtlSeconds?: number;
  /** Refresh-token lifetime; real: 180 days. */
  refreshTokenTtlSeconds?: number;
  /** `domain` reported by token responses (the OAuth host, not the portal; brief §1.4 drift). */
  oauthDomain?: string;
  /**
   * Error for an access token that was invalidated by a later refresh. The brief only says the
   * old token stops working; the SDK refreshes on either code. Default `expired_token`.
   */
  revokedTokenError?: 'expired_token' | 'invalid_token';
  /** Timeout for the portal's own POSTs to the app (events, robots, pages). Default 10 s. */
  outboundTimeoutMs?: number;
}

export interface PortalOptions {
  /** Overrides of the emulator-level app definition for this portal. */
  app?: Partial<AppDefinition>;
  plan?: PortalPlan;
  /** Leaky bucket; `null` disables rate limiting. Default: from `plan`. */
  rateLimit?: RateLimitSettings | null;
  /** Operating-time limit; `null` disables. Default 480 s per 600 s. */
  operatingLimit?: Partial<OperatingLimitSettings> | null;
  /** Multiplies every simulated method cost (0 = calls cost nothing). Default 1. */
  costScale?: number;
  accessTokenTtlSeconds?: number;
  /** Stable portal id; random by default. */
  memberId?: string;
  /** Portal language (`LANG`, `LANGUAGE_ID`). Default `en`. */
  lang?: string;
  /** Name of user 1, the administrator who installs the app. */
  admin?: { name?: string; lastName?: string; email?: string };
  /**
   * Whether `telephony.externalcall.finish` also binds the call activity to open deals of the
   * contact/company. Unverified on a live portal (brief §5.4); default false.
   */
  autoBindCallsToOpenDeals?: boolean;
}

/** A user of the portal. User 1 is the administrator. */
export interface PortalUser {
  id: number;
  name: string;
  lastName: string;
  email: string;
  admin: boolean;
  active: boolean;
  gender: '' | 'M' | 'F';
  /** Internal phone number (`USER_PHONE_INNER` for telephony methods). */
  phoneInner: string | null;
  /**
   * The user's CRM read permission per entity (their role); unset entities are `all`.
   * Administrators always read everything. See `crm/access.ts`.
   */
  crmAccess?: Partial<Record<CrmEntityKind, CrmAccessLevel>>;
}

/** A role's "read" level: every item, the items the user is responsible for, or none. */
export type CrmAccessLevel = 'all' | 'own' | 'none';

/** Everything a server-side client needs to talk to the portal as a user (shape of B24OAuthParams). */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Unix seconds. */
  expires: number;
  expiresIn: number;
  userId: number;
  memberId: string;
  scope: string;
  /** Portal host (`127.0.0.1:<port>`). */
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  applicationToken: string;
  status: AppStatus;
}

/** One REST call the portal received (top-level or inside a batch). */
export interface RestCallRecord {
  seq: number;
  /** Emulator time, ms. */
  at: number;
  /** Lower-cased method name (`telephony.externalcall.register`). */
  method: string;
  /** The name as the client spelled it. */
  methodAsSent: string;
  /** Parameters without `auth` and the SDK's `bx24_*` query params. */
  params: Record<string, unknown>;
  /** User the token/webhook belongs to; null when authentication failed. */
  userId: number | null;
  credential: 'oauth' | 'webhook' | null;
  /** Access token (or webhook secret) used. */
  token: string | null;
  /** HTTP status (for batch sub-calls: the status the call would have had on its own). */
  status: number;
  error: string | null;
  errorDescription: string | null;
  /** Key of the command inside its batch, with the batch's own `seq`; null for top-level calls. */
  batch: { seq: number; key: string } | null;
  /** Rows the list engine looked at (lets tests assert the `>ID` + `start=-1` fast path). */
  scannedRows: number;
  /** Simulated execution seconds charged to the operating limit. */
  cost: number;
}

export type OutboundKind = 'install' | 'app' | 'placement' | 'event' | 'robot';

/** One POST the portal made to the app, with the app's answer. */
export interface OutboundPostRecord {
  seq: number;
  at: number;
  kind: OutboundKind;
  url: string;
  /** Decoded form fields (nested, as the app should parse them). */
  form: Record<string, unknown>;
  /** Raw `application/x-www-form-urlencoded` body that was sent. */
  rawBody: string;
  /** Event name for `event` posts, robot code for `robot` posts, placement for page posts. */
  name: string | null;
  /** App's HTTP status; null if the request failed (refused, timeout). */
  status: number | null;
  responseBody: string;
  responseHeaders: Record<string, string>;
  error: string | null;
}

/** A postMessage the app frame sent to the harness page (the portal side of B24Frame). */
export interface FrameMessageRecord {
  at: number;
  appSid: string;
  userId: number;
  command: string;
  /** Parsed JSON parameters (or the raw string when it was not JSON, e.g. `setValue`). */
  params: unknown;
  callbackId: string | null;
  /** What the harness answered (undefined = no answer, as the real portal for fire-and-forget). */
  reply: unknown;
}

/** An app trigger as registered with `crm.automation.trigger.add`. */
export interface TriggerView {
  code: string;
  name: string;
}

/** One `crm.automation.trigger.execute` the portal accepted. */
export interface TriggerRun {
  /** Emulator time, ms. */
  at: number;
  code: string;
  /** crm.enum.ownertype: 1 lead, 2 deal, … */
  ownerTypeId: number;
  ownerId: number;
  /** Whose token fired it. */
  userId: number;
}

/** Make the next `times` calls of a method fail (fault injection for retry tests). */
export interface FaultSpec {
  /** HTTP status. Default 500. */
  status?: number;
  /** Error code for a JSON error body. Default `INTERNAL_SERVER_ERROR`. */
  error?: string;
  description?: string;
  /** Raw body instead of JSON (e.g. an nginx HTML page, brief gotcha 11). */
  body?: string;
  /** Content type for `body`. Default `text/html; charset=UTF-8`. */
  contentType?: string;
  /** How many calls fail. Default 1. */
  times?: number;
  /** Delay before answering, ms. */
  delayMs?: number;
  /**
   * The method runs (a batch: every command in it), and then the answer is lost: the client gets
   * this fault instead, as from a proxy timing out after the portal did the work.
   */
  afterRun?: boolean;
  /** Only requests whose parameters match fail (e.g. the batch that carries a comment); others pass. */
  match?: (params: Record<string, unknown>) => boolean;
}

export type CrmEntityKind = 'lead' | 'deal' | 'contact' | 'company';

/** A phone/e-mail/web/IM value (`crm_multifield`). */
export interface MultiFieldInput {
  value: string;
  valueType?: string;
}

export interface ContactSeed {
  name?: string;
  lastName?: string;
  secondName?: string;
  /** Strings or `{value, valueType}`; the default value type is `WORK`. */
  phones?: Array<string | MultiFieldInput>;
  emails?: Array<string | MultiFieldInput>;
  companyId?: number;
  assignedById?: number;
  /** Any other classic fields, including `UF_CRM_*`. */
  fields?: Record<string, JsonValue>;
}

export interface CompanySeed {
  title: string;
  phones?: Array<string | MultiFieldInput>;
  emails?: Array<string | MultiFieldInput>;
  assignedById?: number;
  fields?: Record<string, JsonValue>;
}

export interface DealSeed {
  title?: string;
  /** First id is the primary contact (`CONTACT_ID`). */
  contactIds?: number[];
  companyId?: number;
  /** `STAGE_ID`, e.g. `NEW` or `C1:NEW`. Default: first stage of the category. */
  stage?: string;
  categoryId?: number;
  opportunity?: number;
  currency?: string;
  assignedById?: number;
  closed?: boolean;
  fields?: Record<string, JsonValue>;
}

export interface LeadSeed {
  title?: string;
  name?: string;
  lastName?: string;
  phones?: Array<string | MultiFieldInput>;
  emails?: Array<string | MultiFieldInput>;
  /** `STATUS_ID`, default `NEW`. */
  status?: string;
  assignedById?: number;
  fields?: Record<string, JsonValue>;
}

export interface StoredFile {
  id: number;
  name: string;
  contentType: string;
  bytes: Buffer;
  /** Where the portal downloaded it from (attachRecord RECORD_URL), if anywhere. */
  sourceUrl: string | null;
}

/** A CRM activity (call, to-do, configurable, ...). */
export interface ActivityView {
  id: number;
  /** `VOXIMPLANT_CALL`, `CRM_TODO`, `CONFIGURABLE_REST_APP`. */
  providerId: string;
  typeId: number;
  ownerTypeId: number;
  ownerId: number;
  subject: string;
  description: string;
  completed: boolean;
  direction: number | null;
  deadline: string | null;
  responsibleId: number;
  created: number;
  bindings: Array<{ entityTypeId: number; entityId: number }>;
  files: StoredFile[];
  /** Configurable-activity layout as posted. */
  layout: JsonValue | null;
  /** CALL_ID for telephony activities. */
  callId: string | null;
  originId: string | null;
  fields: Record<string, JsonValue>;
}

export type TimelineEntry =
  | { kind: 'comment'; id: number; created: number; authorId: number; comment: string; files: StoredFile[] }
  | { kind: 'logmessage'; id: number; created: number; authorId: number; title: string; text: string; iconCode: string }
  | { kind: 'activity'; id: number; created: number; activity: ActivityView };

/** `telephony.externalcall.*` state of one call. */
export interface ExternalCallView {
  callId: string;
  externalCallId: string | null;
  userId: number;
  phoneNumber: string;
  type: number;
  lineNumber: string | null;
  registeredAt: number;
  crmEntityType: 'CONTACT' | 'COMPANY' | 'LEAD' | null;
  crmEntityId: number | null;
  createdLeadId: number | null;
  show: boolean;
  addToChat: boolean;
  finished: boolean;
  duration: number | null;
  statusCode: string | null;
  failedReason: string | null;
  vote: number | null;
  activityId: number | null;
  record: StoredFile | null;
  /** Parameters of register and finish, as sent. */
  registerParams: Record<string, unknown>;
  finishParams: Record<string, unknown> | null;
}

export interface EventBindingView {
  id: number;
  event: string;
  handler: string;
  authType: number;
  offline: boolean;
}

export interface PlacementBindingView {
  id: number;
  placement: string;
  handler: string;
  title: string;
  description: string;
  groupName: string;
  langAll: Record<string, JsonValue>;
  options: Record<string, JsonValue>;
  userId: number;
}

export interface RobotView {
  code: string;
  handler: string;
  authUserId: number;
  /** 'Y' | 'N' | '' (empty waits like Y). */
  useSubscription: string;
  name: JsonValue;
  description: JsonValue;
  properties: Record<string, JsonValue>;
  returnProperties: Record<string, JsonValue>;
  documentType: JsonValue;
  filter: JsonValue;
  usePlacement: boolean;
  placementHandler: string | null;
}

/** The app page / placement POST result (what the browser would have shown). */
export interface AppPageResult {
  status: number | null;
  body: string;
  headers: Record<string, string>;
  appSid: string;
  /** Tokens that were posted as AUTH_ID / REFRESH_ID. */
  auth: TokenPair;
  record: OutboundPostRecord;
}
