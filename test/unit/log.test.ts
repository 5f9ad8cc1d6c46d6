import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../src/log.js';
import { hashPassword } from '../../src/engine/auth/passwords.js';
import { DomainError } from '../../src/core/errors.js';

/**
 * Logs never carry a secret, however deep it sits: the password hash that once reached the log
 * inside `err.params`, tokens in nested request payloads, headers, causes of causes.
 */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const log = createLogger('debug', { destination });
  return { log, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log redaction', () => {
  it('redacts secrets by key name at any depth, in errors, their params and causes, arrays and child bindings', async () => {
    const { log, lines, json } = capture();
    const hash = await hashPassword('correct-horse-battery');
    const cause = Object.assign(new Error('token endpoint refused'), { response: { body: { access_token: 'AT-123', refresh_token: 'RT-456' } } });
    const err = new DomainError('conflict', 'errors.email_taken', { email: 'a@b.c', passwordHash: hash, nested: { deeper: { client_secret: 'CS-789' } } });
    (err as unknown as { cause: unknown }).cause = cause;
    log.child({ tenantId: 't1', auth: { access_token: 'AT-child' } }).error(
      {
        err,
        req: { headers: { authorization: 'Bearer eyJhbGciOi.eyJzdWIiOiJ1.sig', cookie: 'sid=1', 'x-api-key': 'dzk_live_abc', 'x-auth-token': 'JWT-x' } },
        payload: { auth: { AUTH_ID: 'AUTH-1', REFRESH_ID: 'REF-1', application_token: 'APP-1', member_id: 'm1' }, items: [{ password: 'pw-1' }, { apiKey: 'k-1' }] },
        odd: { value: hash, jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', setupCode: '123456', eventTokenEnc: 'enc-1' },
      },
      'something failed',
    );
    const all = lines.join('\n');
    for (const secret of [hash, 'AT-123', 'RT-456', 'CS-789', 'eyJhbGciOi', 'sid=1', 'dzk_live_abc', 'JWT-x', 'AUTH-1', 'REF-1', 'APP-1', 'pw-1', 'k-1', '123456', 'enc-1', 'AT-child']) {
      expect(all, secret).not.toContain(secret);
    }
    const [line] = json();
    // What is not secret stays, errors keep their stack and cause.
    expect(line).toMatchObject({ tenantId: 't1', msg: 'something failed', payload: { auth: { member_id: 'm1', AUTH_ID: REDACTED } } });
    const e = line!.err as { stack: string; params: Record<string, unknown>; cause?: { message: string } };
    expect(e.stack).toContain('DomainError');
    expect(e.params).toMatchObject({ email: 'a@b.c', passwordHash: REDACTED });
    expect(JSON.stringify(e)).toContain('token endpoint refused');
  });

  it('survives cycles and very deep objects', () => {
    const { log, json } = capture();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    let deep: Record<string, unknown> = { password: 'deep-secret' };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    log.info({ a, deep }, 'odd shapes');
    const [line] = json();
    expect(JSON.stringify(line)).not.toContain('deep-secret');
    expect((line!.a as Record<string, unknown>).self).toBe('[circular]');
  });
});
