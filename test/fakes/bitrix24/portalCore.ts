import { CrmStore } from './crm/store.js';
import { Chaos } from './chaos.js';
import { StageRegistry } from './crm/stages.js';
import { FileStore, TimelineStore } from './crm/timeline.js';
import { UserFieldRegistry } from './crm/userFields.js';
import { serverEndpointOf, type EmulatorCore, type PortalDirectoryEntry } from './emulatorCore.js';
import { newToken } from './ids.js';
import { DEFAULT_OPERATING, LeakyBucket, OperatingMeter, PLAN_LIMITS } from './rateLimiter.js';
import { RestError, errors } from './restError.js';
import type {
  AppDefinition,
  EventBindingView,
  ExternalCallView,
  FaultSpec,
  FrameMessageRecord,
  JsonValue,
  OutboundPostRecord,
  PlacementBindingView,
  PortalOptions,
  PortalPlan,
  PortalUser,
  RestCallRecord,
  RobotView,
  TokenPair,
  TriggerRun,
  TriggerView,
} from './types.js';
import type { WorkflowState } from './workflowState.js';

/** Who is calling: resolved from an OAuth access token or an incoming-webhook secret. */
export interface AuthContext {
  credential: 'oauth' | 'webhook';
  token: string;
  user: PortalUser;
  /** OAuth tokens of the app are "application context"; webhooks are not (brief §8). */
  appContext: boolean;
  /** Granted scopes; webhooks carry their own. */
  scopes: ReadonlySet<string>;
}

export interface WebhookRecord {
  userId: number;
  secret: string;
  scopes: Set<string>;
}

/** A harness render: one APP_SID with the data its frame asks for. */
export interface HarnessSession {
  appSid: string;
  userId: number;
  placement: string;
  placementOptions: JsonValue;
  handlerUrl: string;
  tokens: TokenPair;
  install: boolean;
  firstRun: boolean;
  lang: string;
  reloadAfterInstall: boolean;
}

interface FaultState extends FaultSpec {
  remaining: number;
}

/** Cost in seconds charged to `operating` per method when none is configured. */
function defaultCost(method: string): number {
  if (method === 'batch') return 0;
  if (method.startsWith('telephony.externalcall.attachrecord')) return 0.5;
  if (method.startsWith('telephony.')) return 0.2;
  if (method.endsWith('.list') || method.endsWith('.get') || method.endsWith('.items.get')) return 0.05;
  if (method.startsWith('crm.') || method.startsWith('bizproc.')) return 0.1;
  return 0.02;
}

/**
 * All state of one emulated portal. REST handlers and lifecycle helpers work on this; the public
 * `Portal` class is a typed facade over it.
 */
export class PortalCore implements PortalDirectoryEntry {
  readonly memberId: string;
  readonly lang: string;
  readonly plan: PortalPlan;
  /** Set when the portal's server listens. */
  domain = '';
  url = '';
  app: AppDefinition;
  readonly appState = {
    installed: false,
    uninstalled: false,
    applicationToken: newToken().slice(0, 32),
    /** Whether an admin already opened the app page (FIRST_RUN). */
    firstRunDone: false,
    installedAt: null as number | null,
  };
  accessTtlSeconds: number;
  readonly users = new Map<number, PortalUser>();
  readonly bucket: LeakyBucket;
  readonly operating: OperatingMeter;
  costScale: number;
  readonly methodCosts = new Map<string, number>();
  readonly #faults = new Map<string, FaultState[]>();
  readonly autoBindCallsToOpenDeals: boolean;

