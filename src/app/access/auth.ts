import { conflict, DomainError, invalid } from '../../core/errors.ts';
import {
  type LoginInput,
  loginSchema,
  type NewUserInput,
  newUserSchema,
} from '../../core/registry/schemas.ts';
import { parseInput } from '../../core/validation.ts';
import { appendAudit } from '../../store/audit.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { isUniqueViolation } from '../../store/scope.ts';
import {
  deleteSession,
  findSession,
  insertSession,
  type Session,
} from '../../store/sessions.repo.ts';
import { createSite, findSiteByName } from '../../store/sites.repo.ts';
import { findLoginByEmail, insertUser, type User } from '../../store/users.repo.ts';
import type { AppContext } from '../context.ts';
import { digestToken, newSecretToken } from '../follow-up/tokens.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

const SESSION_HOURS = 12;

// Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
const UNKNOWN_USER_HASH = hashPassword(newSecretToken());

export interface LoginResult {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
}

export async function login(ctx: AppContext, body: unknown): Promise<LoginResult> {
  const input: LoginInput = parseInput(loginSchema, body);
  const found = await findLoginByEmail(ctx.db, input.email);
  const ok = await verifyPassword(input.password, found?.passwordHash ?? (await UNKNOWN_USER_HASH));
  if (!found || !ok) throw new DomainError('unauthenticated', 'Email or password is not right');
  const { passwordHash: _hash, ...user } = found;
  const sessionToken = newSecretToken();
  const csrfToken = newSecretToken();
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  await ctx.db.transaction(async (tx) => {
    await insertSession(tx, {
      tokenDigest: digestToken(sessionToken),
      userId: user.id,
      csrfToken,
      createdAt: now,
      expiresAt,
    });
    await appendAudit(tx, {
      siteId: user.siteId,
      actorKind: 'user',
      actorUserId: user.id,
      action: 'login',
      entity: 'user',
      entityId: user.id,
      patientId: null,
    });
  });
  return { sessionToken, csrfToken, expiresAt, user };
}

export function sessionFor(ctx: AppContext, sessionToken: string): Promise<Session | undefined> {
  return findSession(ctx.db, digestToken(sessionToken), ctx.now());
}

export function logout(ctx: AppContext, sessionToken: string): Promise<void> {
  return deleteSession(ctx.db, digestToken(sessionToken));
}

/** Creates a user at the named site, creating the site if it does not exist yet. */
export async function createUser(q: Queryable, siteName: string, body: unknown): Promise<User> {
  const input: NewUserInput = parseInput(newUserSchema, body);
  const name = siteName.trim();
  if (!name)
    throw invalid('Site name is required', [{ field: 'site', message: 'Site name is required' }]);
  const site = (await findSiteByName(q, name)) ?? (await createSite(q, name));
  try {
    return await insertUser(q, {
      siteId: site.id,
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`A user with e-mail ${input.email} already exists`, 'email');
    throw error;
  }
}
