import type { Role } from '../core/registry/vocabulary.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

/** A user as the site's admin sees them. */
export interface UserListing {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'invited' | 'deactivated';
  lastSignInAt: Date | null;
  twoFactor: boolean;
  createdAt: Date;
}

export async function listSiteUsers(q: Queryable, scope: SiteScope): Promise<UserListing[]> {
  return q.query<UserListing>(
    `select id, email, name, role,
            case when disabled_at is not null then 'deactivated'
                 when password_hash is null then 'invited' else 'active' end as status,
            last_sign_in_at as "lastSignInAt", totp_secret is not null as "twoFactor",
            created_at as "createdAt"
     from users where site_id = $1 order by lower(name), lower(email)`,
    [scope.siteId],
  );
}

/** A user of the site, active or not; undefined when the id is another site's. */
export async function findSiteUser(
  q: Queryable,
  scope: SiteScope,
  id: string,
): Promise<UserListing | undefined> {
  return (await listSiteUsers(q, scope)).find((u) => u.id === id);
}

export async function setUserRole(
  q: Queryable,
  scope: SiteScope,
  id: string,
  role: Role,
): Promise<boolean> {
  const rows = await q.query(
    'update users set role = $3 where id = $2 and site_id = $1 and disabled_at is null returning id',
    [scope.siteId, id, role],
  );
  return rows.length > 0;
}

