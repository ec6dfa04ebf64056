import { normaliseEmail } from '../../core/access/email.ts';
import { secondFactorSchema } from '../../core/access/schemas.ts';
import {
  ACCOUNT_POLICY,
  PAIR_POLICY,
  type ThrottlePolicy,
  waitRemaining,
} from '../../core/access/throttle.ts';
import { conflict, DomainError, invalid, RetryLaterError } from '../../core/errors.ts';
import {
  type LoginInput,
  loginSchema,
  type NewUserInput,
  newUserSchema,
} from '../../core/registry/schemas.ts';
import { parseInput } from '../../core/validation.ts';
import {
  addThrottleFailure,
  claimTotpStep,
  clearThrottle,
  deleteChallenge,
  describeSession,
  findChallenge,
  findSignInUserById,
  insertChallenge,
  pruneThrottle,
  readThrottle,
  recordSignIn,
  spendRecoveryCode,
} from '../../store/access.repo.ts';
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
import { findLoginByEmail, findUserById, insertUser, type User } from '../../store/users.repo.ts';
import { type AppContext, CLINICAL_ROLES } from '../context.ts';
import { digestToken, newSecretToken } from '../follow-up/tokens.ts';
import { assertUncommonPassword, hashPassword, verifyPassword } from './passwords.ts';
import { matchTotp, normaliseRecoveryCode } from './two-factor-codes.ts';

const SESSION_HOURS = 12;
/** Minutes between the right password and the second factor. */
const CHALLENGE_MINUTES = 5;

// Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
const UNKNOWN_USER_HASH = hashPassword(newSecretToken());

/** Where a sign-in comes from: the socket's address and the browser's own description. */
export interface SignInClient {
  address: string;
  userAgent: string;
}

export interface LoginResult {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
  /** The site requires two-factor sign-in and this user has not enrolled yet. */
  mustEnrolTwoFactor: boolean;
}

export type LoginOutcome =
  | ({ kind: 'signed-in' } & LoginResult)
  | { kind: 'second-factor'; challenge: string; expiresAt: Date };

/** The throttle keys of a sign-in: the account, and the account from this address. */
function throttleKeys(email: string, address: string) {
  const account = normaliseEmail(email);
  return { account: `account:${account}`, pair: `pair:${account}|${address}` };
}

/** Refuses, with the wait, while either key is still slowed down; the password is not tried. */
async function assertMayTry(ctx: AppContext, keys: { account: string; pair: string }) {
  const now = ctx.now();
  const state = await readThrottle(ctx.db, [keys.account, keys.pair]);
  const wait = (key: string, policy: ThrottlePolicy) => waitRemaining(state.get(key), now, policy);
  const ms = Math.max(wait(keys.pair, PAIR_POLICY), wait(keys.account, ACCOUNT_POLICY));
  if (ms > 0) {
    const seconds = Math.ceil(ms / 1000);
    throw new RetryLaterError(
      `Too many failed sign-ins for this account. Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`,
      seconds,
    );
  }
}

async function recordFailure(ctx: AppContext, keys: { account: string; pair: string }) {
  const now = ctx.now();
  const longest = Math.max(PAIR_POLICY.forgetAfterMs, ACCOUNT_POLICY.forgetAfterMs);
  // The account key forgets sooner than the pair key; the statement uses the pair's horizon
  // for both and waitRemaining() ignores account failures older than the account's.
  await addThrottleFailure(
    ctx.db,
    [keys.account, keys.pair],
    now,
    new Date(now.getTime() - PAIR_POLICY.forgetAfterMs),
  );
  // Now and then, forget keys nobody has failed under for a day.
  if (Math.random() < 0.02) await pruneThrottle(ctx.db, new Date(now.getTime() - longest));
}

