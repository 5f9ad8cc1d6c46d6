import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Dozvon as its own process, started the way a user starts it (`src/main.ts`), for crash,
 * multi-process and start-up measurements.
 */
export interface DozvonProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  msToHealthy: number;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no cleanup at all, as in a crash. */
  kill(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dozvon-${prefix}-`));
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

export async function startDozvonProcess(o: {
  dataDir: string;
  env?: Record<string, string>;
  port?: number;
  timeoutMs?: number;
  nodeArgs?: string[];
  /** Start as `npm start` does (compiled JavaScript, scripts/start.mjs) instead of through tsx. */
  compiled?: boolean;
}): Promise<DozvonProcess> {
  const port = o.port ?? (await freePort());
  const started = performance.now();
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), ...(o.compiled ? ['scripts/start.mjs'] : ['--import', 'tsx', 'src/main.ts'])], {
    env: { ...process.env, DATA_DIR: o.dataDir, PORT: String(port), LOG_LEVEL: 'warn', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Dozvon exited during start: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Dozvon did not become healthy: ${out}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const msToHealthy = performance.now() - started;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, dataDir: o.dataDir, child, msToHealthy, output: () => out, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** Creates the first admin through the setup API with the code from the data directory; returns a session token. */
export async function setupAdmin(p: { url: string; dataDir: string }): Promise<string> {
  const code = fs.readFileSync(path.join(p.dataDir, 'setup-code.txt'), 'utf8').trim();
  const r = await fetch(`${p.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@example.com', name: 'Ops', password: 'ops-password-1', setupCode: code }),
  });
  if (!r.ok) throw new Error(`setup failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/** A small JSON client for a running process. */
export function apiClient(url: string, token: string) {
  return async <T = unknown>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
