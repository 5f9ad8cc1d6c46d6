import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` runs the server's bundle with V8's code cache: saved once, read by every later start,
 * never trusted across builds, and a damaged one only costs the time it would have saved.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-code-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const caches = () => fs.readdirSync(dir).filter((f) => f.endsWith('.cache'));

/**
 * One start: a process of its own (V8 keeps compiled code per process, and would hand a second load
 * in the same one its own copy without looking at the cache). Saves the cache as the launcher does.
 */
function start(bundle: string): string {
  const script = `import { runWithCodeCache } from ${JSON.stringify(pathToFileURL(path.resolve('scripts/codeCache.mjs')).href)};
const server = runWithCodeCache(${JSON.stringify(bundle)});
process.stdout.write(server.exports.answer());
server.saveCodeCache();`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('the server bundle run with a code cache', () => {
  const bundle = path.join(dir, 'bundle.cjs');
  fs.writeFileSync(bundle, "const path = require('node:path');\nexports.answer = () => `${path.basename(__filename)} ${42}`;\n");

  it('runs a CommonJS file as require() would, and saves its compiled code once', () => {
    expect(start(bundle)).toBe('bundle.cjs 42');
    expect(caches()).toHaveLength(1);
    const saved = fs.statSync(path.join(dir, caches()[0]!)).mtimeMs;
    // The next start reads it: nothing to save again.
    expect(start(bundle)).toBe('bundle.cjs 42');
    expect(fs.statSync(path.join(dir, caches()[0]!)).mtimeMs).toBe(saved);
  });

  it('a damaged cache is refused and written anew; a rebuilt bundle gets a cache of its own', () => {
    fs.writeFileSync(path.join(dir, caches()[0]!), 'not a code cache');
    expect(start(bundle)).toBe('bundle.cjs 42');
    expect(fs.statSync(path.join(dir, caches()[0]!)).size).toBeGreaterThan(100);

    // Same length, other code: V8 would take the old cache for it; the name keeps them apart.
    fs.writeFileSync(bundle, "const path = require('node:path');\nexports.answer = () => `${path.basename(__filename)} ${43}`;\n");
    fs.utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    expect(start(bundle)).toBe('bundle.cjs 43');
    expect(caches()).toHaveLength(2);
  });
});