  readonly calls: RestCallRecord[] = [];
  readonly outbound: OutboundPostRecord[] = [];
  readonly frameMessages: FrameMessageRecord[] = [];
  readonly events: EventBindingView[] = [];
  readonly placements: PlacementBindingView[] = [];
  readonly robots = new Map<string, RobotView>();
  /** App triggers by CODE (crm.automation.trigger.*). */
  readonly triggers = new Map<string, TriggerView>();
  readonly triggerRuns: TriggerRun[] = [];
  readonly workflows = new Map<string, WorkflowState>();
  readonly stages = new StageRegistry();
  readonly userFields: UserFieldRegistry;
  readonly crm: CrmStore;
  readonly timeline = new TimelineStore();
  readonly files = new FileStore();
  readonly externalCalls = new Map<string, ExternalCallView>();
  readonly webhooks = new Map<string, WebhookRecord>();
  readonly appOptions: Record<string, JsonValue> = {};
  readonly userOptions = new Map<number, Record<string, JsonValue>>();
  readonly harnessSessions = new Map<string, HarnessSession>();
  /** Uploads announced by attachRecord without FILE_CONTENT (token → CALL_ID). */
  readonly pendingUploads = new Map<string, { callId: string; fileName: string }>();
  readonly pending = new Set<Promise<unknown>>();
  refreshCount = 0;
  /**
   * Raises a portal event (ONCRMDEALUPDATE, ...) toward bound handlers. Wired by the `Portal`
   * facade; REST handlers call it after CRM writes, as Bitrix24 does for the app's own changes.
   */
  emitEvent: (event: string, data: Record<string, unknown>, userId: number) => void = () => undefined;
  #seq = 0;
  #nextUserId = 1;
  #nextBindingId = 1;

  constructor(
    readonly emulator: EmulatorCore,
    app: AppDefinition,
    options: PortalOptions,
  ) {
    this.app = app;
    this.memberId = options.memberId ?? newToken().slice(0, 32);
    this.lang = options.lang ?? 'en';
    this.plan = options.plan ?? 'normal';
    this.accessTtlSeconds = options.accessTokenTtlSeconds ?? emulator.options.accessTokenTtlSeconds;
    this.bucket = new LeakyBucket(emulator.clock, options.rateLimit === undefined ? { ...PLAN_LIMITS[this.plan] } : options.rateLimit);
    this.operating = new OperatingMeter(
      emulator.clock,
      options.operatingLimit === null ? null : { ...DEFAULT_OPERATING, ...(options.operatingLimit ?? {}) },
    );
    this.costScale = options.costScale ?? 1;
    this.autoBindCallsToOpenDeals = options.autoBindCallsToOpenDeals ?? false;
    this.userFields = new UserFieldRegistry(this.lang);
    this.crm = new CrmStore(this.stages, this.userFields, this.lang === 'ru' ? 'RUB' : 'USD');
    this.addUser({
      name: options.admin?.name ?? 'Admin',
      lastName: options.admin?.lastName ?? 'Portal',
      email: options.admin?.email ?? 'admin@example.test',
      admin: true,
    });
  }

  get clientEndpoint(): string {
    return `${this.url}/rest/`;
  }

