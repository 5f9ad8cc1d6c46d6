import { spawnSync } from 'node:child_process';
import { benchImportAndDispatch, benchPacing } from './campaigns.js';
import { onPostgres } from './support/database.js';
import { firstTouchMicrosPerPage, sha256MbPerSec } from './support/machine.js';
import { print, quick } from './support/server.js';
import { benchStartup } from './startup.js';
import { benchTestCalls } from './testCalls.js';

/**
 * `npm run bench`: every performance goal as a printed figure, one per line, `name value unit`.
 * `npm run bench -- startup pacing` runs only the named benches; `--quick` shortens the long runs
 * (pacing 60 s instead of 10 minutes, fewer callbacks). `npm run bench -- pg [names]` runs them
 * on a throwaway PostgreSQL (Debian's server binaries, port 54337, as `.ci/with-postgres`); a
 * DATABASE_URL of your own does the same on your server. On PostgreSQL every figure ends in `_pg`.
 */
const pacingSeconds = quick ? 60 : 600;

const BENCHES: Record<string, () => Promise<void>> = {
  startup: benchStartup,
  testCalls: () => benchTestCalls(),
  bitrix24: async () => (await import('./bitrix24.js')).benchBitrix24(),
  amocrm: async () => (await import('./amocrm.js')).benchAmocrm(),
  pacing: async () => {
    await benchPacing({ seconds: pacingSeconds, intensity: 5, cap: 25, suffix: '_5' });
    // 50 starts a second; the API is asked about the campaign all along.
    await benchPacing({ seconds: pacingSeconds, intensity: 50, cap: 200, suffix: '_50', probeApi: true });
    // Calls of ~1.6 s at 10/s would keep ~16 live: a cap of 5 must hold them to 5.
    await benchPacing({ seconds: 30, intensity: 10, cap: 5, timeScale: 0.1, suffix: '_cap_bound' });
    if (onPostgres) {
      // Three processes share one campaign: the pace and the cap hold across them.
      await benchPacing({ seconds: pacingSeconds, intensity: 50, cap: 200, suffix: '_50_3proc', processes: 3 });
      await benchPacing({ seconds: 30, intensity: 10, cap: 5, timeScale: 0.1, suffix: '_cap_bound_3proc', processes: 3 });
    }
  },
  voiceCallbacks: async () => {
    const { benchCallbackStatements, benchVoiceCallbacks } = await import('./voiceCallbacks.js');
    await benchCallbackStatements();
    await benchVoiceCallbacks();
  },
  import: () => benchImportAndDispatch({ rows: process.env.ROWS ? Number(process.env.ROWS) : undefined }),
  voice: async () => (await import('./voice.js')).benchVoice(),
  console: async () => (await import('./console.js')).benchConsole(),
  hostile: async () => (await import('./hostile.js')).benchHostile(),
  fuzz: async () => (await import('./fuzz.js')).benchFuzz(),
  chaos: async () => (await import('./chaos.js')).benchChaos(),
};

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('-') && a !== 'pg');
const USAGE = `npm run bench -- [pg] [--quick] [group …]\ngroups: ${Object.keys(BENCHES).join(', ')} (none named: all of them)`;
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
// A mistyped group or flag would otherwise run nothing, or everything, for many minutes.
const unknown = [...only.filter((n) => !(n in BENCHES)), ...args.filter((a) => a.startsWith('-') && a !== '--quick')];
if (unknown.length) {
  console.error(`unknown: ${unknown.join(' ')}\n${USAGE}`);
  process.exit(2);
}
if (args.includes('pg') && !onPostgres) {
  // Re-run this very command inside a throwaway PostgreSQL cluster.
  const r = spawnSync('.ci/with-postgres', [process.execPath, '--import', 'tsx', 'bench/run.ts', ...args.filter((a) => a !== 'pg')], {
    stdio: 'inherit',
    env: { ...process.env, PGPORT_TEST: process.env.PGPORT_TEST ?? '54337' },
  });
  process.exit(r.status ?? 1);
}
// The machine first: the same code runs much slower in some hours of a shared VM than in others.
print('machine_sha256_mb_per_sec', sha256MbPerSec(), 'MB/s');
print('machine_first_touch_us_per_page', firstTouchMicrosPerPage(), 'us');
for (const [name, run] of Object.entries(BENCHES)) {
  if (only.length && !only.includes(name)) continue;
  await run();
}
