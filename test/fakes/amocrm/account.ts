import crypto from 'node:crypto';
import { unzipSync } from 'fflate';
import type { Server } from 'node:http';
import type { EmulatorClock } from './clock.js';
import { encodeForm, sendHook } from './hooks.js';
import { closeServer } from './http.js';
import { mintWidgetToken, newJti, type WidgetTokenClaims } from './jwt.js';
import type { OAuthStore, TokenPair } from './oauth.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitSettings } from './rateLimit.js';
import { AccountStore, type ContactSeed, type LeadSeed, type UserSeed } from './store.js';
import type { ApiRequestRecord, HookRecord, IntegrationDefinition, Lead, Note, Platform } from './types.js';

/** A fault for the next matching API request. */
export type Fault =
  /** Answer this status (and body) instead of handling the request. */
  | { status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  /** Handle the request, then drop the connection: the change is made, the answer is lost. */
  | { drop: true }
  /** Handle it, but answer only after this long (a slow account, a timeout). */
  | { delayMs: number };

export interface FaultMatcher {
  method?: string;
  path?: RegExp | string;
}

export interface AccountOptions {
  platform?: Platform;
  subdomain?: string;
  name?: string;
  /** Account language (amoCRM: ru; Kommo: en). */
  lang?: string;
  /** `null` turns the limit off (seeding big accounts); default 7/s, burst 7. */
  rateLimit?: Partial<RateLimitSettings> | null;
  admin?: { name?: string; email?: string };
  accountId?: number;
}

/** Everything the account's HTTP server and the test-facing `Account` share. */
export class AccountCore {
  readonly store: AccountStore;
  readonly limiter: RateLimiter;
  readonly requests: ApiRequestRecord[] = [];
  readonly hooks: HookRecord[] = [];
  readonly faults: { match: FaultMatcher; fault: Fault }[] = [];
  /** The widget archive uploaded for each integration (file name → bytes), served to the harness pages. */
  readonly widgetArchives = new Map<string, Record<string, Uint8Array>>();
  /** What the Digital Pipeline action form last saved, by integration. */
  readonly dpSettings = new Map<string, Record<string, string>>();
  url = '';
  private seq = 0;

  constructor(
    readonly clock: EmulatorClock,
    readonly oauth: OAuthStore,
    readonly integrations: Map<string, IntegrationDefinition>,
    readonly id: number,
    readonly platform: Platform,
    /** Changes when the account is renamed (`Account.rename`). */
    public subdomain: string,
    readonly name: string,
    readonly lang: string,
    o: AccountOptions,
  ) {
    this.store = new AccountStore(clock, id, { name: o.admin?.name ?? 'Admin', email: o.admin?.email ?? `admin@${subdomain}.example`, lang });
    this.limiter = new RateLimiter(clock, o.rateLimit === null ? null : { ...DEFAULT_RATE_LIMIT, ...(o.rateLimit ?? {}) });
  }

  /** `127.0.0.1:<port>` — what `referer` and the JWT's `iss` name (a real account: acme.amocrm.ru). */
  get host(): string {
    return this.url.replace(/^https?:\/\//, '');
  }

  takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => (!f.match.method || f.match.method === method) && (!f.match.path || (typeof f.match.path === 'string' ? path.startsWith(f.match.path) : f.match.path.test(path))));
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0]!.fault;
  }

  record(r: Omit<ApiRequestRecord, 'seq' | 'at'>): ApiRequestRecord {
    const rec = { ...r, seq: ++this.seq, at: this.clock.now() };
    this.requests.push(rec);
    return rec;
  }
}

/** One amoCRM / Kommo account on its own port; what tests seed, drive and inspect. */
export class Account {
  private readonly servers: Server[];

  constructor(
    readonly core: AccountCore,
    server: Server,
    private readonly listen: () => Promise<{ server: Server; url: string }>,
  ) {
    this.servers = [server];
  }

  /**
   * The administrator renames the account's subdomain (gotcha 16): it answers on a new address from
   * now on; the old one knows it no more (401 on the API, 404 at the OAuth endpoint).
   */
  async rename(subdomain: string): Promise<void> {
    const { server, url } = await this.listen();
    this.servers.push(server);
    this.core.url = url;
    this.core.subdomain = subdomain;
  }

  get id(): number {
    return this.core.id;
  }
  get platform(): Platform {
    return this.core.platform;
  }
  get subdomain(): string {
    return this.core.subdomain;
  }
  /** `http://127.0.0.1:<port>`: the account's address (API base and `iss`). */
  get url(): string {
    return this.core.url;
  }
  /** `127.0.0.1:<port>`: what the install redirect passes as `referer`. */
  get referer(): string {
    return this.core.host;
  }
  get store(): AccountStore {
    return this.core.store;
  }

