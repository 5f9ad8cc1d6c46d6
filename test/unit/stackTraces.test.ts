import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` runs a bundle; an error it logs must still name the TypeScript file and line the
 * developer will open — read through the bundle's map only when a stack trace passes through it.
 * The bundle runs in a process of its own: the test runner loads modules its own way.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-stack-'));
const bundle = path.join(dir, 'dist', 'thrower.mjs');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const source = path.join(dir, 'src', 'thrower.ts');
  fs.mkdirSync(path.dirname(source), { recursive: true });
  fs.writeFileSync(source, ['// the line below throws', 'export function fail(): void {', "  throw new TypeError('the line of thrower.ts');", '}', ''].join('\n'));
  await build({ entryPoints: [source], outdir: path.dirname(bundle), outExtension: { '.js': '.mjs' }, bundle: true, format: 'esm', platform: 'node', sourcemap: 'linked', sourcesContent: false, logLevel: 'silent' });
});

/** The stack trace of the bundle's error, with the mapper installed for its folder (or not). */
function stackFromBundle(installed: boolean): string {
  const script = [
    // tsx (which loads src/stackTraces.ts here) turns Node's own source maps on; `npm start` does not.
    'process.setSourceMapsEnabled(false);',
    `import { mapStackTraces } from ${JSON.stringify(pathToFileURL(path.resolve('src/stackTraces.ts')).href)};`,
    installed ? `mapStackTraces(${JSON.stringify(path.dirname(bundle))});` : '',
    `const { fail } = await import(${JSON.stringify(pathToFileURL(bundle).href)});`,
    'try { fail(); } catch (e) { process.stdout.write(e.stack); }',
  ].join('\n');
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe('stack traces of the bundled server', () => {
  it('name the source file and line', () => {
    const stack = stackFromBundle(true);
    expect(stack.split('\n')[0]).toBe('TypeError: the line of thrower.ts');
    expect(stack).toContain(`at fail (${path.join(dir, 'src', 'thrower.ts')}:3:9)`);
    expect(stack).not.toContain('thrower.mjs');
    expect(stackFromBundle(false)).toContain(`at fail (${pathToFileURL(bundle).href}:`);
  });

  it('leave a bundle without its map as it is', () => {
    fs.renameSync(`${bundle}.map`, `${bundle}.gone`);
    try {
      expect(stackFromBundle(true)).toContain(`at fail (${pathToFileURL(bundle).href}:`);
    } finally {
      fs.renameSync(`${bundle}.gone`, `${bundle}.map`);
    }
  });
});
