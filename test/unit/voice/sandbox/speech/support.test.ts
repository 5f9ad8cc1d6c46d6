import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../../../../src/voice/sandbox/speech/concurrencyLimit.js';
import { LruCache } from '../../../../../src/voice/sandbox/speech/lruCache.js';
import { runProcess } from '../../../../../src/voice/sandbox/speech/runProcess.js';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond the entry bound', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('evicts by total weight and refuses a single value heavier than the bound', () => {
    const c = new LruCache<string, string>(100, 10, (v) => v.length);
    c.set('a', 'xxxx');
    c.set('b', 'yyyy');
    c.set('c', 'zzzz');
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(2);
    c.set('huge', 'x'.repeat(11));
    expect(c.get('huge')).toBeUndefined();
    expect(c.size).toBe(2);
  });

  it('replacing a key does not count it twice', () => {
    const c = new LruCache<string, string>(100, 8, (v) => v.length);
    c.set('a', 'xxxx');
    c.set('a', 'yyyy');
    c.set('b', 'zzzz');
    expect(c.get('a')).toBe('yyyy');
    expect(c.get('b')).toBe('zzzz');
  });
});

describe('ConcurrencyLimit', () => {
  it('never runs more than the limit at once, and runs everything', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit.run(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setImmediate(r));
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(2);
  });

  it('frees the slot when a task fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(limit.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('runProcess', () => {
  it('passes argv verbatim without a shell', async () => {
    const out = await runProcess(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', '$(id)', '`id`', 'a b;c'], {
      timeoutMs: 10_000,
    });
    expect(JSON.parse(out.stdout.toString())).toEqual(['$(id)', '`id`', 'a b;c']);
  });

  it('feeds stdin and reports the exit code and stderr', async () => {
    const out = await runProcess(
      process.execPath,
      ['-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stderr.write("got "+s);process.exit(4)})'],
      { input: 'привет', timeoutMs: 10_000 },
    );
    expect(out.code).toBe(4);
    expect(out.stderr).toBe('got привет');
  });

  it('kills a process that writes more than allowed', async () => {
    await expect(
      runProcess(process.execPath, ['-e', 'setInterval(()=>process.stdout.write("x".repeat(65536)),1)'], { timeoutMs: 10_000, maxOutputBytes: 100_000 }),
    ).rejects.toMatchObject({ code: 'output_too_large' });
  });
});