  // --- seeding and reading the CRM ------------------------------------------------------------
  addUser(u: UserSeed): number {
    return this.store.addUser(u);
  }
  addContact(c: ContactSeed): number {
    return this.store.addContact(c);
  }
  addLead(l: LeadSeed): number {
    return this.store.addLead(l);
  }
  /** A lead with one contact having these phones. */
  addLeadWithPhones(name: string, phones: string[], o: Omit<LeadSeed, 'contacts' | 'name'> & { contactName?: string } = {}): number {
    const contact = this.addContact({ name: o.contactName ?? name.split(' ')[0] ?? name, phones });
    return this.addLead({ ...o, name, contacts: [contact] });
  }
  addPipeline(name: string, stages: string[]): number {
    return this.store.addPipeline(name, stages);
  }
  addField(f: Parameters<AccountStore['addField']>[0]): number {
    return this.store.addField(f);
  }
  lead(id: number): Lead | undefined {
    return this.store.leads.get(id);
  }
  /** The lead's tag names. */
  tags(leadId: number): string[] {
    return (this.lead(leadId)?.tags ?? []).map((id) => this.store.tags.get(id)!.name);
  }
  notes(leadId?: number, type?: string): Note[] {
    return [...this.store.notes.values()].filter((n) => (leadId === undefined || n.entity_id === leadId) && (!type || n.note_type === type));
  }
  fieldValue(leadId: number, fieldId: number): unknown[] | undefined {
    return this.lead(leadId)?.custom_fields_values?.find((v) => v.field_id === fieldId)?.values.map((v) => v.enum_id ?? v.value);
  }
  /** A person moves the lead (what the stage re-read must notice). */
  moveLead(id: number, statusId: number, pipelineId?: number): void {
    const l = this.lead(id)!;
    l.status_id = statusId;
    if (pipelineId) l.pipeline_id = pipelineId;
    l.updated_at = this.store.now();
  }

  // --- limits and faults -----------------------------------------------------------------------
  get limiter(): RateLimiter {
    return this.core.limiter;
  }
  /** The next `n` API requests are refused with 429 (other integrations used the budget up). */
  burst429(n: number): void {
    this.core.limiter.forced429 += n;
  }
  failNext(match: FaultMatcher, fault: Fault): void {
    this.core.faults.push({ match, fault });
  }
  requests(since = 0): ApiRequestRecord[] {
    return this.core.requests.filter((r) => r.seq > since);
  }
  get lastRequestSeq(): number {
    return this.core.requests.at(-1)?.seq ?? 0;
  }

  // --- OAuth, install, uninstall ---------------------------------------------------------------
  private integration(clientId: string): IntegrationDefinition {
    const i = this.core.integrations.get(clientId);
    if (!i) throw new Error(`unknown integration ${clientId}`);
    return i;
  }

  /** A fresh authorization code for the integration (what the OAuth button flow yields). */
  authorizationCode(clientId: string, userId = 1): string {
    return this.core.oauth.issueCode(this.id, clientId, userId);
  }

  /**
   * An admin presses Install: amoCRM GETs the redirect URI once with `code`, `referer`,
   * `client_id`, `from_widget` (and `state` if given), allowing 3 s, ignoring the answer.
   */
  async install(clientId: string, o: { userId?: number; state?: string; fromWidget?: boolean; timeoutMs?: number } = {}): Promise<HookRecord & { body: string }> {
    const integ = this.integration(clientId);
    const url = new URL(integ.redirectUri);
    url.searchParams.set('code', this.authorizationCode(clientId, o.userId ?? 1));
    url.searchParams.set('referer', this.referer);
    url.searchParams.set('client_id', clientId);
    if (o.fromWidget ?? true) url.searchParams.set('from_widget', '1');
    if (o.state) url.searchParams.set('state', o.state);
    const rec = await sendHook('install', url.toString(), { headers: { 'user-agent': 'amoCRM-oAuth-client/1.0' } }, o.timeoutMs ?? 3000);
    this.core.hooks.push(rec);
    return rec;
  }

  /**
   * The integration is switched off: its tokens are revoked and the disable hook gets
   * `client_uuid`, `account_id`, `signature` = hex HMAC-SHA256(client_id|account_id, secret).
   */
  async uninstall(clientId: string, o: { signature?: string; accountId?: number; revoke?: boolean } = {}): Promise<HookRecord & { body: string }> {
    const integ = this.integration(clientId);
    if (o.revoke ?? true) this.core.oauth.revokeIntegration(this.id, clientId);
    if (!integ.uninstallUrl) throw new Error('the integration has no disable hook');
    const accountId = o.accountId ?? this.id;
    const signature = o.signature ?? crypto.createHmac('sha256', integ.clientSecret).update(`${clientId}|${accountId}`).digest('hex');
    const url = new URL(integ.uninstallUrl);
    url.searchParams.set('client_uuid', clientId);
    url.searchParams.set('account_id', String(accountId));
    url.searchParams.set('signature', signature);
    const rec = await sendHook('uninstall', url.toString(), { headers: { 'user-agent': 'amoService-oAuth-Code-Sender/1.0' } }, 3000);
    this.core.hooks.push(rec);
    return rec;
  }

