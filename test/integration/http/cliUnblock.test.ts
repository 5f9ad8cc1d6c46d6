import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAdminFromCli } from '../../../src/engine/auth/users.js';
import { startDozvon } from '../../../src/main.js';
import { freshDatabaseEnv, pgliteTemplate } from '../../support/db.js';

/** An account locked by failed sign-ins is unblocked from the server's command line. */
const run = promisify(execFile);

describe('npm run cli -- unblock', () => {
  it('forgets the failed sign-ins of an account: the right password works again at once', async () => {
    const dbEnv = await freshDatabaseEnv();
    const env = { PORT: '0', WORKERS: 'false', SANDBOX_TTS: 'generated', AUTH_FAILURES_PER_ACCOUNT: '2', ...dbEnv };
    const admin = { email: 'locked-out@example.com', name: 'Admin', password: 'right-password-1', locale: 'en' as const };
    const login = (url: string, password: string) =>
      fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: admin.email, password }) });
    try {
      const first = await startDozvon(env, { pgliteTemplate: pgliteTemplate(), log: pino({ level: 'silent' }) });
      try {
        await createAdminFromCli(first.app, admin);
        expect((await login(first.url, 'wrong-password-1')).status).toBe(401);
        expect((await login(first.url, 'wrong-password-2')).status).toBe(401);
        expect((await login(first.url, admin.password)).status).toBe(429);
      } finally {
        await first.stop();
      }
      const out = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'unblock', '--email', admin.email], { env: { ...process.env, ...dbEnv, LOG_LEVEL: 'silent' } });
      expect(out.stdout).toContain(`unblocked: ${admin.email}`);
      const second = await startDozvon(env, { log: pino({ level: 'silent' }) });
      try {
        expect((await login(second.url, admin.password)).status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dbEnv.DATA_DIR, { recursive: true, force: true });
    }
  }, 150_000); // two starts and a CLI compiled by tsx: 35 s alone, over 60 s beside other files on a loaded 2-core machine
});