  get serverEndpoint(): string {
    return serverEndpointOf(this.emulator);
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  nextBindingId(): number {
    return this.#nextBindingId++;
  }

  now(): number {
    return this.emulator.clock.now();
  }

  addUser(init: Partial<Omit<PortalUser, 'id'>>): PortalUser {
    const id = this.#nextUserId++;
    const user: PortalUser = {
      id,
      name: init.name ?? `User ${id}`,
      lastName: init.lastName ?? '',
      email: init.email ?? `user${id}@example.test`,
      admin: init.admin ?? false,
      active: init.active ?? true,
      gender: init.gender ?? '',
      phoneInner: init.phoneInner ?? null,
      ...(init.crmAccess ? { crmAccess: { ...init.crmAccess } } : {}),
    };
    this.users.set(user.id, user);
    return user;
  }

  // ---- PortalDirectoryEntry (what the OAuth server sees) ----

  isAppInstalled(): boolean {
    return !this.appState.uninstalled;
  }

  scopeString(): string {
    return this.app.scope.join(',');
  }

  countRefresh(): void {
    this.refreshCount++;
  }

  appInfo(): Record<string, unknown> {
    const family = this.plan === 'enterprise' ? 'ent' : 'project';
    return {
      ID: 1,
      CODE: this.app.code,
      VERSION: this.app.version,
      STATUS: this.app.status,
      INSTALLED: this.appState.installed,
      PAYMENT_EXPIRED: 'N',
      DAYS: null,
      LANGUAGE_ID: this.lang,
      LICENSE: `${this.lang}_${family === 'ent' ? 'ent250' : 'project'}`,
      LICENSE_TYPE: family === 'ent' ? 'ent250' : 'project',
      LICENSE_FAMILY: family,
    };
  }

  // ---- tokens ----

  /** Issues a new token pair for a user of this portal's app. */
  issueTokens(userId: number): TokenPair {
    if (!this.users.has(userId)) throw new Error(`No user ${userId} on portal ${this.domain}`);
    const { access, refresh } = this.emulator.tokens.issue(
      this.memberId,
      userId,
      this.app.clientId,
      this.accessTtlSeconds,
      this.emulator.options.refreshTokenTtlSeconds,
    );
    return {
      accessToken: access.token,
      refreshToken: refresh.token,
      expires: Math.floor(access.expiresAt / 1000),
      expiresIn: this.accessTtlSeconds,
      userId,
      memberId: this.memberId,
      scope: this.scopeString(),
      domain: this.domain,
      clientEndpoint: this.clientEndpoint,
      serverEndpoint: this.serverEndpoint,
      applicationToken: this.appState.applicationToken,
      status: this.app.status,
    };
  }

  /** Resolves an access token to a caller, or the exact REST error a portal would answer. */
  authenticate(token: string | undefined): AuthContext | RestError {
    if (!token) return errors.noAuth();
    const rec = this.emulator.tokens.access(token);
    if (!rec || rec.memberId !== this.memberId) return errors.noAuth();
    if (rec.revoked === 'uninstalled' || rec.revoked === 'manual') return errors.noAuth();
    if (rec.revoked === 'refreshed') {
      return this.emulator.options.revokedTokenError === 'invalid_token' ? errors.invalidToken() : errors.expired();
    }
    if (rec.expiresAt <= this.now()) return errors.expired();
    const user = this.users.get(rec.userId);
    if (!user || !user.active) return errors.noAuth();
    return { credential: 'oauth', token, user, appContext: true, scopes: new Set(this.app.scope) };
  }

  authenticateWebhook(userId: number, secret: string): AuthContext | RestError {
    const hook = this.webhooks.get(secret);
    const user = this.users.get(userId);
    if (!hook || hook.userId !== userId || !user || !user.active) return errors.noAuth();
    return { credential: 'webhook', token: secret, user, appContext: false, scopes: hook.scopes };
  }

  // ---- limits, costs, faults ----

  costOf(method: string): number {
    return (this.methodCosts.get(method) ?? defaultCost(method)) * this.costScale;
  }

  operatingKey(auth: AuthContext | null, method: string): string {
    return `${auth?.credential === 'webhook' ? `hook:${auth.token}` : 'app'}|${method}`;
  }

  addFault(method: string, spec: FaultSpec): void {
    const key = method.toLowerCase();
    const list = this.#faults.get(key) ?? [];
    list.push({ ...spec, remaining: spec.times ?? 1 });
    this.#faults.set(key, list);
  }

  /** Random faults of a chaos run (see chaos.ts); null when the portal behaves. */
  chaos: Chaos | null = null;

  /** For a whole HTTP request: a pending fault for `method` (or `*`), or else the chaos's, if on. */
  takeRequestFault(method: string, params: Record<string, unknown> = {}): FaultSpec | undefined {
    return this.takeFault(method, params) ?? this.chaos?.next();
  }

  /** Consumes one pending fault for `method` (or `*`) whose `match` accepts these parameters, if any. */
  takeFault(method: string, params: Record<string, unknown> = {}): FaultSpec | undefined {
    for (const key of [method, '*']) {
      const list = this.#faults.get(key);
      const fault = list?.[0];
      if (!list || !fault || (fault.match && !fault.match(params))) continue;
      fault.remaining--;
      if (fault.remaining <= 0) list.shift();
      return fault;
    }
    return undefined;
  }

  clearFaults(): void {
    this.#faults.clear();
    this.chaos = null;
  }

  /** Keeps background deliveries (events) awaitable by `Portal.flush()`. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = () => this.pending.delete(promise);
    promise.then(done, done);
    return promise;
  }
}
