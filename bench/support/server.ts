import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Starts Dozvon as its own process, like a user does, and times it until /health answers. */
export interface BenchServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  msToHealthy: number;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dozvon-bench-${prefix}-`));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startServer(o: { dataDir: string; env?: Record<string, string> }): Promise<BenchServer> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATA_DIR: o.dataDir, PORT: String(port), LOG_LEVEL: 'warn', ...o.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const msToHealthy = performance.now() - started;
  return {
    url,
    dataDir: o.dataDir,
    child,
    msToHealthy,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Creates the first admin through the setup API (with the code from the data directory) and returns a token. */
export async function setupAdmin(server: BenchServer): Promise<string> {
  const code = fs.readFileSync(path.join(server.dataDir, 'setup-code.txt'), 'utf8').trim();
  const r = await fetch(`${server.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', name: 'Bench', password: 'bench-password-1', setupCode: code }),
  });
  if (!r.ok) throw new Error(`setup failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

export function print(name: string, value: number, unit: string): void {
  process.stdout.write(`${name} ${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 3 : 1)} ${unit}\n`);
}
