import { decryptSecret, encryptSecret } from '../../core/crypto.js';

/**
 * Secrets a CRM gave us (tokens, keys) are stored sealed with `keys.tokenEncryption`
 * (AES-256-GCM); this is the one place that seals and opens them for every CRM adapter. What
 * leaves `open` is a short-lived value for one request, never logged.
 */
export class SecretSealer {
  constructor(private readonly key: Buffer) {}

  seal(plain: string): string {
    return encryptSecret(this.key, plain);
  }

  open(sealed: string): string {
    return decryptSecret(this.key, sealed);
  }
}
