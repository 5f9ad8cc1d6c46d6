import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { conflict, DomainError, notFound, unauthorized, validationFailed } from '../../core/errors.js';
import { randomToken, safeEqual } from '../../core/crypto.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { isUniqueViolation, withTransaction } from '../../store/db.js';
import {
  countUsers,
  findPasswordHash,
  findUser,
  findUserWithHashByEmail,
  insertUser,
  listUsers,
  setPasswordHash,
  touchLogin,
  updateUser,
  type User,
} from '../../store/repositories/users.js';
import { DUMMY_HASH_PROMISE, hashPassword, verifyPassword } from './passwords.js';
import { endOtherSessions, startSession, type ClientInfo } from './sessions.js';

/**
 * Console users. There is never a default password: the first admin is created either from the
 * console with the one-time setup code written to $DATA_DIR (proof of access to the server), or
 * from the command line (`npm run cli -- create-admin`).
 */
export const passwordSchema = z.string().min(10).max(200);
export const newUserSchema = z
  .object({
    email: z.email().max(200),
    name: z.string().trim().min(1).max(120),
    password: passwordSchema,
    role: z.enum(['admin', 'manager']).default('manager'),
    locale: z.enum(['ru', 'en']).default('en'),
  })
  .strict();

export const setupSchema = newUserSchema.omit({ role: true }).extend({ setupCode: z.string().min(1).max(200) }).strict();

export function setupCodeFile(dataDir: string): string {
  return path.join(dataDir, 'setup-code.txt');
}

