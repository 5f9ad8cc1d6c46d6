import jwt from 'jsonwebtoken';
import { z } from 'zod';

/**
 * Console sessions are signed JWTs (HS256, 12 h). The user's session version travels inside, so
 * a password change or a disabled account ends every session issued before it.
 */
const claimsSchema = z.object({ sub: z.uuid(), ten: z.uuid(), ver: z.number().int(), role: z.enum(['admin', 'manager']) });
export type SessionClaims = z.infer<typeof claimsSchema>;

const ISSUER = 'dozvon';
const AUDIENCE = 'dozvon-console';
export const SESSION_TTL_SEC = 12 * 3600;

export function issueSession(key: Buffer, claims: SessionClaims): string {
  return jwt.sign(claims, key, { algorithm: 'HS256', expiresIn: SESSION_TTL_SEC, issuer: ISSUER, audience: AUDIENCE });
}

export function readSession(key: Buffer, token: string): SessionClaims | undefined {
  try {
    const payload = jwt.verify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    const r = claimsSchema.safeParse(payload);
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
