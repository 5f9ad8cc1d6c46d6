import { benchImportAndDispatch, benchPacing } from './campaigns.js';
import { benchStartup } from './startup.js';
import { benchTestCalls } from './testCalls.js';

/**
 * `npm run bench`: every performance goal as a printed figure, one per line, `name value unit`.
 * `npm run bench -- startup` runs only the named benches.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  startup: benchStartup,
  testCalls: () => benchTestCalls(),
  bitrix24: async () => (await import('./bitrix24.js')).benchBitrix24(),
  amocrm: async () => (await import('./amocrm.js')).benchAmocrm(),
  pacing: async () => {
    await benchPacing();
    // Calls of ~1.6 s at 10/s would keep ~16 live: a cap of 5 must hold them to 5.
    await benchPacing({ seconds: 30, intensity: 10, cap: 5, timeScale: 0.1, suffix: '_cap_bound' });
  },
  import: () => benchImportAndDispatch(),
  voice: async () => (await import('./voice.js')).benchVoice(),
  console: async () => (await import('./console.js')).benchConsole(),
  hostile: async () => (await import('./hostile.js')).benchHostile(),
  fuzz: async () => (await import('./fuzz.js')).benchFuzz(),
  chaos: async () => (await import('./chaos.js')).benchChaos(),
};

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(BENCHES)) {
  if (only.length && !only.includes(name)) continue;
  await run();
}
