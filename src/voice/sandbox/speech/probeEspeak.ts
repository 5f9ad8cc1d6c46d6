import { runProcess } from './runProcess.js';

/** Whether espeak-ng can be run, and its version line when it can. */
export type EspeakProbe = { available: true; version: string } | { available: false; reason: string };

const probes = new Map<string, Promise<EspeakProbe>>();

/**
 * Runs `<command> --version` once per command for the life of the process (installing espeak-ng
 * later takes a restart). Never rejects.
 */
export function probeEspeak(command = 'espeak-ng', timeoutMs = 3000): Promise<EspeakProbe> {
  let probe = probes.get(command);
  if (!probe) {
    probe = runOnce(command, timeoutMs);
    probes.set(command, probe);
  }
  return probe;
}

async function runOnce(command: string, timeoutMs: number): Promise<EspeakProbe> {
  try {
    const out = await runProcess(command, ['--version'], { timeoutMs, maxOutputBytes: 64 * 1024 });
    const version = out.stdout.toString('utf8').trim().split('\n')[0] ?? '';
    if (out.code !== 0) return { available: false, reason: `${command} --version exited with code ${out.code ?? 'null'}` };
    // Anything answering --version is not necessarily espeak (a wrong path in config, a stub).
    if (!/espeak/i.test(version)) {
      return { available: false, reason: `${command} is not espeak-ng (said "${version.slice(0, 80)}")` };
    }
    return { available: true, version };
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
