import type { Queryable } from './db.ts';
import type { User } from './users.repo.ts';

export interface Session {
  user: User;
  csrfToken: string;
  expiresAt: Date;
  /** Opened while two-factor sign-in is required and not yet set up: it may only set it up. */
  mustEnrolTwoFactor: boolean;
}

export async function insertSession(
  q: Queryable,
  s: { tokenDigest: string; userId: string; csrfToken: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await q.query(
    `insert into sessions (token_digest, user_id, csrf_token, created_at, expires_at)
     values ($1, $2, $3, $4, $5)`,
    [s.tokenDigest, s.userId, s.csrfToken, s.createdAt, s.expiresAt],
  );
}

/** The live session for a cookie's digest; none once it has expired or its user is disabled. */
export async function findSession(
  q: Queryable,
  tokenDigest: string,
  now: Date,
): Promise<Session | undefined> {
  const [row] = await q.query<
    User & { csrfToken: string; expiresAt: Date; mustEnrolTwoFactor: boolean }
  >(
    `select u.id, u.site_id as "siteId", st.name as "siteName", u.email, u.name, u.role,
            s.csrf_token as "csrfToken", s.expires_at as "expiresAt",
            s.must_enrol_two_factor as "mustEnrolTwoFactor"
     from sessions s join users u on u.id = s.user_id join sites st on st.id = u.site_id
     where s.token_digest = $1 and s.expires_at > $2 and u.disabled_at is null`,
    [tokenDigest, now],
  );
  if (!row) return undefined;
  const { csrfToken, expiresAt, mustEnrolTwoFactor, ...user } = row;
  return { user, csrfToken, expiresAt, mustEnrolTwoFactor };
}

export async function deleteSession(q: Queryable, tokenDigest: string): Promise<void> {
  await q.query('delete from sessions where token_digest = $1', [tokenDigest]);
}
