/**
 * Stand-ins for the espeak-ng executable, so process handling (stdin, argv, exit codes, timeouts,
 * garbage output, caching) is tested on every machine, with or without espeak-ng installed.
 * Each is a tiny Node script with a shebang pointing at the running Node binary.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type FakeBehaviour = 'speak' | 'silent' | 'hang' | 'fail' | 'garbage' | 'not-espeak';

/** Body of each fake; `LOG` is replaced by the log file path. Every run appends {argv, stdin} to it. */
const BODIES: Record<FakeBehaviour, string> = {
  speak: `
const rate = 22050, n = rate / 2, data = Buffer.alloc(n * 2);
for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(12000 * Math.sin(2 * Math.PI * 300 * i / rate)), i * 2);
process.stdout.write(Buffer.concat([wavHeader(rate), data]));`,
  silent: `process.stdout.write(Buffer.concat([wavHeader(22050), Buffer.alloc(8000)]));`,
  hang: `setInterval(() => {}, 1000);`,
  fail: `process.stderr.write('boom: no such voice'); process.exitCode = 3;`,
  garbage: `process.stdout.write('this is not a wav file');`,
  'not-espeak': `process.stdout.write('hello 1.0\\n');`,
};

const PRELUDE = `
const fs = require('node:fs');
function wavHeader(rate) {
  // Placeholder sizes, exactly as espeak-ng --stdout writes them.
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(0x7ffff024, 4); h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(0x7ffff000, 40);
  return h;
}
const argv = process.argv.slice(2);
if (argv.includes('--version') && BEHAVIOUR !== 'not-espeak') {
  process.stdout.write('eSpeak NG text-to-speech: 1.51-fake  Data at: /nowhere\\n');
  process.exit(0);
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  fs.appendFileSync(LOG, JSON.stringify({ argv, stdin: Buffer.concat(chunks).toString('utf8') }) + '\\n');
  main();
});
`;

/** A directory of fake executables and the log they write. Call `cleanup()` when done. */
export interface FakeEspeak {
  command(behaviour: FakeBehaviour): string;
  /** Invocations so far (argv and stdin text), oldest first. */
  calls(): Array<{ argv: string[]; stdin: string }>;
  cleanup(): void;
}

export function createFakeEspeak(): FakeEspeak {
  const dir = mkdtempSync(join(tmpdir(), 'dozvon-fake-espeak-'));
  const log = join(dir, 'calls.log');
  for (const [behaviour, body] of Object.entries(BODIES)) {
    const path = join(dir, behaviour);
    const script = `#!${process.execPath}\nconst BEHAVIOUR = ${JSON.stringify(behaviour)};\nconst LOG = ${JSON.stringify(log)};\n${PRELUDE}\nfunction main() {${body}\n}\n`;
    writeFileSync(path, script);
    chmodSync(path, 0o755);
  }
  return {
    command: (behaviour) => join(dir, behaviour),
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as { argv: string[]; stdin: string })
        : [],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
