import type { Config } from './config.js';
import type { Clock } from './core/clock.js';
import type { Db, Queryable } from './store/db.js';
import type { RecordingStorage } from './store/recordingStorage.js';
import type { Attempt } from './store/repositories/attempts.js';
import type { Logger } from './log.js';
import type { OutboundHttp } from './net/outboundHttp.js';
import type { VoicePlatforms } from './voice/registry.js';
import type { CalleeZoneLookup } from './engine/calleeZones.js';
import type { EventHub } from './engine/events/eventHub.js';
import type { AuthThrottle } from './engine/auth/throttle.js';

/** Subkeys derived from the master key, one per purpose. */
export interface Keys {
  session: Buffer;
  recordingUrl: Buffer;
  voiceCallback: Buffer;
  tokenEncryption: Buffer;
  webhook: Buffer;
  apiKey: Buffer;
}

/**
 * Runs inside the transaction that completes an attempt: whatever must never be lost with the
 * outcome (campaign bookkeeping, the CRM write-back outbox) is written here, atomically with it.
 */
export type AttemptCompletedHook = (tx: Queryable, attempt: Attempt) => Promise<void>;

/** A campaign contact is finished: reached, not reached after every attempt, or cancelled. */
export interface ContactFinished {
  tenantId: string;
  campaignId: string;
  contactId: string;
  status: 'reached' | 'unreached' | 'cancelled';
  crm: Record<string, unknown> | null;
}
export type ContactFinishedHook = (tx: Queryable, finished: ContactFinished) => Promise<void>;

export type TemplateChange = 'created' | 'updated' | 'deleted';
export type TemplateChangedHook = (tx: Queryable, change: { tenantId: string; templateId: string; name: string; kind: TemplateChange }) => Promise<void>;

/** The services the composition root (src/main.ts) builds once and hands to HTTP and workers. */
export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  keys: Keys;
  storage: RecordingStorage;
  /** The one client for requests to addresses others chose (CRMs, webhooks, platforms): src/net. */
  outbound: OutboundHttp;
  /** The configured voice platforms; `voice.defaultName` is VOICE_PLATFORM. */
  voice: VoicePlatforms;
  /** The base URL CRMs and platforms reach us at (known once the server listens). */
  publicUrl(): string;
  /** The standalone console's own tenant. */
  consoleTenantId: string;
  /** Identifies this process in leases (host:pid:random). */
  workerId: string;
  /** Limits on guessing passwords, the setup code and API keys (counters in the database). */
  authThrottle: AuthThrottle;
  /** Number → candidate time zones of the callee. */
  zones: CalleeZoneLookup;
  /** Nudges the dispatcher / outbox worker of this process (others poll). */
  wake: { dispatcher(): void; outbox(): void };
  /** Live updates for the console streams of this process (`GET /api/v1/events`). */
  events: EventHub;
  /** Scheduled work (agenda): a campaign's start at its moment. */
  schedule: { campaignStart(campaignId: string, at: Date): Promise<void> };
  hooks: {
    attemptCompleted: AttemptCompletedHook[];
    /** Inside the saving transaction: e.g. queue the CRM robot update for a renamed template. */
    templateChanged: TemplateChangedHook[];
    /** After commit, in this process only: wakes long-polls; never relied on for durability. */
    afterAttemptCompleted: ((attempt: Attempt) => void)[];
    /** Inside the transaction that closes a campaign contact (all its numbers done): CRM return values. */
    contactFinished: ContactFinishedHook[];
  };
}
