import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { notFound } from '../../core/errors.ts';
import { patientLanguage, timepointName } from '../../core/i18n/catalogues.ts';
import {
  chooseTemplate,
  type MessageKind,
  reminderDates,
  renderTemplate,
} from '../../core/messages/templates.ts';
import { toIsoDate } from '../../core/registry/dates.ts';
import { appendAudit } from '../../store/audit.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { enqueueJob, type Job } from '../../store/jobs.repo.ts';
import { insertContact } from '../../store/outreach.repo.ts';
import { listTemplates } from '../../store/templates.repo.ts';
import type { AppContext } from '../context.ts';

/** Outgoing e-mail, when the registry has configured it. */
export interface MailSettings {
  /** 32-byte key: seals survey links in queued jobs and signs unsubscribe links. */
  key: Buffer;
  from: string;
  send(message: { from: string; to: string; subject: string; text: string }): Promise<void>;
  /** Reminders after the invitation while the window is open. */
  reminders: number;
  reminderEveryDays: number;
}

// Survey links are stored only as digests; a queued e-mail needs the link itself, so it is
// kept sealed (AES-256-GCM) and a copy of the database alone does not reveal it.
export function sealSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function openSecret(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

export function unsubscribeToken(key: Buffer, patientId: string): string {
  const mac = createHmac('sha256', key).update(`unsubscribe:${patientId}`).digest('base64url');
  return `${patientId}.${mac}`;
}

function patientFromUnsubscribeToken(key: Buffer, token: string): string | undefined {
  const [patientId, mac] = token.split('.');
  if (!patientId || !mac || !/^[0-9a-f-]{36}$/.test(patientId)) return undefined;
  const expected = Buffer.from(unsubscribeToken(key, patientId).split('.')[1] ?? '');
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? patientId
    : undefined;
}

/**
 * Queues the invitation and its reminders for a new survey link, in the caller's
 * transaction, so a link is never issued without its e-mails or the other way round.
 */
export async function queueSurveyEmails(
  q: Queryable,
  mail: MailSettings,
  a: { id: string; siteId: string; windowCloses: string },
  token: string,
  now: Date,
): Promise<number> {
  const sealedToken = sealSecret(mail.key, token);
  const today = toIsoDate(now);
  let queued = 0;
  const plan: { kind: MessageKind; on: Date }[] = [
    { kind: 'invitation', on: now },
    ...reminderDates(today, a.windowCloses, mail.reminders, mail.reminderEveryDays).map((d) => ({
      kind: 'reminder' as const,
      on: new Date(`${d}T09:00:00Z`),
    })),
  ];
  for (const [n, step] of plan.entries()) {
    const id = await enqueueJob(q, {
      kind: 'survey-email',
      payload: { assignmentId: a.id, message: step.kind, step: n, sealedToken },
      runAt: step.on,
      dedupeKey: `survey-email:${a.id}:${n}`,
      siteId: a.siteId,
    });
    if (id !== null) queued++;
  }
  return queued;
}

/** Sends one queued survey e-mail, unless the survey is done or the patient opted out. */
export function surveyEmailHandler(ctx: AppContext, mail: MailSettings) {
  return async (job: Job) => {
    const { assignmentId, message, sealedToken } = job.payload as {
      assignmentId: string;
      message: MessageKind;
      sealedToken: string;
    };
    const [row] = await ctx.db.query<{
      siteId: string;
      patientId: string;
      timepoint: string;
      target: string;
      closes: string;
      completedAt: Date | null;
      expiresAt: Date;
      email: string | null;
      optedOut: Date | null;
      clinicName: string;
      language: string;
    }>(
      `select a.site_id as "siteId", a.patient_id as "patientId", a.timepoint, a.window_target as target,
              a.window_closes as closes, a.completed_at as "completedAt", a.expires_at as "expiresAt",
              i.email, i.email_opt_out_at as "optedOut", s.name as "clinicName", i.language
       from survey_assignments a
       join patient_identities i on i.patient_id = a.patient_id
       join patients p on p.id = a.patient_id and p.status = 'active'
       join sites s on s.id = a.site_id
       where a.id = $1`,
      [assignmentId],
    );
    // Nothing to send is a finished job, not a failure: the survey was answered, the link
    // expired, the patient opted out, has no address or is no longer followed up (status).
    if (!row || row.completedAt || row.expiresAt <= ctx.now() || row.optedOut || !row.email) return;
    const template = chooseTemplate(
      await listTemplates(ctx.db, { siteId: row.siteId }),
      row.language,
      message,
    );
    const base = ctx.publicUrl.replace(/\/$/, '');
    const { subject, body } = renderTemplate(
      template,
      {
        clinicName: row.clinicName,
        timepointLabel: timepointName(row.language, row.timepoint),
        link: `${base}/s/${openSecret(mail.key, sealedToken)}`,
        dueDate: row.target,
        closesOn: row.closes,
        unsubscribeLink: `${base}/unsubscribe/${unsubscribeToken(mail.key, row.patientId)}`,
      },
      row.language,
    );
    await mail.send({ from: mail.from, to: row.email, subject, text: body });
    // The step (0 the invitation, n the n-th reminder) counts response rates after each e-mail;
    // jobs queued before it was in the payload carry it in their dedupe key.
    const step = Number(job.payload.step ?? job.dedupeKey?.split(':').at(-1) ?? 0);
    await insertContact(ctx.db, {
      siteId: row.siteId,
      patientId: row.patientId,
      assignmentId,
      channel: 'email',
      step: Number.isInteger(step) && step >= 0 ? step : 0,
      at: ctx.now(),
    });
    await appendAudit(ctx.db, {
      siteId: row.siteId,
      actorKind: 'system',
      actorUserId: null,
      action: `email-${message}`,
      entity: 'survey_assignment',
      entityId: assignmentId,
      patientId: row.patientId,
    });
  };
}

/** The unsubscribe link: no more survey e-mails for this patient. */
/** The language the unsubscribe page speaks: the patient's the link names; reading it changes nothing. */
export async function unsubscribeLanguage(
  ctx: AppContext,
  mail: MailSettings | undefined,
  token: string,
) {
  const patientId = mail ? patientFromUnsubscribeToken(mail.key, token) : undefined;
  if (!patientId) throw notFound('Unsubscribe link');
  const [row] = await ctx.db.query<{ language: string }>(
    'select language from patient_identities where patient_id = $1',
    [patientId],
  );
  if (!row) throw notFound('Unsubscribe link');
  return { language: patientLanguage(row.language) };
}

export async function unsubscribe(ctx: AppContext, mail: MailSettings | undefined, token: string) {
  const patientId = mail ? patientFromUnsubscribeToken(mail.key, token) : undefined;
  if (!patientId) throw notFound('Unsubscribe link');
  const rows = await ctx.db.query<{ siteId: string }>(
    `update patient_identities set email_opt_out_at = coalesce(email_opt_out_at, $2)
     where patient_id = $1 returning site_id as "siteId"`,
    [patientId, ctx.now()],
  );
  const site = rows[0];
  if (!site) throw notFound('Unsubscribe link');
  await appendAudit(ctx.db, {
    siteId: site.siteId,
    actorKind: 'patient-link',
    actorUserId: null,
    action: 'email-opt-out',
    entity: 'patient',
    entityId: patientId,
    patientId,
  });
  return { ok: true };
}
