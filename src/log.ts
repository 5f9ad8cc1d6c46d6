import { pino, type Logger } from 'pino';

/**
 * Structured logs. Secrets never reach them: every field that can carry one is redacted by path,
 * wherever it appears.
 */
const REDACT = [
  'password', '*.password', 'token', '*.token', '*.accessToken', '*.refreshToken', '*.access_token', '*.refresh_token',
  'secret', '*.secret', '*.clientSecret', '*.client_secret', '*.applicationToken', '*.application_token',
  'authorization', '*.authorization', '*.headers.authorization', '*.headers.cookie', '*.apiKey', '*.api_key',
  'auth', '*.auth', '*.AUTH_ID', '*.REFRESH_ID', '*.APPLICATION_TOKEN', 'req.headers["x-auth-token"]', 'req.headers["x-api-key"]',
];

export type { Logger };

export function createLogger(level: string, name = 'dozvon'): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
