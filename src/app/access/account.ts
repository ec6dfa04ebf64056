import { normaliseEmail } from '../../core/access/email.ts';
import {
  changePasswordSchema,
  confirmTwoFactorSchema,
  disableTwoFactorSchema,
  newRecoveryCodesSchema,
  passwordResetRequestSchema,
  setPasswordSchema,
} from '../../core/access/schemas.ts';
import { PAIR_POLICY, type ThrottlePolicy, waitRemaining } from '../../core/access/throttle.ts';
import {
  conflict,
  DomainError,
  forbidden,
  gone,
  invalid,
  RetryLaterError,
} from '../../core/errors.ts';
import { parseInput } from '../../core/validation.ts';
import {
  addThrottleFailure,
  claimTotpStep,
  clearThrottle,
  confirmTotp,
  countRecoveryCodesLeft,
  endSessions,
  findSignInUserById,
  findTotpState,
  insertAccountToken,
  listUserSessions,
  markSessionEnrolled,
  readThrottle,
  removeTotp,
  replaceRecoveryCodes,
  revokeAccountTokens,
  type SessionListing,
  setPasswordHash,
  setPendingTotpSecret,
  spendAccountToken,
  spendRecoveryCode,
} from '../../store/access.repo.ts';
import { appendAudit } from '../../store/audit.repo.ts';
import { findLoginByEmail } from '../../store/users.repo.ts';
import { type AppContext, auditUser, CLINICAL_ROLES, type UserActor } from '../context.ts';
import { digestToken, looksLikeToken, newSecretToken } from '../follow-up/tokens.ts';
import { queueAccountEmail } from './account-mail.ts';
import { assertUncommonPassword, hashPassword, verifyPassword } from './passwords.ts';
import {
  enrolmentFor,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
} from './two-factor-codes.ts';
import { RESET_MINUTES } from './users.ts';

/** Reset e-mails per address: three an hour, then silently none (the answer stays the same). */
const RESET_PER_ACCOUNT: ThrottlePolicy = {
  freeFailures: 3,
  firstDelayMs: 3_600_000,
  maxDelayMs: 3_600_000,
  forgetAfterMs: 3_600_000,
};
/** Reset requests per client address: twenty free, then slowed like sign-in guesses. */
const RESET_PER_CLIENT: ThrottlePolicy = { ...PAIR_POLICY, freeFailures: 20 };

/**
 * Self-service reset: the same answer whether or not the address has an account, so the
 * form cannot be used to learn who works where.
 */
export async function requestPasswordReset(
  ctx: AppContext,
  body: unknown,
  clientAddress: string,
): Promise<{ message: string }> {
  const input = parseInput(passwordResetRequestSchema, body);
  const now = ctx.now();
  const clientKey = `reset-from:${clientAddress}`;
  const accountKey = `reset:${normaliseEmail(input.email)}`;
  const state = await readThrottle(ctx.db, [clientKey, accountKey]);
  const wait = waitRemaining(state.get(clientKey), now, RESET_PER_CLIENT);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new RetryLaterError(`Too many requests. Wait ${seconds} seconds and try again.`, seconds);
  }
  const forget = new Date(now.getTime() - RESET_PER_CLIENT.forgetAfterMs);
  await addThrottleFailure(ctx.db, [clientKey, accountKey], now, forget);
  const message = ctx.mail
    ? `If an account uses ${input.email}, a link to set a new password is on its way. It works once, within ${RESET_MINUTES} minutes.`
    : 'E-mail is off at this registry, so no link can be sent. Ask your administrator for a new sign-in link.';
  if (!ctx.mail || waitRemaining(state.get(accountKey), now, RESET_PER_ACCOUNT) > 0)
    return { message };
  const user = await findLoginByEmail(ctx.db, input.email);
  if (!user) return { message };
  const mail = ctx.mail;
  await ctx.db.transaction(async (tx) => {
    const token = newSecretToken();
    await revokeAccountTokens(tx, user.id, 'reset');
    await insertAccountToken(tx, {
      digest: digestToken(token),
      userId: user.id,
      purpose: 'reset',
      createdAt: now,
      expiresAt: new Date(now.getTime() + RESET_MINUTES * 60_000),
    });
    await queueAccountEmail(tx, mail, {
      userId: user.id,
      siteId: user.siteId,
      purpose: 'reset',
      token,
    });
  });
  return { message };
}

/**
 * Sets the password from an invitation or reset link, once. Every session of the user ends:
 * whoever knew the old password is signed out.
 */