/** Deactivates the user and ends every session of theirs in the same statement's transaction. */
export async function deactivateUser(
  q: Queryable,
  scope: SiteScope,
  id: string,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update users set disabled_at = $3 where id = $2 and site_id = $1 and disabled_at is null
     returning id`,
    [scope.siteId, id, now],
  );
  if (rows.length === 0) return false;
  await endSessions(q, id);
  await q.query('delete from account_tokens where user_id = $1 and used_at is null', [id]);
  return true;
}

export async function countActiveAdmins(q: Queryable, scope: SiteScope): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `select count(*)::int as n from users
     where site_id = $1 and role = 'admin' and disabled_at is null`,
    [scope.siteId],
  );
  return row?.n ?? 0;
}

// --- sign-in bookkeeping --------------------------------------------------------------

export interface SignInUser {
  id: string;
  siteId: string;
  email: string;
  role: Role;
  passwordHash: string | null;
  totpSecret: string | null;
  requireTwoFactor: boolean;
}

export async function findSignInUserById(
  q: Queryable,
  id: string,
): Promise<SignInUser | undefined> {
  const [row] = await q.query<SignInUser>(
    `select u.id, u.site_id as "siteId", u.email, u.role, u.password_hash as "passwordHash",
            u.totp_secret as "totpSecret", s.require_two_factor as "requireTwoFactor"
     from users u join sites s on s.id = u.site_id
     where u.id = $1 and u.disabled_at is null`,
    [id],
  );
  return row;
}

export async function recordSignIn(q: Queryable, userId: string, now: Date): Promise<void> {
  await q.query('update users set last_sign_in_at = $2 where id = $1', [userId, now]);
}

export async function setPasswordHash(q: Queryable, userId: string, hash: string): Promise<void> {
  await q.query('update users set password_hash = $2 where id = $1', [userId, hash]);
}

// --- sessions -------------------------------------------------------------------------

export interface SessionListing {
  /** A handle that names the session without being able to open it. */
  id: string;
  createdAt: Date;
  expiresAt: Date;
  clientAddress: string | null;
  userAgent: string | null;
  current: boolean;
}

export async function listUserSessions(
  q: Queryable,
  userId: string,
  currentDigest: string,
  now: Date,
): Promise<SessionListing[]> {
  return q.query<SessionListing>(
    `select left(encode(sha256(convert_to(token_digest, 'UTF8')), 'hex'), 16) as id,
            created_at as "createdAt", expires_at as "expiresAt",
            client_address as "clientAddress", user_agent as "userAgent",
            token_digest = $2 as current
     from sessions where user_id = $1 and expires_at > $3 order by created_at desc`,
    [userId, currentDigest, now],
  );
}

/** Ends every session of the user, but the one named by `exceptDigest` if given. */
export async function endSessions(
  q: Queryable,
  userId: string,
  exceptDigest?: string,
): Promise<number> {
  const rows = await q.query(
    'delete from sessions where user_id = $1 and token_digest <> $2 returning user_id',
    [userId, exceptDigest ?? ''],
  );
  return rows.length;
}

export async function sessionNeedsEnrolment(q: Queryable, digest: string): Promise<boolean> {
  const [row] = await q.query<{ must: boolean }>(
    'select must_enrol_two_factor as must from sessions where token_digest = $1',
    [digest],
  );
  return row?.must ?? false;
}

export async function markSessionEnrolled(q: Queryable, userId: string): Promise<void> {
  await q.query('update sessions set must_enrol_two_factor = false where user_id = $1', [userId]);
}

export async function describeSession(
  q: Queryable,
  digest: string,
  s: { clientAddress: string; userAgent: string; mustEnrol: boolean },
): Promise<void> {
  await q.query(
    `update sessions set client_address = $2, user_agent = $3, must_enrol_two_factor = $4
     where token_digest = $1`,
    [digest, s.clientAddress, s.userAgent.slice(0, 300), s.mustEnrol],
  );
}

// --- single-use links -------------------------------------------------------------------

export async function insertAccountToken(
  q: Queryable,
  t: {
    digest: string;
    userId: string;
    purpose: 'invite' | 'reset';
    createdAt: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await q.query(
    `insert into account_tokens (token_digest, user_id, purpose, created_at, expires_at)
     values ($1, $2, $3, $4, $5)`,
    [t.digest, t.userId, t.purpose, t.createdAt, t.expiresAt],
  );
}

/** Uses the link once: a second use, an expired link or a deactivated user finds nothing. */
export async function spendAccountToken(
  q: Queryable,
  digest: string,
  now: Date,
): Promise<{ userId: string; purpose: 'invite' | 'reset'; siteId: string } | undefined> {
  const [row] = await q.query<{ userId: string; purpose: 'invite' | 'reset'; siteId: string }>(
    `update account_tokens t set used_at = $2
     from users u
     where t.token_digest = $1 and t.used_at is null and t.expires_at > $2
       and u.id = t.user_id and u.disabled_at is null
     returning t.user_id as "userId", t.purpose, u.site_id as "siteId"`,
    [digest, now],
  );
  return row;
}

export async function peekAccountToken(
  q: Queryable,
  digest: string,
  now: Date,
): Promise<{ email: string; name: string; purpose: 'invite' | 'reset' } | undefined> {
  const [row] = await q.query<{ email: string; name: string; purpose: 'invite' | 'reset' }>(
    `select u.email, u.name, t.purpose from account_tokens t join users u on u.id = t.user_id
     where t.token_digest = $1 and t.used_at is null and t.expires_at > $2
       and u.disabled_at is null`,
    [digest, now],
  );
  return row;
}

/** A new link replaces any earlier unused one of the same purpose. */
export async function revokeAccountTokens(
  q: Queryable,
  userId: string,
  purpose: 'invite' | 'reset',
): Promise<void> {
  await q.query(
    'delete from account_tokens where user_id = $1 and purpose = $2 and used_at is null',
    [userId, purpose],
  );
}

// --- two-factor -------------------------------------------------------------------------

export async function setPendingTotpSecret(
  q: Queryable,
  userId: string,
  secret: string,
): Promise<void> {
  await q.query('update users set totp_pending_secret = $2 where id = $1', [userId, secret]);
}

export async function findTotpState(
  q: Queryable,
  userId: string,
): Promise<{ secret: string | null; pending: string | null } | undefined> {
  const [row] = await q.query<{ secret: string | null; pending: string | null }>(
    'select totp_secret as secret, totp_pending_secret as pending from users where id = $1',
    [userId],
  );
  return row;
}

/** Makes the pending secret the user's, and replaces the recovery codes, at once. */
export async function confirmTotp(
  q: Queryable,
  userId: string,
  step: number,
  codeDigests: string[],
): Promise<boolean> {
  const rows = await q.query(
    `update users set totp_secret = totp_pending_secret, totp_pending_secret = null,
            totp_last_step = $2
     where id = $1 and totp_pending_secret is not null returning id`,
    [userId, step],
  );
  if (rows.length === 0) return false;
  await replaceRecoveryCodes(q, userId, codeDigests);
  return true;
}

/** A new set of recovery codes; every earlier one, used or not, stops working. */
export async function replaceRecoveryCodes(
  q: Queryable,
  userId: string,
  codeDigests: string[],
): Promise<void> {
  await q.query('delete from recovery_codes where user_id = $1', [userId]);
  for (const digest of codeDigests)
    await q.query('insert into recovery_codes (user_id, code_digest) values ($1, $2)', [
      userId,
      digest,
    ]);
}

/** Two-factor sign-in off: the secret, any half-finished set-up and the recovery codes go. */
export async function removeTotp(q: Queryable, userId: string): Promise<boolean> {
  const rows = await q.query(
    `update users set totp_secret = null, totp_pending_secret = null
     where id = $1 and totp_secret is not null returning id`,
    [userId],
  );
  await q.query('delete from recovery_codes where user_id = $1', [userId]);
  return rows.length > 0;
}

/** Takes a code's time step once: a replayed or older code finds nothing. */
export async function claimTotpStep(q: Queryable, userId: string, step: number): Promise<boolean> {
  const rows = await q.query(
    `update users set totp_last_step = $2
     where id = $1 and (totp_last_step is null or totp_last_step < $2) returning id`,
    [userId, step],
  );
  return rows.length > 0;
}

export async function spendRecoveryCode(
  q: Queryable,
  userId: string,
  digest: string,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update recovery_codes set used_at = $3
     where user_id = $1 and code_digest = $2 and used_at is null returning user_id`,
    [userId, digest, now],
  );
  return rows.length > 0;
}

