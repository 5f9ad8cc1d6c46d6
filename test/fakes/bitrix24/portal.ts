import type { Server } from 'node:http';
import { Chaos, type ChaosSpec, type ChaosStats } from './chaos.js';
import { deliverEvent, finishInstall, installApp, openPage, uninstallApp, type InstallResult } from './appLifecycle.js';
import { ENTITY_TYPE_ID } from './crm/fields.js';
import type { CrmRecord } from './crm/store.js';
import type { CategoryEntry, StageSeed } from './crm/stages.js';
import { userFieldRow } from './crm/userFields.js';
import { randomHex } from './ids.js';
import type { PortalCore } from './portalCore.js';
import { closeServer } from './http.js';
import type { OperatingLimitSettings, RateLimitSettings } from './rateLimiter.js';
import type {
  ActivityView,
  AppDefinition,
  AppPageResult,
  CompanySeed,
  ContactSeed,
  CrmEntityKind,
  DealSeed,
  EventBindingView,
  ExternalCallView,
  FaultSpec,
  FrameMessageRecord,
  JsonValue,
  LeadSeed,
  MultiFieldInput,
  OutboundKind,
  OutboundPostRecord,
  PlacementBindingView,
  PortalPlan,
  PortalUser,
  RestCallRecord,
  RobotView,
  StoredFile,
  TimelineEntry,
  TokenPair,
  TriggerRun,
  TriggerView,
  CrmAccessLevel,
} from './types.js';
import { Workflow, runRobot, type RunRobotOptions } from './workflows.js';

export type { InstallResult } from './appLifecycle.js';
export type { CategoryEntry, StageSeed } from './crm/stages.js';

/** Shape of b24jssdk's `B24OAuthParams`, ready for `new B24OAuth(params, secret)`. */
export interface B24OAuthParamsLike {
  applicationToken: string;
  userId: number;
  memberId: string;
  accessToken: string;
  refreshToken: string;
  expires: number;
  expiresIn: number;
  scope: string;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  status: AppDefinition['status'];
}

export interface OpenAppOptions {
  /** Who opens the page. Default 1 (the admin). */
  userId?: number;
  /** Override the URL (default: the app's handler path). */
  url?: string;
  lang?: string;
}

export interface HarnessUrlOptions {
  userId?: number;
  /** `DEFAULT` (app page or, before installation, the install page) or a bound placement code. */
  placement?: string;
  placementOptions?: JsonValue;
  /** Open this URL instead of the one the portal would choose. */
  handlerUrl?: string;
  lang?: string;
  /** After `installFinish()`, reload the frame with the handler path (as the portal does). */
  reloadAfterInstall?: boolean;
}

function multi(values: Array<string | MultiFieldInput> | undefined): Array<{ VALUE: string; VALUE_TYPE: string }> | undefined {
  return values?.map((v) => (typeof v === 'string' ? { VALUE: v, VALUE_TYPE: 'WORK' } : { VALUE: v.value, VALUE_TYPE: v.valueType ?? 'WORK' }));
}

function asJson(value: unknown): Record<string, JsonValue> {
  return value as Record<string, JsonValue>;
}

/**
 * One emulated Bitrix24 portal, reachable at `url` with its REST at `clientEndpoint`.
 * Seeding helpers write straight into the portal (no REST, no rate limit, no events); assertion
 * helpers read what the app did over HTTP.
 */
export class Portal {
  /** @internal */
  readonly core: PortalCore;
  readonly #server: Server;

  /** @internal Use `Bitrix24Emulator.createPortal()`. */
  constructor(core: PortalCore, server: Server) {
    this.core = core;
    this.#server = server;
    // Deliveries are tracked by the core (see flush()), so nothing is awaited here.
    core.emitEvent = (event, data, userId) => {
      void Promise.all(deliverEvent(core, event, data, userId));
    };
  }

  // ---------------------------------------------------------------- identity

  /** `127.0.0.1:<port>` — what Bitrix24 calls DOMAIN. */
  get domain(): string {
    return this.core.domain;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.core.url;
  }

  /** `http://127.0.0.1:<port>/rest/` */
  get clientEndpoint(): string {
    return this.core.clientEndpoint;
  }

  /** The OAuth server's REST endpoint (`http://127.0.0.1:<oauthPort>/rest/`). */
  get serverEndpoint(): string {
    return this.core.serverEndpoint;
  }

  get memberId(): string {
    return this.core.memberId;
  }

  get plan(): PortalPlan {
    return this.core.plan;
  }