  /** Tokens of the integration that still work (0 after a revoke, 1 while installed). */
  liveGrants(clientId?: string): number {
    return this.core.oauth.liveGrants(this.id, clientId).length;
  }
  /** Access tokens of this account expire now (refresh tokens keep working). */
  expireAccessTokens(): void {
    this.core.oauth.expireAccessTokens(this.id);
  }
  /** Exchanges a code directly (a test playing another integration). */
  exchange(clientId: string, code: string): TokenPair | { status: number } {
    return this.core.oauth.exchangeCode(this.id, clientId, code);
  }

  // --- the widget ------------------------------------------------------------------------------
  /** Uploads `widget.zip` for the integration (what a developer does on the integration's page). */
  uploadWidget(clientId: string, zip: Uint8Array): void {
    this.core.widgetArchives.set(this.integration(clientId).clientId, unzipSync(zip));
  }

  /** A page of the account hosting the widget (browser tests): see harness/harness.ts. */
  harnessUrl(clientId: string, o: { area: 'lcard' | 'llist' | 'settings' | 'advanced_settings' | 'digital_pipeline'; lead?: number; selected?: number[]; user?: number; lang?: string; template?: string }): string {
    const q = new URLSearchParams({ client: clientId, area: o.area });
    if (o.lead) q.set('lead', String(o.lead));
    if (o.selected) q.set('selected', o.selected.join(','));
    if (o.user) q.set('user', String(o.user));
    if (o.lang) q.set('lang', o.lang);
    if (o.template) q.set('template', o.template);
    return `${this.url}/harness?${q.toString()}`;
  }

  /** What the Digital Pipeline action form saved last (the trigger's settings). */
  dpSettings(clientId: string): Record<string, string> | undefined {
    return this.core.dpSettings.get(clientId);
  }

  /** The `X-Auth-Token` amoCRM would attach to a widget request of `userId`; overrides forge. */
  widgetToken(clientId: string, o: { userId?: number; claims?: Partial<WidgetTokenClaims>; secret?: string; omit?: (keyof WidgetTokenClaims)[]; algorithm?: 'HS256' | 'HS512' } = {}): string {
    const integ = this.integration(clientId);
    const now = this.core.clock.nowSeconds();
    const userId = o.userId ?? 1;
    const claims: WidgetTokenClaims = {
      iss: this.url,
      aud: new URL(integ.redirectUri).origin,
      jti: newJti(),
      iat: now,
      nbf: now,
      exp: now + 1800,
      account_id: this.id,
      user_id: userId,
      subdomain: this.subdomain,
      client_uuid: clientId,
      is_admin: this.store.users.get(userId)?.is_admin ?? false,
      ...(o.claims ?? {}),
    };
    return mintWidgetToken(o.secret ?? integ.clientSecret, claims, { ...(o.omit ? { omit: o.omit } : {}), ...(o.algorithm ? { algorithm: o.algorithm } : {}) });
  }

  /**
   * A lead enters a stage where the widget's Digital Pipeline action is set up: amoCRM POSTs the
   * event and that trigger's settings to `manifest.dp.webhook_url`, once, JSON or form-encoded.
   */
  async fireDp(clientId: string, o: { leadId: number; settings: Record<string, string>; encoding?: 'json' | 'form'; typeCode?: string; eventTime?: number; statusId?: number; direction?: string }): Promise<HookRecord & { body: string }> {
    const integ = this.integration(clientId);
    if (!integ.dpWebhookUrl) throw new Error('the widget has no dp.webhook_url');
    const lead = this.lead(o.leadId);
    const payload = {
      event: {
        type: o.typeCode === 'lead_appeared_in_status' ? 15 : 14,
        type_code: o.typeCode ?? 'lead_status_changed',
        data: { id: o.leadId, element_type: 2, status_id: o.statusId ?? lead?.status_id ?? 0, pipeline_id: lead?.pipeline_id ?? 0, direction_of_movement: o.direction ?? 'went_to_trigger' },
        time: o.eventTime ?? this.core.clock.nowSeconds(),
      },
      action: { code: integ.widgetCode, settings: { widget: { settings: o.settings } } },
      subdomain: this.subdomain,
      account_id: this.id,
    };
    const form = (o.encoding ?? 'json') === 'form';
    const rec = await sendHook(
      'dp',
      integ.dpWebhookUrl,
      {
        method: 'POST',
        headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json', 'user-agent': 'amoCRM-Webhooks/3.0' },
        body: form ? encodeForm(payload) : JSON.stringify(payload),
      },
      2000,
    );
    this.core.hooks.push(rec);
    return rec;
  }

  hooks(kind?: HookRecord['kind']): HookRecord[] {
    return this.core.hooks.filter((h) => !kind || h.kind === kind);
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => closeServer(s)));
  }
}
