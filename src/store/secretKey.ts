import fs from 'node:fs';
import path from 'node:path';
import { randomToken } from '../core/crypto.js';

/**
 * The master key: SECRET_KEY from the environment, or a random key generated once into
 * `$DATA_DIR/secret.key` (mode 0600) so the embedded default needs no setup. Processes sharing a
 * PostgreSQL server on different machines must set SECRET_KEY to the same value.
 */
export function loadSecretKey(secretKey: string | undefined, dataDir: string): { key: string; source: 'env' | 'file' } {
  if (secretKey) return { key: secretKey, source: 'env' };
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomToken(48), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`${file} is damaged (shorter than 32 characters); delete it or set SECRET_KEY`);
  return { key, source: 'file' };
}
