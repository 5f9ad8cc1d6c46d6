import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { isDomainError } from './core/errors.js';
import { createAuthThrottle } from './engine/auth/throttle.js';
import { createAdminFromCli } from './engine/auth/users.js';
import { t } from './i18n.js';
import { renderIssues } from './http/errors.js';
import { startDozvon } from './main.js';
import { migrate } from './store/migrate.js';
import { openDatabase } from './store/openDatabase.js';

/**
 * Server-side commands (whoever can run them owns the server):
 *   create-admin --email a@b.c --name "Admin" [--password …]   (or DOZVON_ADMIN_PASSWORD, or asked)
 *   migrate                                                    apply database migrations and exit
 *   unblock [--email a@b.c] [--address 203.0.113.7]           forget failed sign-ins of an account /
 *                                                              failures of a client address (429s end)
 */
async function readPassword(): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return (await rl.question('Password (at least 10 characters): ')).trim();
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  // Whatever a command creates under DATA_DIR (a new embedded database, the lock) is for this account only, as in the server.
  process.umask(0o077);
  const config = loadConfig();
  if (command === 'migrate') {
    const { db, close } = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const { applied } = await migrate(db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
    } finally {
      await close();
    }
    return 0;
  }
  if (command === 'unblock') {
    const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, address: { type: 'string' } } });
    if (!values.email && !values.address) {
      process.stderr.write('usage: npm run cli -- unblock [--email <e-mail>] [--address <client address>]\n');
      return 2;
    }
    const { db, close } = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const throttle = createAuthThrottle(db, config.auth);
      if (values.email) await throttle.forgetAccount(values.email);
      if (values.address) await throttle.forgetAddress(values.address);
      process.stdout.write(`unblocked: ${[values.email, values.address].filter(Boolean).join(', ')}\n`);
    } finally {
      await close();
    }
    return 0;
  }
  if (command === 'create-admin') {
    const { values } = parseArgs({
      args: rest,
      options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, locale: { type: 'string' } },
    });
    const password = values.password ?? process.env.DOZVON_ADMIN_PASSWORD ?? (await readPassword());
    // Start without HTTP workers on a free port: the CLI only needs the services.
    const running = await startDozvon({ ...process.env, PORT: '0', WORKERS: 'false', LOG_LEVEL: 'warn' });
    try {
      const user = await createAdminFromCli(running.app, {
        email: values.email,
        name: values.name ?? 'Admin',
        password,
        locale: values.locale ?? config.defaultLocale,
      });
      process.stdout.write(`administrator created: ${user.email}\n`);
      return 0;
    } catch (e) {
      if (isDomainError(e)) {
        const lng = config.defaultLocale;
        process.stderr.write(`${t(lng, e.key, e.params)}\n`);
        for (const d of renderIssues(lng, e.issues)) process.stderr.write(`  ${d.path}: ${d.message}\n`);
        return 2;
      }
      throw e;
    } finally {
      await running.stop();
    }
  }
  process.stderr.write(
    'usage: npm run cli -- create-admin --email <e-mail> --name <name> [--password <password>]\n' +
      '       npm run cli -- migrate\n' +
      '       npm run cli -- unblock [--email <e-mail>] [--address <client address>]\n',
  );
  return 2;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  },
);
