import path from 'node:path';
import { z } from 'zod';
import { readVoiceConfig, voiceEnvSchema, type VoiceConfig } from './voice/voiceConfig.js';

/**
 * Every setting Dozvon reads, validated once at start. Nothing else in the code reads process.env:
 * adapters receive their slice of this object. `.env.example` lists the same settings with defaults.
 */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const envSchema = z.object({
  /** TCP port of the HTTP server; 0 picks a free port (tests). */
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  /** Interface to bind. */
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  /** The URL CRMs and the voice platform use to reach this server; defaults to http://127.0.0.1:$PORT. */
  PUBLIC_URL: z.preprocess(emptyToUndefined, z.url({ message: 'PUBLIC_URL must be an absolute http(s) URL' }).optional()),
  /** Where PGlite keeps its database, recordings are stored and the generated secret key lives. */
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  /** Unset: embedded PGlite in $DATA_DIR/pg. postgres://… : a PostgreSQL server shared by any number of processes. */
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
      .optional(),
  ),
  /** Size of the pg pool when DATABASE_URL is set. */
  DATABASE_POOL_SIZE: z.preprocess(emptyToUndefined, z.coerce.number().int().min(2).max(200).default(10)),
  /** Named prepared statements on the server (false behind PgBouncer's transaction pooling before 1.21). */
  DATABASE_PREPARED_STATEMENTS: z.preprocess(emptyToUndefined, boolish.default(true)),
  /** Master key (≥32 chars) for tokens at rest, sessions and signed URLs; generated into $DATA_DIR/secret.key when unset. */
  SECRET_KEY: z.preprocess(emptyToUndefined, z.string().min(32, 'SECRET_KEY must be at least 32 characters').optional()),
  B24_CLIENT_ID: optionalString,
  B24_CLIENT_SECRET: optionalString,
  /** The amoCRM integration (amocrm.ru) — and Kommo's too, unless KOMMO_* name Kommo's own. */
  AMOCRM_CLIENT_ID: optionalString,
  AMOCRM_CLIENT_SECRET: optionalString,
  /** The integration's Redirect URI; default $PUBLIC_URL/amocrm/oauth. The widget API must share its origin. */
  AMOCRM_REDIRECT_URI: z.preprocess(emptyToUndefined, z.url({ message: 'AMOCRM_REDIRECT_URI must be an absolute http(s) URL' }).optional()),
  /** A separate integration registered in Kommo (kommo.com / amocrm.com accounts). */
  KOMMO_CLIENT_ID: optionalString,
  KOMMO_CLIENT_SECRET: optionalString,
  /** Sandbox time factor: 0.02 makes every simulated call 50× faster. */
  SANDBOX_TIME_SCALE: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(100).default(1)),
  /** Seed of the sandbox's random outcome mix for numbers that are not magic. */
  SANDBOX_SEED: z.preprocess(emptyToUndefined, z.string().default('dozvon')),
  /** Outcome mix for non-magic numbers, e.g. "human=40,no_answer=20,busy=10,machine=15,short=5,failed=5,invalid=5". */
  SANDBOX_MIX: optionalString,
  /** Each sandbox event callback is delivered this many times at once: for idempotency tests and the chaos bench only. */
  SANDBOX_CALLBACK_COPIES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(5).default(1)),
  /** Speech for sandbox recordings: auto (espeak-ng when installed), espeak, or generated tones. */
  SANDBOX_TTS: z.preprocess(emptyToUndefined, z.enum(['auto', 'espeak', 'generated']).default('auto')),
  /** smtp://user:pass@host:port for notification e-mail; unset = e-mail is logged as skipped. */
  SMTP_URL: optionalString,
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('Dozvon <dozvon@localhost>')),
  /** Accept CRM endpoints on loopback over plain http (emulators, local development only). */
  CRM_ALLOW_HTTP: z.preprocess(emptyToUndefined, boolish.default(false)),
  /** Language used when a request names none. */
  DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(['ru', 'en']).default('en')),
  /** Largest accepted upload (greetings, number lists), in MB. */
  UPLOAD_LIMIT_MB: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(1024).default(32)),
  /** Rows (clients) one imported file may have; one more refuses the file, nothing imported. */
  IMPORT_MAX_ROWS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000_000).default(1_000_000)),
  /** What an uploaded XLSX may unpack to, in MB, counted while unpacking (1,000,000 rows ≈ 120 MB). */
  IMPORT_MAX_UNZIPPED_MB: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(4096).default(256)),
  /** Files parsed at the same time, each in its own worker thread (more wait their turn). */
  IMPORT_WORKERS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(16).default(2)),
  /** Memory (heap) of one parsing worker, in MB; a file that needs more is refused. */
  IMPORT_WORKER_MEMORY_MB: z.preprocess(emptyToUndefined, z.coerce.number().int().min(64).max(16_384).default(512)),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** Seconds a dialing number stays leased to its worker before a crash is assumed and it is recovered. */
  DIAL_LEASE_SEC: z.preprocess(emptyToUndefined, z.coerce.number().int().min(2).max(86_400).default(900)),
  /** Seconds an outbox job (a CRM write, a webhook) stays leased to its worker before a crash is assumed and another takes it. */
  OUTBOX_LEASE_SEC: z.preprocess(emptyToUndefined, z.coerce.number().int().min(5).max(86_400).default(120)),
  /** Technical errors in a row after which a campaign pauses itself. */
  TECH_ERRORS_PAUSE_AFTER: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(20)),
  /** Run the background workers (dispatcher, outbox) in this process. */
  WORKERS: z.preprocess(emptyToUndefined, boolish.default(true)),
  /**
   * Reverse proxies in front of Dozvon whose X-Forwarded-For / -Proto / -Host are believed: 0 (none,
   * the default: the socket's address is the client's), 1 for one proxy (nginx, Caddy…), n for a
   * chain. `true` means 1, `false` 0. Set it behind a proxy, or every client shares its address.
   */
  TRUST_PROXY: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v === 'true' ? '1' : v === 'false' ? '0' : v),
    z.coerce.number({ message: 'TRUST_PROXY must be a number of proxies (0, 1, 2…), true or false' }).int().min(0).max(10).default(0),
  ),
  /** Failed sign-ins allowed per account before it is blocked for AUTH_BLOCK_MINUTES. */
  AUTH_FAILURES_PER_ACCOUNT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(10_000).default(10)),
  /** Failed sign-ins, setup codes or API keys allowed per client address before it is blocked. */
  AUTH_FAILURES_PER_ADDRESS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100_000).default(30)),
  /** Minutes in which failures are counted, and how long a block lasts. */
  AUTH_BLOCK_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(24 * 60).default(15)),
}).extend(voiceEnvSchema.shape);

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  /** Undefined until the server listens when PORT=0; use `publicUrl()` from the app context. */
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  databasePreparedStatements: boolean;
  secretKey: string | undefined;
  bitrix24: { clientId: string | undefined; clientSecret: string | undefined };
  amocrm: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    redirectUri: string | undefined;
    /** Kommo's own integration keys, when it has one. */
    kommoClientId: string | undefined;
    kommoClientSecret: string | undefined;
  };
  /** The default voice platform (VOICE_PLATFORM); a template may name another configured one. */
  voicePlatform: VoiceConfig['defaultPlatform'];
  /** Each voice platform's settings; undefined = not configured. */
  voice: VoiceConfig;
  sandbox: { timeScale: number; seed: string; mix: string | undefined; tts: 'auto' | 'espeak' | 'generated'; callbackCopies: number };
  smtpUrl: string | undefined;
  mailFrom: string;
  crmAllowHttp: boolean;
  defaultLocale: 'ru' | 'en';
  uploadLimitBytes: number;
  /** Limits of clients-file imports (src/engine/clientsFile/limits.ts). */
  imports: { maxRows: number; maxUnzippedBytes: number; workers: number; workerMemoryMb: number };
  logLevel: Env['LOG_LEVEL'];
  workers: boolean;
  dialLeaseSec: number;
  outboxLeaseSec: number;
  techErrorsPauseAfter: number;
  /** How many reverse proxies' X-Forwarded-* headers to believe (0 = none). */
  trustProxy: number;
  /** Limits on guessing passwords, the setup code and API keys. */
  auth: { failuresPerAccount: number; failuresPerAddress: number; windowSec: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const voice = readVoiceConfig(e, problems);
  if (problems.length) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, '') ?? (e.PORT === 0 ? undefined : `http://127.0.0.1:${e.PORT}`),
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    secretKey: e.SECRET_KEY,
    bitrix24: { clientId: e.B24_CLIENT_ID, clientSecret: e.B24_CLIENT_SECRET },
    amocrm: {
      clientId: e.AMOCRM_CLIENT_ID,
      clientSecret: e.AMOCRM_CLIENT_SECRET,
      redirectUri: e.AMOCRM_REDIRECT_URI,
      kommoClientId: e.KOMMO_CLIENT_ID,
      kommoClientSecret: e.KOMMO_CLIENT_SECRET,
    },
    voicePlatform: voice.defaultPlatform,
    voice,
    sandbox: { timeScale: e.SANDBOX_TIME_SCALE, seed: e.SANDBOX_SEED, mix: e.SANDBOX_MIX, tts: e.SANDBOX_TTS, callbackCopies: e.SANDBOX_CALLBACK_COPIES },
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    crmAllowHttp: e.CRM_ALLOW_HTTP,
    defaultLocale: e.DEFAULT_LOCALE,
    uploadLimitBytes: Math.round(e.UPLOAD_LIMIT_MB * 1024 * 1024),
    imports: {
      maxRows: e.IMPORT_MAX_ROWS,
      maxUnzippedBytes: Math.round(e.IMPORT_MAX_UNZIPPED_MB * 1024 * 1024),
      workers: e.IMPORT_WORKERS,
      workerMemoryMb: e.IMPORT_WORKER_MEMORY_MB,
    },
    logLevel: e.LOG_LEVEL,
    workers: e.WORKERS,
    dialLeaseSec: e.DIAL_LEASE_SEC,
    outboxLeaseSec: e.OUTBOX_LEASE_SEC,
    techErrorsPauseAfter: e.TECH_ERRORS_PAUSE_AFTER,
    trustProxy: e.TRUST_PROXY,
    auth: { failuresPerAccount: e.AUTH_FAILURES_PER_ACCOUNT, failuresPerAddress: e.AUTH_FAILURES_PER_ADDRESS, windowSec: e.AUTH_BLOCK_MINUTES * 60 },
  };
}