export async function login(
  ctx: AppContext,
  body: unknown,
  client: SignInClient = { address: 'unknown', userAgent: '' },
): Promise<LoginOutcome> {
  const input: LoginInput = parseInput(loginSchema, body);
  const email = normaliseEmail(input.email);
  const keys = throttleKeys(email, client.address);
  await assertMayTry(ctx, keys);
  const found = await findLoginByEmail(ctx.db, email);
  const ok = await verifyPassword(input.password, found?.passwordHash ?? (await UNKNOWN_USER_HASH));
  if (!found?.passwordHash || !ok) {
    await recordFailure(ctx, keys);
    throw new DomainError('unauthenticated', 'Email or password is not right');
  }
  if (found.totpSecret) {
    const challenge = newSecretToken();
    const expiresAt = new Date(ctx.now().getTime() + CHALLENGE_MINUTES * 60_000);
    await insertChallenge(ctx.db, {
      digest: digestToken(challenge),
      userId: found.id,
      clientAddress: client.address,
      expiresAt,
    });
    return { kind: 'second-factor', challenge, expiresAt };
  }
  return { kind: 'signed-in', ...(await openSession(ctx, found.id, client, keys)) };
}

/** The second step of a two-factor sign-in: a code from the app, or a recovery code. */
export async function verifySecondFactor(
  ctx: AppContext,
  body: unknown,
  client: SignInClient = { address: 'unknown', userAgent: '' },
): Promise<LoginOutcome> {
  const input = parseInput(secondFactorSchema, body);
  const digest = digestToken(input.challenge);
  const challenge = await findChallenge(ctx.db, digest, ctx.now());
  const user = challenge && (await findSignInUserById(ctx.db, challenge.userId));
  if (!user?.totpSecret)
    throw new DomainError('unauthenticated', 'This sign-in has expired; sign in again');
  const keys = throttleKeys(user.email, client.address);
  await assertMayTry(ctx, keys);
  const now = ctx.now();
  const code = input.code.replace(/\s/g, '');
  let accepted = false;
  if (/^\d{6}$/.test(code)) {
    const step = matchTotp(user.totpSecret, code, now);
    accepted = step !== null && (await claimTotpStep(ctx.db, user.id, step));
  } else {
    accepted = await spendRecoveryCode(
      ctx.db,
      user.id,
      digestToken(normaliseRecoveryCode(code)),
      now,
    );
  }
  if (!accepted) {
    await recordFailure(ctx, keys);
    throw new DomainError('unauthenticated', 'That code is not right, or was used already', [
      { field: 'code', message: 'Not right, or used already' },
    ]);
  }
  await deleteChallenge(ctx.db, digest, now);
  return { kind: 'signed-in', ...(await openSession(ctx, user.id, client, keys)) };
}

async function openSession(
  ctx: AppContext,
  userId: string,
  client: SignInClient,
  keys: { account: string; pair: string },
): Promise<LoginResult> {
  const user = await findUserById(ctx.db, userId);
  const signIn = await findSignInUserById(ctx.db, userId);
  if (!user || !signIn) throw new DomainError('unauthenticated', 'Email or password is not right');
  const mustEnrolTwoFactor =
    signIn.requireTwoFactor && !signIn.totpSecret && CLINICAL_ROLES.includes(user.role);
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
    await describeSession(tx, digestToken(sessionToken), {
      clientAddress: client.address,
      userAgent: client.userAgent,
      mustEnrol: mustEnrolTwoFactor,
    });
    await recordSignIn(tx, user.id, now);
    // A success from this address ends its slowing down; the account's own count decays.
    await clearThrottle(tx, [keys.pair]);
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
  return { sessionToken, csrfToken, expiresAt, user, mustEnrolTwoFactor };
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
  await assertUncommonPassword(input.password, 'password');
  const name = siteName.trim();
  if (!name)
    throw invalid('Site name is required', [{ field: 'site', message: 'Site name is required' }]);
  const site = (await findSiteByName(q, name)) ?? (await createSite(q, name));
  try {
    return await insertUser(q, {
      siteId: site.id,
      email: normaliseEmail(input.email),
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