  get app(): Readonly<AppDefinition> {
    return this.core.app;
  }

  /** Changes the app registration (e.g. handler URLs once the app server's port is known). */
  setApp(changes: Partial<AppDefinition>): void {
    this.core.app = { ...this.core.app, ...changes };
  }

  /** `application_token` of the current installation (changes on reinstall). */
  get applicationToken(): string {
    return this.core.appState.applicationToken;
  }

  /** True after installFinish (or a script-only install) until uninstall. */
  get installed(): boolean {
    return this.core.appState.installed;
  }

  /** Successful `grant_type=refresh_token` exchanges for this portal so far. */
  get refreshCount(): number {
    return this.core.refreshCount;
  }

  // ---------------------------------------------------------------- users and credentials

  addUser(init: Partial<Omit<PortalUser, 'id'>> = {}): PortalUser {
    return this.core.addUser(init);
  }

  user(id: number): PortalUser | undefined {
    return this.core.users.get(id);
  }

  /** Changes what a user's CRM role lets them read (see crm/access.ts); unset entities read everything. */
  setCrmAccess(userId: number, access: Partial<Record<CrmEntityKind, CrmAccessLevel>>): void {
    const user = this.core.users.get(userId);
    if (!user) throw new Error(`No user ${userId}`);
    user.crmAccess = { ...(user.crmAccess ?? {}), ...access };
  }

  /** Issues a fresh token pair for a user, as an install or an app page would. */
  issueTokens(userId = 1): TokenPair {
    return this.core.issueTokens(userId);
  }

  /** A fresh token pair shaped as b24jssdk's `B24OAuthParams`. */
  oauthParams(userId = 1): B24OAuthParamsLike {
    const t = this.core.issueTokens(userId);
    return {
      applicationToken: t.applicationToken,
      userId: t.userId,
      memberId: t.memberId,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expires: t.expires,
      expiresIn: t.expiresIn,
      scope: t.scope,
      domain: t.domain,
      clientEndpoint: t.clientEndpoint,
      serverEndpoint: t.serverEndpoint,
      status: t.status,
    };
  }

  /** Expires every access token of the portal now; the next call gets 401 `expired_token`. */
  expireAllTokens(): number {
    return this.core.emulator.tokens.expireAll(this.core.memberId);
  }

  /** Changes the lifetime of tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void {
    this.core.accessTtlSeconds = seconds;
  }

  /** A one-time code (30 s) for `grant_type=authorization_code`; or use `GET <url>/oauth/authorize/`. */
  authorizationCode(userId = 1): string {
    return this.core.emulator.tokens.issueCode(this.core.memberId, userId, this.core.app.clientId).code;
  }

  /** An incoming webhook `http://127.0.0.1:<port>/rest/<user>/<secret>/` (no application context). */
  createWebhook(userId = 1, scopes: string[] = ['crm', 'bizproc', 'placement', 'telephony', 'user', 'user_brief']): { url: string; secret: string } {
    const secret = randomHex(8);
    this.core.webhooks.set(secret, { userId, secret, scopes: new Set(scopes) });
    return { url: `${this.core.url}/rest/${userId}/${secret}/`, secret };
  }

  // ---------------------------------------------------------------- limits and faults

  /** Leaky bucket settings; `null` turns rate limiting off. */
  setRateLimit(settings: RateLimitSettings | null): void {
    this.core.bucket.settings = settings;
    this.core.bucket.reset();
  }

  /** Operating-time limit; `null` turns it off. */
  setOperatingLimit(settings: Partial<OperatingLimitSettings> | null): void {
    this.core.operating.settings = settings === null ? null : { limitSeconds: 480, windowSeconds: 600, ...settings };
  }

  /** Simulated execution seconds of one call of `method` (before `costScale`). */
  setMethodCost(method: string, seconds: number): void {
    this.core.methodCosts.set(method.toLowerCase(), seconds);
  }

  /** Multiplies all simulated costs (0 = free calls). */
  setCostScale(scale: number): void {
    this.core.costScale = scale;
  }

  /** Empties the bucket and the operating counters. */
  resetLimits(): void {
    this.core.bucket.reset();
    this.core.operating.reset();
  }

  /** Current operating seconds of a method for the app's OAuth calls. */
  operatingUsage(method: string): { operating: number; resetAt: number } {
    return this.core.operating.usage(this.core.operatingKey(null, method.toLowerCase()));
  }