export async function countRecoveryCodesLeft(q: Queryable, userId: string): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    'select count(*)::int as n from recovery_codes where user_id = $1 and used_at is null',
    [userId],
  );
  return row?.n ?? 0;
}

export async function insertChallenge(
  q: Queryable,
  c: { digest: string; userId: string; clientAddress: string; expiresAt: Date },
): Promise<void> {
  await q.query(
    `insert into sign_in_challenges (token_digest, user_id, client_address, expires_at)
     values ($1, $2, $3, $4)`,
    [c.digest, c.userId, c.clientAddress, c.expiresAt],
  );
}

export async function findChallenge(
  q: Queryable,
  digest: string,
  now: Date,
): Promise<{ userId: string } | undefined> {
  const [row] = await q.query<{ userId: string }>(
    'select user_id as "userId" from sign_in_challenges where token_digest = $1 and expires_at > $2',
    [digest, now],
  );
  return row;
}

export async function deleteChallenge(q: Queryable, digest: string, now: Date): Promise<void> {
  await q.query('delete from sign_in_challenges where token_digest = $1 or expires_at <= $2', [
    digest,
    now,
  ]);
}

export async function setSiteRequiresTwoFactor(
  q: Queryable,
  scope: SiteScope,
  required: boolean,
): Promise<void> {
  await q.query('update sites set require_two_factor = $2 where id = $1', [scope.siteId, required]);
}

export async function siteRequiresTwoFactor(q: Queryable, scope: SiteScope): Promise<boolean> {
  const [row] = await q.query<{ r: boolean }>(
    'select require_two_factor as r from sites where id = $1',
    [scope.siteId],
  );
  return row?.r ?? false;
}

// --- throttling -------------------------------------------------------------------------

export interface ThrottleState {
  failures: number;
  lastFailureAt: Date;
}

/** The failures counted under each key; keys with none are absent. */
export async function readThrottle(
  q: Queryable,
  keys: string[],
): Promise<Map<string, ThrottleState>> {
  const rows = await q.query<ThrottleState & { key: string }>(
    `select key, failures, last_failure_at as "lastFailureAt" from sign_in_throttle
     where key = any($1::text[])`,
    [keys],
  );
  return new Map(rows.map(({ key, ...s }) => [key, s]));
}

/**
 * Counts one more failure under each key in one statement, starting again from one when the
 * last failure is older than `forgetBefore`; atomic, so processes sharing the database agree.
 */
export async function addThrottleFailure(
  q: Queryable,
  keys: string[],
  now: Date,
  forgetBefore: Date,
): Promise<void> {
  await q.query(
    `insert into sign_in_throttle (key, failures, last_failure_at)
     select k, 1, $2 from unnest($1::text[]) as k
     on conflict (key) do update set
       failures = case when sign_in_throttle.last_failure_at < $3 then 1
                       else sign_in_throttle.failures + 1 end,
       last_failure_at = $2`,
    [keys, now, forgetBefore],
  );
}

export async function clearThrottle(q: Queryable, keys: string[]): Promise<void> {
  await q.query('delete from sign_in_throttle where key = any($1::text[])', [keys]);
}

/** Forgets keys whose last failure is long past, so the table stays small. */
export async function pruneThrottle(q: Queryable, before: Date): Promise<void> {
  await q.query('delete from sign_in_throttle where last_failure_at < $1', [before]);
}

// --- registry flags ---------------------------------------------------------------------

export async function setRegistryFlag(q: Queryable, name: string): Promise<void> {
  await q.query('insert into registry_flags (name) values ($1) on conflict (name) do nothing', [
    name,
  ]);
}

export async function hasRegistryFlag(q: Queryable, name: string): Promise<boolean> {
  const rows = await q.query('select 1 from registry_flags where name = $1', [name]);
  return rows.length > 0;
}
