import type { Config } from './config.js';
import type { Clock } from './core/clock.js';
import type { Db, Queryable } from './store/db.js';
import type { RecordingStorage } from './store/recordingStorage.js';
import type { Attempt } from './store/repositories/attempts.js';
import type { Logger } from './log.js';
import type { VoicePlatform } from './voice/port.js';

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
  voice: VoicePlatform;
  /** The base URL CRMs and platforms reach us at (known once the server listens). */
  publicUrl(): string;
  /** The standalone console's own tenant. */
  consoleTenantId: string;
  hooks: {
    attemptCompleted: AttemptCompletedHook[];
    /** Inside the saving transaction: e.g. queue the CRM robot update for a renamed template. */
    templateChanged: TemplateChangedHook[];
    /** After commit, in this process only: wakes long-polls; never relied on for durability. */
    afterAttemptCompleted: ((attempt: Attempt) => void)[];
  };
}
