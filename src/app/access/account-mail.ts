import { appendAudit } from '../../store/audit.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { enqueueJob, type Job } from '../../store/jobs.repo.ts';
import type { AppContext } from '../context.ts';
import { type MailSettings, openSecret, sealSecret } from '../follow-up/mail.ts';
import { digestToken } from '../follow-up/tokens.ts';

export const ACCOUNT_EMAIL_JOB = 'account-email';

/** The page a set-password link opens; the token rides in the fragment, never sent to a server log. */
export function setPasswordLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/set-password#${token}`;
}

/**
 * Queues the e-mail carrying an invitation or reset link, in the caller's transaction, with
 * the link sealed as survey links are: the database keeps only the token's digest.
 */
export async function queueAccountEmail(
  q: Queryable,
  mail: MailSettings,
  a: { userId: string; siteId: string; purpose: 'invite' | 'reset'; token: string },
): Promise<void> {
  await enqueueJob(q, {
    kind: ACCOUNT_EMAIL_JOB,
    payload: { userId: a.userId, purpose: a.purpose, sealedToken: sealSecret(mail.key, a.token) },
    runAt: new Date(0),
    dedupeKey: `${ACCOUNT_EMAIL_JOB}:${digestToken(a.token)}`,
    siteId: a.siteId,
    maxAttempts: 4,
  });
}

/** Sends one queued account e-mail, unless its link was used, revoked or has expired. */
export function accountEmailHandler(ctx: AppContext, mail: MailSettings) {
  return async (job: Job) => {
    const { userId, purpose, sealedToken } = job.payload as {
      userId: string;
      purpose: 'invite' | 'reset';
      sealedToken: string;
    };
    const token = openSecret(mail.key, sealedToken);
    const [row] = await ctx.db.query<{ email: string; name: string; site: string; siteId: string }>(
      `select u.email, u.name, s.name as site, s.id as "siteId"
       from account_tokens t join users u on u.id = t.user_id join sites s on s.id = u.site_id
       where t.token_digest = $1 and t.user_id = $2 and t.used_at is null and t.expires_at > $3
         and u.disabled_at is null`,
      [digestToken(token), userId, ctx.now()],
    );
    if (!row) return; // used, replaced or expired: nothing to send
    const link = setPasswordLink(ctx.publicUrl, token);
    const text =
      purpose === 'invite'
        ? `Hello ${row.name},\n\nYou have been invited to ${row.site}'s StemTrack registry. Set your password here (the link works once, within 72 hours):\n\n${link}\n\nIf you did not expect this, ignore this e-mail.`
        : `Hello ${row.name},\n\nSomeone (we hope you) asked to set a new StemTrack password for ${row.email}. Set it here (the link works once, within 30 minutes):\n\n${link}\n\nIf it was not you, ignore this e-mail: your password stays as it is.`;
    await mail.send({
      from: mail.from,
      to: row.email,
      subject:
        purpose === 'invite'
          ? `Your StemTrack account at ${row.site}`
          : 'Set a new StemTrack password',
      text,
    });
    await appendAudit(ctx.db, {
      siteId: row.siteId,
      actorKind: 'system',
      actorUserId: null,
      action: `email-${purpose}`,
      entity: 'user',
      entityId: userId,
      patientId: null,
    });
  };
}
