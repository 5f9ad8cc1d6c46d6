import type { AttemptCompletedHook, ContactFinishedHook } from '../../context.js';
import type { Clock } from '../../core/clock.js';
import type { CampaignSettingsInput, PauseReason } from '../../core/campaign.js';
import type { AddResult, ContactInput } from '../../engine/campaigns/addContacts.js';
import type { Logger } from '../../log.js';
import type { OutboundHttp } from '../../net/outboundHttp.js';
import type { Db, Queryable } from '../../store/db.js';
import type { Attempt } from '../../store/repositories/attempts.js';
import type { Campaign } from '../../store/repositories/campaigns.js';

/**
 * The narrow ports the amoCRM adapter works through (src/crm/index.ts wires them from the app):
 * storage, time, logging, the outbound client, and the few engine use-cases it triggers. It never
 * sees the whole application context, Koa, or the voice platform.
 */
export interface CampaignPort {
  /** Creates a running campaign in the caller's transaction. */
  create(tx: Queryable, tenantId: string, input: { name: string; templateId: string; settings: CampaignSettingsInput }, trigger: 'widget' | 'pipeline' | 'selection'): Promise<Campaign>;
  /** Adds clients (normalised phones, variables, CRM reference) in the caller's transaction. */
  addContacts(tx: Queryable, campaign: Campaign, contacts: ContactInput[]): Promise<AddResult>;
  /** Pauses every running or scheduled campaign of the tenant for a reason (e-mails go out). */
  pauseAll(tx: Queryable, tenantId: string, reason: PauseReason, detail: string): Promise<number>;
  /** Resumes the campaigns paused for `reason` once the cause is gone. */
  resumeAll(tenantId: string, reason: PauseReason): Promise<void>;
  /** Completes every open campaign of the tenant (uninstall): open numbers are cancelled. */
  completeAll(tx: Queryable, tenantId: string, reason: 'uninstalled'): Promise<number>;
  /** Refreshes planner statistics after big intakes (PGlite runs no autovacuum). */
  analyze(): Promise<void>;
}

export interface AmoPorts {
  db: Db;
  log: Logger;
  clock: Clock;
  http: OutboundHttp;
  /** `keys.tokenEncryption`: seals tokens and the DP key at rest. */
  tokenKey: Buffer;
  publicUrl(): string;
  /** Identifies this process in leases. */
  workerId: string;
  campaigns: CampaignPort;
  /** The starter scenario and template for a new account, in its language. */
  seedStarter(tenantId: string, locale: 'ru' | 'en'): Promise<void>;
  /**
   * The link to a call's recording (the MP3 copy): permanent for the CRM's feed (ttlMs omitted),
   * expiring after `ttlMs` for a panel that plays it now.
   */
  recordingLink(a: Pick<Attempt, 'recordingId' | 'recordingMp3Id'>, ttlMs?: number): string | null;
  wake: { outbox(): void; dispatcher(): void };
  hooks: {
    attemptCompleted(h: AttemptCompletedHook): void;
    contactFinished(h: ContactFinishedHook): void;
    afterAttemptCompleted(h: (a: Attempt) => void): void;
  };
}
