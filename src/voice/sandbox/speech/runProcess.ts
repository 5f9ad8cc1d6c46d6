import { spawn } from 'node:child_process';

/** What a finished child process produced. */
export interface ProcessOutput {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** The first few KB of stderr, for error messages. */
  stderr: string;
}

/** Options of `runProcess`. */
export interface RunProcessOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
  /** Kill the child (SIGKILL) after this many ms. */
  timeoutMs: number;
  /** Kill the child once stdout exceeds this many bytes. Default 64 MB. */
  maxOutputBytes?: number;
}

/** Why `runProcess` rejected: the command could not start, ran too long, or talked too much. */
export class ProcessError extends Error {
  constructor(
    readonly code: 'spawn_failed' | 'timeout' | 'output_too_large',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProcessError';
  }
}

const STDERR_LIMIT = 4096;

/**
 * Runs `command` with `args` directly (no shell: nothing in `args` or `input` is ever interpreted
 * as shell syntax), feeds `input` to stdin, and collects stdout. Resolves with the exit status;
 * rejects only when the process cannot start, exceeds its time or its output limit.
 */
export function runProcess(command: string, args: readonly string[], opts: RunProcessOptions): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { shell: false, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let failure: ProcessError | undefined;
    const limit = opts.maxOutputBytes ?? 64 * 1024 * 1024;
    const fail = (e: ProcessError) => {
      failure ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      fail(new ProcessError('timeout', `${command} did not finish within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > limit) fail(new ProcessError('output_too_large', `${command} wrote more than ${limit} bytes`));
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8').slice(0, STDERR_LIMIT - stderr.length);
    });
    // A child that exits before reading all input closes the pipe (EPIPE); its exit status tells the story.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ProcessError('spawn_failed', `cannot run ${command}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else resolve({ code, signal, stdout: Buffer.concat(chunks), stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