/** While nobody can log in, keeps a one-time setup code in $DATA_DIR; returns its path. */
export async function ensureSetupCode(ctx: AppContext): Promise<string | undefined> {
  const file = setupCodeFile(ctx.config.dataDir);
  if ((await countUsers(ctx.db)) > 0) {
    fs.rmSync(file, { force: true });
    return undefined;
  }
  fs.mkdirSync(ctx.config.dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, `${randomToken(18)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return file;
}

export async function isSetupDone(ctx: AppContext): Promise<boolean> {
  return (await countUsers(ctx.db)) > 0;
}

async function createAdminOnce(ctx: AppContext, u: { email: string; name: string; password: string; locale: 'ru' | 'en' }): Promise<User> {
  const passwordHash = await hashPassword(u.password);
  return withTransaction(ctx.db, async (tx) => {
    // Serialise concurrent setups: only the first one finds no users.
    await tx.query('LOCK TABLE users IN EXCLUSIVE MODE');
    if ((await countUsers(tx)) > 0) throw new DomainError('setup_done', 'errors.setup_done');
    return insertUser(tx, { tenantId: ctx.consoleTenantId, email: u.email, name: u.name, passwordHash, role: 'admin', locale: u.locale });
  });
}

/**
 * The first admin, proven by the setup code. Wrong codes are limited per client address and over
 * all addresses (429); once an admin exists every attempt is a 409 and nothing can be guessed.
 */
export async function setupFirstAdmin(ctx: AppContext, input: unknown, client: ClientInfo = {}): Promise<User> {
  const v = parseInput(setupSchema, input);
  if (await isSetupDone(ctx)) throw new DomainError('setup_done', 'errors.setup_done');
  await ctx.authThrottle.beginSetup(client.ip);
  let expected = '';
  try {
    expected = fs.readFileSync(setupCodeFile(ctx.config.dataDir), 'utf8').trim();
  } catch {
    // no file: nothing can match
  }
  if (!expected || !safeEqual(v.setupCode.trim(), expected)) throw new DomainError('forbidden', 'errors.setup_code_wrong');
  await ctx.authThrottle.setupSucceeded(client.ip);
  const user = await createAdminOnce(ctx, v);
  fs.rmSync(setupCodeFile(ctx.config.dataDir), { force: true });
  return user;
}

/** The CLI path: whoever can run commands on the server may create the first admin. */
export async function createAdminFromCli(ctx: AppContext, input: unknown): Promise<User> {
  const v = parseInput(newUserSchema.omit({ role: true }), input);
  const user = await createAdminOnce(ctx, v);
  fs.rmSync(setupCodeFile(ctx.config.dataDir), { force: true });
  return user;
}

/**
 * Signs in: limited per account and per client address before the password is even checked (429
 * with Retry-After once the failures are used up), then a session row and its token.
 */
export async function login(ctx: AppContext, email: string, password: string, client: ClientInfo = {}): Promise<{ token: string; sessionId: string; user: User }> {
  await ctx.authThrottle.beginSignIn(email, client.ip);
  const found = await findUserWithHashByEmail(ctx.db, email);
  // Same work whether or not the e-mail exists, so timing does not reveal accounts.
  const ok = await verifyPassword(password, found?.passwordHash ?? (await DUMMY_HASH_PROMISE));
  // A CRM user's shadow account has no password: only its CRM signs it in.
  if (!found?.passwordHash || !ok || found.disabled) throw unauthorized('errors.login_failed');
  await ctx.authThrottle.signInSucceeded(email, client.ip);
  await touchLogin(ctx.db, found.id, ctx.clock.now());
  const { passwordHash: _hidden, ...user } = found;
  return { ...(await startSession(ctx.db, ctx.keys.session, user, client)), user };
}

/** A session for a user who has just proven who they are another way (the setup code). */
export async function sessionFor(ctx: AppContext, user: User, client: ClientInfo = {}): Promise<{ token: string; sessionId: string }> {
  await touchLogin(ctx.db, user.id, ctx.clock.now());
  return startSession(ctx.db, ctx.keys.session, user, client);
}

export const ownPasswordSchema = z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema }).strict();

/**
 * Self-service password change: the current password is checked (limited like a sign-in, so a
 * stolen session cannot be used to guess it), every session of the user ends — the others and
 * this one — and a fresh session is returned for the caller to continue with.
 */
export async function changeOwnPassword(ctx: AppContext, userId: string, input: unknown, client: ClientInfo = {}): Promise<{ token: string; sessionId: string; endedSessions: number }> {
  const v = parseInput(ownPasswordSchema, input);
  const user = await findUser(ctx.db, userId);
  if (!user || user.disabled) throw unauthorized('errors.session_invalid');
  // A CRM user's shadow account has no e-mail or password: their CRM signs them in.
  if (user.email === null) throw validationFailed([{ path: 'currentPassword', key: 'validation.crm_user_no_password' }]);
  const email = user.email;
  await ctx.authThrottle.beginSignIn(email, client.ip);
  const stored = await findPasswordHash(ctx.db, userId);
  if (!stored || !(await verifyPassword(v.currentPassword, stored))) {
    throw validationFailed([{ path: 'currentPassword', key: 'validation.current_password_wrong' }]);
  }
  await ctx.authThrottle.signInSucceeded(email, client.ip);
  // The current password was just verified: the same string is the same password.
  if (v.newPassword === v.currentPassword) throw validationFailed([{ path: 'newPassword', key: 'validation.password_unchanged' }]);
  const passwordHash = await hashPassword(v.newPassword);
  return withTransaction(ctx.db, async (tx) => {
    const version = await setPasswordHash(tx, userId, passwordHash);
    const ended = await endOtherSessions(tx, userId, null);
    const fresh = await startSession(tx, ctx.keys.session, { ...user, sessionVersion: version }, client);
    return { ...fresh, endedSessions: ended };
  });
}

export async function createUser(ctx: AppContext, tenantId: string, input: unknown): Promise<User> {
  const v = parseInput(newUserSchema, input);
  try {
    return await insertUser(ctx.db, { tenantId, email: v.email, name: v.name, passwordHash: await hashPassword(v.password), role: v.role, locale: v.locale });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('errors.email_taken', { email: v.email });
    throw e;
  }
}

export const userPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    role: z.enum(['admin', 'manager']).optional(),
    locale: z.enum(['ru', 'en']).optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .strict();

export async function changeUser(ctx: AppContext, tenantId: string, actorId: string, id: string, input: unknown): Promise<User> {
  const v = parseInput(userPatchSchema, input);
  if (id === actorId && (v.disabled === true || v.role === 'manager')) throw conflict('errors.cannot_demote_self');
  const u = await updateUser(ctx.db, tenantId, id, {
    name: v.name,
    role: v.role,
    locale: v.locale,
    disabled: v.disabled,
    passwordHash: v.password ? await hashPassword(v.password) : undefined,
  });
  if (!u) throw notFound('user', id);
  return u;
}

export const listTenantUsers = (ctx: AppContext, tenantId: string) => listUsers(ctx.db, tenantId);