  /** Current leaky-bucket settings (null = off). */
  get rateLimit(): RateLimitSettings | null {
    return this.core.bucket.settings;
  }

  /** Current leaky-bucket level. */
  get bucketLevel(): number {
    return this.core.bucket.level;
  }

  /** Random 5xx and bursts of 503/429 on REST requests from now on (chaos runs); null turns it off. */
  setChaos(spec: ChaosSpec | null): void {
    this.core.chaos = spec ? new Chaos(spec) : null;
  }

  /** What the chaos injected so far. */
  chaosStats(): ChaosStats | undefined {
    return this.core.chaos ? { ...this.core.chaos.stats } : undefined;
  }

  /** Makes the next `fault.times` calls of `method` (or `*`) fail; see `FaultSpec`. */
  failNext(method: string, fault: FaultSpec = {}): void {
    this.core.addFault(method, fault);
  }

  clearFaults(): void {
    this.core.clearFaults();
  }

  // ---------------------------------------------------------------- app lifecycle

  /** The admin installs the app (install page opened, or ONAPPINSTALL posted for script-only apps). */
  installApp(options: { userId?: number; lang?: string } = {}): Promise<InstallResult> {
    return installApp(this.core, options.userId ?? 1, options.lang);
  }

  /**
   * What `BX24.installFinish()` does from the install page: marks the app installed and fires
   * ONAPPINSTALL. Browser tests reach the same through the harness page.
   */
  installFinish(userId = 1): Promise<OutboundPostRecord[]> {
    return finishInstall(this.core, userId);
  }

  /**
   * Opens the app's main page (handler path) as `userId`: the POST a portal makes into its frame.
   * Before installation finished only administrators get the page; other users see the portal's
   * "not fully installed" notice, so this throws for them.
   */
  openApp(options: OpenAppOptions = {}): Promise<AppPageResult> {
    const userId = options.userId ?? 1;
    if (!this.core.appState.installed && !this.core.users.get(userId)?.admin) {
      return Promise.reject(new Error('The application is not fully installed yet (only administrators can open it)'));
    }
    return openPage(this.core, {
      kind: 'app',
      url: options.url ?? this.core.app.handlerUrl,
      userId,
      placement: 'DEFAULT',
      placementOptions: [],
      ...(options.lang ? { lang: options.lang } : {}),
    });
  }

  /** Opens a bound placement (deal tab, list menu, ...) with `PLACEMENT_OPTIONS`. */
  openPlacement(placement: string, placementOptions: JsonValue = {}, options: OpenAppOptions = {}): Promise<AppPageResult> {
    if (!this.core.appState.installed) throw new Error('Widgets stay hidden until the app finished installation');
    const code = placement.toUpperCase();
    const binding = this.core.placements.find((p) => p.placement === code);
    if (!binding && !options.url) throw new Error(`Nothing is bound to placement ${code}`);
    return openPage(this.core, {
      kind: 'placement',
      url: options.url ?? binding?.handler ?? '',
      userId: options.userId ?? 1,
      placement: code,
      placementOptions,
      ...(options.lang ? { lang: options.lang } : {}),
    });
  }

  /** Uninstalls the app: tokens revoked, bindings removed, ONAPPUNINSTALL delivered. */
  uninstallApp(options: { clean?: boolean } = {}): Promise<OutboundPostRecord[]> {
    return uninstallApp(this.core, options.clean ?? false);
  }

  /** Raises an event toward bound handlers (after installation only); see `flush()`. */
  emitEvent(event: string, data: Record<string, JsonValue> = {}, options: { userId?: number } = {}): Promise<OutboundPostRecord[]> {
    return Promise.all(deliverEvent(this.core, event, data, options.userId ?? 1));
  }

  /** Waits for every in-flight event delivery. */
  async flush(): Promise<void> {
    while (this.core.pending.size > 0) await Promise.allSettled([...this.core.pending]);
  }

  eventBindings(): EventBindingView[] {
    return this.core.events.map((b) => ({ ...b }));
  }

  placementBindings(): PlacementBindingView[] {
    return this.core.placements.map((p) => ({ ...p }));
  }

  // ---------------------------------------------------------------- robots

  robots(): RobotView[] {
    return [...this.core.robots.values()].map((r) => ({ ...r }));
  }

  /** Starts a workflow that reaches robot `code` for a document and POSTs to its HANDLER. */
  runRobot(options: RunRobotOptions): Promise<Workflow> {
    return runRobot(this.core, options);
  }

  workflows(): Workflow[] {
    return [...this.core.workflows.values()].map((s) => new Workflow(s, this.core));
  }