export async function setPasswordFromLink(
  ctx: AppContext,
  body: unknown,
): Promise<{ ok: true; message: string }> {
  const input = parseInput(setPasswordSchema, body);
  if (!looksLikeToken(input.token))
    throw invalid('This link is incomplete; open it again from the e-mail or message', [
      { field: 'token', message: 'Incomplete link' },
    ]);
  await assertUncommonPassword(input.password, 'password');
  const hash = await hashPassword(input.password);
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const used = await spendAccountToken(tx, digestToken(input.token), now);
    if (!used) throw gone('This link has expired or was used already. Ask for a new one.');
    await setPasswordHash(tx, used.userId, hash);
    await revokeAccountTokens(tx, used.userId, 'reset');
    await endSessions(tx, used.userId);
    await appendAudit(tx, {
      siteId: used.siteId,
      actorKind: 'user',
      actorUserId: used.userId,
      action: used.purpose === 'invite' ? 'accept-invitation' : 'reset-password',
      entity: 'user',
      entityId: used.userId,
      patientId: null,
    });
  });
  return { ok: true, message: 'Your password is set. Sign in with it now.' };
}

/** Needs the current password (guesses at it are slowed as sign-in guesses are). */
export async function changePassword(
  ctx: AppContext,
  actor: UserActor,
  sessionDigest: string,
  body: unknown,
  clientAddress: string,
): Promise<{ ok: true; endedSessions: number }> {
  const input = parseInput(changePasswordSchema, body);
  const user = await findSignInUserById(ctx.db, actor.user.id);
  if (!user) throw new DomainError('unauthenticated', 'Please sign in');
  const key = `change:${user.id}|${clientAddress}`;
  const now = ctx.now();
  const wait = waitRemaining((await readThrottle(ctx.db, [key])).get(key), now, PAIR_POLICY);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new RetryLaterError(`Too many wrong tries. Wait ${seconds} seconds.`, seconds);
  }
  if (!user.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    await addThrottleFailure(
      ctx.db,
      [key],
      now,
      new Date(now.getTime() - PAIR_POLICY.forgetAfterMs),
    );
    throw invalid('Your current password is not right', [
      { field: 'currentPassword', message: 'Not right' },
    ]);
  }
  await assertUncommonPassword(input.newPassword, 'newPassword');
  const hash = await hashPassword(input.newPassword);
  return ctx.db.transaction(async (tx) => {
    await setPasswordHash(tx, user.id, hash);
    await clearThrottle(tx, [key]);
    const ended = await endSessions(tx, user.id, sessionDigest);
    await appendAudit(tx, {
      siteId: user.siteId,
      actorKind: 'user',
      actorUserId: user.id,
      action: 'change-password',
      entity: 'user',
      entityId: user.id,
      patientId: null,
    });
    return { ok: true as const, endedSessions: ended };
  });
}

export function listSessions(
  ctx: AppContext,
  actor: UserActor,
  sessionDigest: string,
): Promise<SessionListing[]> {
  return listUserSessions(ctx.db, actor.user.id, sessionDigest, ctx.now());
}

/** "Sign out everywhere else": every session of the user but this one ends. */
export async function endOtherSessions(
  ctx: AppContext,
  actor: UserActor,
  sessionDigest: string,
): Promise<{ ended: number }> {
  return ctx.db.transaction(async (tx) => {
    const ended = await endSessions(tx, actor.user.id, sessionDigest);
    await auditUser(tx, actor, 'end-other-sessions', 'user', actor.user.id, null, { ended });
    return { ended };
  });
}

// --- two-factor enrolment ---------------------------------------------------------------

export async function twoFactorStatus(ctx: AppContext, actor: UserActor) {
  const user = await findSignInUserById(ctx.db, actor.user.id);
  return {
    enabled: Boolean(user?.totpSecret),
    required: Boolean(user?.requireTwoFactor && CLINICAL_ROLES.includes(actor.user.role)),
    recoveryCodesLeft: await countRecoveryCodesLeft(ctx.db, actor.user.id),
  };
}

/** A new secret to add to an authenticator app: as a QR code, and as text to type. */
export async function startTwoFactor(ctx: AppContext, actor: UserActor) {
  const state = await findTotpState(ctx.db, actor.user.id);
  if (state?.secret) throw conflict('Two-factor sign-in is already set up for you');
  const secret = newTotpSecret();
  await setPendingTotpSecret(ctx.db, actor.user.id, secret);
  return { secret, ...enrolmentFor(secret, actor.user.email) };
}

/** The first right code proves the app holds the secret; recovery codes are shown once. */
export async function confirmTwoFactor(ctx: AppContext, actor: UserActor, body: unknown) {
  const input = parseInput(confirmTwoFactorSchema, body);
  const state = await findTotpState(ctx.db, actor.user.id);
  if (state?.secret) throw conflict('Two-factor sign-in is already set up for you');
  if (!state?.pending)
    throw invalid('Start setting up two-factor sign-in first', [
      { field: 'code', message: 'Start the set-up first' },
    ]);
  const step = matchTotp(state.pending, input.code, ctx.now());
  if (step === null)
    throw invalid('That code is not right; check the time on your phone and try the next one', [
      { field: 'code', message: 'Not right' },
    ]);
  const codes = newRecoveryCodes();
  await ctx.db.transaction(async (tx) => {
    const digests = codes.map((c) => digestToken(normaliseRecoveryCode(c)));
    if (!(await confirmTotp(tx, actor.user.id, step, digests)))
      throw conflict('Two-factor sign-in is already set up for you');
    await markSessionEnrolled(tx, actor.user.id);
    await auditUser(tx, actor, 'enrol-two-factor', 'user', actor.user.id, null);
  });
  return { enabled: true, recoveryCodes: codes };
}

