import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

/**
 * What the machine and Node's HTTP cost with nothing behind them: a process that reads each
 * request's JSON body and answers 200, as a yardstick for a bench's own server. Plain Node, no
 * framework, no database, no signature check.
 */
const SCRIPT = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('error', () => res.destroy());
  req.on('end', () => {
    try { JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.statusCode = 400; }
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
});
server.on('error', (e) => { console.error(e); process.exit(1); });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

export interface EmptyHttpServer {
  url: string;
  child: ChildProcess;
  stop(): void;
}

export async function startEmptyHttpServer(): Promise<EmptyHttpServer> {
  const child = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`empty HTTP server exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { url: `http://127.0.0.1:${port}`, child, stop: () => child.kill() };
}