  /** App triggers registered with crm.automation.trigger.add. */
  triggers(): TriggerView[] {
    return [...this.core.triggers.values()].map((t) => ({ ...t }));
  }

  /** Every crm.automation.trigger.execute the portal accepted, oldest first (optionally of one code). */
  triggerRuns(code?: string): TriggerRun[] {
    return this.core.triggerRuns.filter((r) => code === undefined || r.code === code).map((r) => ({ ...r }));
  }

  // ---------------------------------------------------------------- browser harness

  /** URL of the portal page that frames the app for browser tests (see frameHarness.ts). */
  harnessUrl(options: HarnessUrlOptions = {}): string {
    const url = new URL('/harness', this.core.url);
    if (options.userId !== undefined) url.searchParams.set('user', String(options.userId));
    if (options.placement) url.searchParams.set('placement', options.placement);
    if (options.placementOptions !== undefined) url.searchParams.set('options', JSON.stringify(options.placementOptions));
    if (options.handlerUrl) url.searchParams.set('handler', options.handlerUrl);
    if (options.lang) url.searchParams.set('lang', options.lang);
    if (options.reloadAfterInstall) url.searchParams.set('reloadAfterInstall', '1');
    return url.toString();
  }

  /** postMessages received from app frames, optionally of one command. */
  frameMessages(command?: string): FrameMessageRecord[] {
    return this.core.frameMessages.filter((m) => command === undefined || m.command === command);
  }

  /** Options saved by the frame through `setAppOption`. */
  get appOptions(): Readonly<Record<string, JsonValue>> {
    return this.core.appOptions;
  }

  // ---------------------------------------------------------------- CRM seeding