/**
 * Guesses at a password or code on the account page are slowed as sign-in guesses are, per
 * user and address. Returns the key, to record a failure under or clear after a success.
 */
async function assertMayGuess(ctx: AppContext, what: string, userId: string, address: string) {
  const key = `${what}:${userId}|${address}`;
  const wait = waitRemaining((await readThrottle(ctx.db, [key])).get(key), ctx.now(), PAIR_POLICY);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new RetryLaterError(`Too many wrong tries. Wait ${seconds} seconds.`, seconds);
  }
  return key;
}

function recordWrongGuess(ctx: AppContext, key: string) {
  const now = ctx.now();
  return addThrottleFailure(
    ctx.db,
    [key],
    now,
    new Date(now.getTime() - PAIR_POLICY.forgetAfterMs),
  );
}

const WRONG_CODE = 'That code is not right, or was used already';

/**
 * Turns two-factor sign-in off: needs the current password and a code from the app (or an
 * unused recovery code). Refused while the registry requires it for the user's role.
 */
export async function disableTwoFactor(
  ctx: AppContext,
  actor: UserActor,
  body: unknown,
  clientAddress: string,
): Promise<{ enabled: false }> {
  const input = parseInput(disableTwoFactorSchema, body);
  const user = await findSignInUserById(ctx.db, actor.user.id);
  if (!user) throw new DomainError('unauthenticated', 'Please sign in');
  if (!user.totpSecret) throw conflict('Two-factor sign-in is not on for you', 'code');
  if (user.requireTwoFactor && CLINICAL_ROLES.includes(actor.user.role))
    throw forbidden(
      'Your clinic requires two-factor sign-in for your role, so it cannot be turned off. An administrator can change that setting.',
    );
  const key = await assertMayGuess(ctx, 'two-factor-off', user.id, clientAddress);
  if (!user.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    await recordWrongGuess(ctx, key);
    throw invalid('Your current password is not right', [
      { field: 'currentPassword', message: 'Not right' },
    ]);
  }
  const secret = user.totpSecret;
  // A wrong code changes nothing in the transaction; its failure is counted after it.
  const done = await ctx.db.transaction(async (tx) => {
    const code = input.code.replace(/\s/g, '');
    const now = ctx.now();
    let accepted = false;
    if (/^\d{6}$/.test(code)) {
      const step = matchTotp(secret, code, now);
      accepted = step !== null && (await claimTotpStep(tx, user.id, step));
    } else {
      accepted = await spendRecoveryCode(
        tx,
        user.id,
        digestToken(normaliseRecoveryCode(code)),
        now,
      );
    }
    if (!accepted) return false;
    if (!(await removeTotp(tx, user.id)))
      throw conflict('Two-factor sign-in is not on for you', 'code');
    await clearThrottle(tx, [key]);
    await appendAudit(tx, {
      siteId: user.siteId,
      actorKind: 'user',
      actorUserId: user.id,
      action: 'disable-two-factor',
      entity: 'user',
      entityId: user.id,
      patientId: null,
    });
    return true;
  });
  if (!done) {
    await recordWrongGuess(ctx, key);
    throw invalid(WRONG_CODE, [{ field: 'code', message: 'Not right, or used already' }]);
  }
  return { enabled: false };
}

/** Ten new recovery codes, shown once; the earlier ones stop working at once. */
export async function regenerateRecoveryCodes(
  ctx: AppContext,
  actor: UserActor,
  body: unknown,
  clientAddress: string,
): Promise<{ recoveryCodes: string[] }> {
  const input = parseInput(newRecoveryCodesSchema, body);
  const state = await findTotpState(ctx.db, actor.user.id);
  if (!state?.secret)
    throw conflict('Set up two-factor sign-in first; recovery codes come with it', 'code');
  const secret = state.secret;
  const key = await assertMayGuess(ctx, 'recovery-codes', actor.user.id, clientAddress);
  const codes = newRecoveryCodes();
  const done = await ctx.db.transaction(async (tx) => {
    const step = matchTotp(secret, input.code, ctx.now());
    if (step === null || !(await claimTotpStep(tx, actor.user.id, step))) return false;
    await replaceRecoveryCodes(
      tx,
      actor.user.id,
      codes.map((c) => digestToken(normaliseRecoveryCode(c))),
    );
    await clearThrottle(tx, [key]);
    await auditUser(tx, actor, 'regenerate-recovery-codes', 'user', actor.user.id, null);
    return true;
  });
  if (!done) {
    await recordWrongGuess(ctx, key);
    throw invalid(WRONG_CODE, [{ field: 'code', message: 'Not right, or used already' }]);
  }
  return { recoveryCodes: codes };
}