  addContact(seed: ContactSeed = {}): number {
    return this.#create('contact', {
      NAME: seed.name ?? '',
      LAST_NAME: seed.lastName ?? '',
      ...(seed.secondName !== undefined ? { SECOND_NAME: seed.secondName } : {}),
      ...(seed.companyId !== undefined ? { COMPANY_ID: seed.companyId } : {}),
      ...(seed.assignedById !== undefined ? { ASSIGNED_BY_ID: seed.assignedById } : {}),
      PHONE: multi(seed.phones),
      EMAIL: multi(seed.emails),
      ...(seed.fields ?? {}),
    }, seed.assignedById);
  }

  addCompany(seed: CompanySeed): number {
    return this.#create('company', { TITLE: seed.title, PHONE: multi(seed.phones), EMAIL: multi(seed.emails), ...(seed.fields ?? {}) }, seed.assignedById);
  }

  addDeal(seed: DealSeed = {}): number {
    return this.#create('deal', this.#dealInput(seed), seed.assignedById);
  }

  addLead(seed: LeadSeed = {}): number {
    return this.#create('lead', {
      ...(seed.title !== undefined ? { TITLE: seed.title } : {}),
      NAME: seed.name ?? '',
      LAST_NAME: seed.lastName ?? '',
      ...(seed.status !== undefined ? { STATUS_ID: seed.status } : {}),
      PHONE: multi(seed.phones),
      EMAIL: multi(seed.emails),
      ...(seed.fields ?? {}),
    }, seed.assignedById);
  }

  /**
   * Bulk seeding (100,000 deals in well under a second): `make(i)` gives each deal's seed,
   * `i` from 0. Returns the id range.
   */
  seedDeals(count: number, make: (i: number) => DealSeed = (i) => ({ title: `Deal ${i + 1}` })): { firstId: number; lastId: number } {
    let firstId = 0;
    let lastId = 0;
    const ctx = { userId: 1, now: this.core.now() };
    for (let i = 0; i < count; i++) {
      const seed = make(i);
      const rec = this.core.crm.create('deal', this.#dealInput(seed), { ...ctx, userId: seed.assignedById ?? 1 });
      if (i === 0) firstId = rec.id;
      lastId = rec.id;
    }
    return { firstId, lastId };
  }

  /** A user edits a deal in the UI: fields change and ONCRMDEALUPDATE fires (if bound). */
  updateDeal(id: number, fields: Record<string, JsonValue>, options: { userId?: number; emitEvent?: boolean } = {}): void {
    const rec = this.#get('deal', id);
    this.core.crm.apply(rec, fields, { userId: options.userId ?? 1, now: this.core.now() }, false);
    if (options.emitEvent ?? true) void Promise.all(deliverEvent(this.core, 'ONCRMDEALUPDATE', { FIELDS: { ID: id } }, options.userId ?? 1));
  }

  /** A new deal pipeline; its stages are `C<id>:<STATUS>`. */
  addDealCategory(name: string, stages?: StageSeed[]): CategoryEntry {
    return this.core.stages.addDealCategory(name, stages);
  }

  /** Creates a custom field as crm.<kind>.userfield.add would; returns its row (with LIST ids). */
  addUserField(kind: CrmEntityKind, fields: Record<string, JsonValue>): Record<string, JsonValue> {
    return asJson(userFieldRow(this.core.userFields.add(kind, fields)));
  }

  userFields(kind: CrmEntityKind): Array<Record<string, JsonValue>> {
    return this.core.userFields.list(kind).map((d) => asJson(userFieldRow(d)));
  }

  // ---------------------------------------------------------------- CRM reads

  /** The deal as `crm.deal.get` prints it (all fields, every UF), or undefined. */
  deal(id: number): Record<string, JsonValue> | undefined {
    return this.#view('deal', id);
  }

  lead(id: number): Record<string, JsonValue> | undefined {
    return this.#view('lead', id);
  }

  contact(id: number): Record<string, JsonValue> | undefined {
    return this.#view('contact', id);
  }

  company(id: number): Record<string, JsonValue> | undefined {
    return this.#view('company', id);
  }

  /** Contact ids bound to a deal, primary first. */
  dealContacts(id: number): number[] {
    return [...this.#get('deal', id).contactIds];
  }

  count(kind: CrmEntityKind): number {
    return this.core.crm.tables[kind].size;
  }

  /** Timeline of a CRM item: comments, log messages and bound activities, oldest first. */
  timeline(kind: CrmEntityKind, id: number): TimelineEntry[] {
    return this.core.timeline.entriesFor(ENTITY_TYPE_ID[kind], id);
  }

  activities(): ActivityView[] {
    return [...this.core.timeline.activities.values()];
  }

  externalCalls(): ExternalCallView[] {
    return [...this.core.externalCalls.values()];
  }

  externalCall(callId: string): ExternalCallView | undefined {
    return this.core.externalCalls.get(callId);
  }

  files(): StoredFile[] {
    return this.core.files.all();
  }

  // ---------------------------------------------------------------- recordings

  /** REST calls received (batch sub-calls included), optionally of one method (case-insensitive). */
  calls(method?: string): RestCallRecord[] {
    const name = method?.toLowerCase();
    return this.core.calls.filter((c) => name === undefined || c.method === name).sort((a, b) => a.seq - b.seq);
  }

  /** POSTs the portal made to the app, optionally of one kind. */
  outbound(kind?: OutboundKind): OutboundPostRecord[] {
    return this.core.outbound.filter((r) => kind === undefined || r.kind === kind);
  }

  /** @internal */
  async close(): Promise<void> {
    await this.flush();
    await closeServer(this.#server);
  }

  #dealInput(seed: DealSeed): Record<string, unknown> {
    return {
      ...(seed.title !== undefined ? { TITLE: seed.title } : {}),
      ...(seed.categoryId !== undefined ? { CATEGORY_ID: seed.categoryId } : {}),
      ...(seed.stage !== undefined ? { STAGE_ID: seed.stage } : {}),
      ...(seed.contactIds !== undefined ? { CONTACT_IDS: seed.contactIds } : {}),
      ...(seed.companyId !== undefined ? { COMPANY_ID: seed.companyId } : {}),
      ...(seed.opportunity !== undefined ? { OPPORTUNITY: seed.opportunity } : {}),
      ...(seed.currency !== undefined ? { CURRENCY_ID: seed.currency } : {}),
      ...(seed.assignedById !== undefined ? { ASSIGNED_BY_ID: seed.assignedById } : {}),
      ...(seed.fields ?? {}),
    };
  }

  #create(kind: CrmEntityKind, input: Record<string, unknown>, userId: number | undefined): number {
    const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    return this.core.crm.create(kind, clean, { userId: userId ?? 1, now: this.core.now() }).id;
  }

  #get(kind: CrmEntityKind, id: number): CrmRecord {
    const rec = this.core.crm.get(kind, id);
    if (!rec) throw new Error(`No ${kind} ${id}`);
    return rec;
  }

  #view(kind: CrmEntityKind, id: number): Record<string, JsonValue> | undefined {
    const rec = this.core.crm.get(kind, id);
    return rec ? asJson(this.core.crm.getView(rec)) : undefined;
  }
}
