import { forbidden, invalid } from '../../core/errors.ts';
import { replyKeyword, type SmsKind, smsText } from '../../core/messages/sms.ts';
import { reminderDates } from '../../core/messages/templates.ts';
import { isTimeZone } from '../../core/outreach/contact.ts';
import { localTime, nextSendTime } from '../../core/outreach/quiet-hours.ts';
import { toIsoDate } from '../../core/registry/dates.ts';
import type { SmsProvider } from '../../jobs/sms.ts';
import { SmsRefused } from '../../jobs/sms.ts';
import { appendAudit } from '../../store/audit.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { enqueueJob, type Job } from '../../store/jobs.repo.ts';
import {
  insertContact,
  mobileOf,
  setSmsConsentByMobile,
  updateDelivery,
} from '../../store/outreach.repo.ts';
import type { AppContext } from '../context.ts';
import { openSecret, sealSecret } from './mail.ts';

export const SURVEY_SMS_JOB = 'survey-sms';
/** Reminder texts go out at this local hour on their day. */
const REMINDER_HOUR = 10;

/** Outgoing text messages, when the registry has configured a provider. */
export interface SmsSettings {
  provider: SmsProvider;
  /** Seals survey links in queued jobs (the same 32-byte key as e-mail's). */
  key: Buffer;
  reminders: number;
  reminderEveryDays: number;
  /** The zone of quiet hours for a patient with none recorded. */
  defaultTimeZone: string;
}

function zoneOf(sms: SmsSettings, zone: string | null): string {
  return zone && isTimeZone(zone) ? zone : sms.defaultTimeZone;
}

/**
 * Queues the invitation text and its reminders for a new survey link, in the caller's
 * transaction, when the patient has a mobile number and has opted in to texts.
 */
export async function queueSurveyTexts(
  q: Queryable,
  sms: SmsSettings,
  a: { id: string; siteId: string; patientId: string; windowCloses: string },
  token: string,
  now: Date,
): Promise<number> {
  const [patient] = await q.query<{ mobile: string | null; consent: string; zone: string | null }>(
    `select mobile, sms_consent as consent, time_zone as zone from patient_identities
     where patient_id = $1`,
    [a.patientId],
  );
  if (!patient?.mobile || patient.consent !== 'opted-in') return 0;
  const zone = zoneOf(sms, patient.zone);
  const sealedToken = sealSecret(sms.key, token);
  const plan: { kind: SmsKind; at: Date }[] = [
    { kind: 'invitation', at: nextSendTime(now, zone) },
    ...reminderDates(toIsoDate(now), a.windowCloses, sms.reminders, sms.reminderEveryDays).map(
      (day) => ({ kind: 'reminder' as const, at: localTime(day, REMINDER_HOUR, zone) }),
    ),
  ];
  let queued = 0;
  for (const [step, p] of plan.entries()) {
    const id = await enqueueJob(q, {
      kind: SURVEY_SMS_JOB,
      payload: { assignmentId: a.id, message: p.kind, step, sealedToken },
      runAt: p.at,
      dedupeKey: `${SURVEY_SMS_JOB}:${a.id}:${step}`,
      siteId: a.siteId,
    });
    if (id !== null) queued++;
  }
  return queued;
}

/**
 * Sends one queued survey text, unless the survey is done, the link expired, or the patient
 * has no mobile number or consent now. In the patient's quiet hours the job waits.
 */
export function surveyTextHandler(ctx: AppContext, sms: SmsSettings) {
  return async (job: Job) => {
    const { assignmentId, message, step, sealedToken } = job.payload as {
      assignmentId: string;
      message: SmsKind;
      step: number;
      sealedToken: string;
    };
    const [row] = await ctx.db.query<{
      siteId: string;
      patientId: string;
      completedAt: Date | null;
      expiresAt: Date;
      mobile: string | null;
      consent: string;
      zone: string | null;
      language: string;
      clinicName: string;
    }>(
      `select a.site_id as "siteId", a.patient_id as "patientId", a.completed_at as "completedAt",
              a.expires_at as "expiresAt", i.mobile, i.sms_consent as consent, i.time_zone as zone,
              i.language, s.name as "clinicName"
       from survey_assignments a
       join patient_identities i on i.patient_id = a.patient_id
       join patients p on p.id = a.patient_id and p.status = 'active'
       join sites s on s.id = a.site_id
       where a.id = $1`,
      [assignmentId],
    );
    const now = ctx.now();
    if (!row || row.completedAt || row.expiresAt <= now) return;
    if (!row.mobile || row.consent !== 'opted-in') return;
    const allowed = nextSendTime(now, zoneOf(sms, row.zone));
    if (allowed > now) return { deferUntil: allowed };
    const base = ctx.publicUrl.replace(/\/$/, '');
    const body = smsText(row.language, message, {
      clinicName: row.clinicName,
      // ?via=sms lets the survey record that the answers came by a text's link.
      link: `${base}/s/${openSecret(sms.key, sealedToken)}?via=sms`,
    });
    const contact = {
      siteId: row.siteId,
      patientId: row.patientId,
      assignmentId,
      channel: 'sms' as const,
      step: typeof step === 'number' ? step : 0,
      at: now,
    };
    try {
      const sent = await sms.provider.send({
        to: row.mobile,
        body,
        statusCallback: `${base}/api/sms/status`,
      });
      await insertContact(ctx.db, {
        ...contact,
        providerId: sent.providerId,
        delivery: sent.delivery,
      });
    } catch (error) {
      if (!(error instanceof SmsRefused)) throw error;
      // Refused for good: recorded, not retried; a recipient the provider knows opted out is
      // opted out here too.
      await insertContact(ctx.db, { ...contact, delivery: 'failed', errorCode: error.code });
      if (error.optedOut) await optOutByProvider(ctx, row.mobile);
    }
    await appendAudit(ctx.db, {
      siteId: row.siteId,
      actorKind: 'system',
      actorUserId: null,
      action: `sms-${message}`,
      entity: 'survey_assignment',
      entityId: assignmentId,
      patientId: row.patientId,
    });
    return undefined;
  };
}

async function auditConsent(
  q: Queryable,
  changed: { siteId: string; patientId: string }[],
  action: 'sms-opt-out' | 'sms-opt-in',
  via: string,
) {
  for (const c of changed)
    await appendAudit(q, {
      siteId: c.siteId,
      actorKind: 'system',
      actorUserId: null,
      action,
      entity: 'patient',
      entityId: c.patientId,
      patientId: c.patientId,
      detail: { via },
    });
}

async function optOutByProvider(ctx: AppContext, mobile: string) {
  await ctx.db.transaction(async (tx) => {
    const changed = await setSmsConsentByMobile(
      tx,
      mobile,
      ['opted-in', 'none'],
      'opted-out',
      'provider',
      ctx.now(),
    );
    await auditConsent(tx, changed, 'sms-opt-out', 'provider');
  });
}

export interface ProviderCallback {
  /** The URL the provider called, as it called it (the public URL and the query). */
  url: string;
  params: Record<string, string>;
  headers: Headers;
  /** The raw body of a JSON callback (signed through its hash in the URL); absent for a form. */
  body?: string;
}

function verified(sms: SmsSettings | undefined, request: ProviderCallback): SmsSettings {
  if (!sms) throw forbidden('Text messages are not configured on this server');
  if (!sms.provider.verifyCallback(request))
    throw forbidden('The request signature does not match; nothing was changed');
  return sms;
}

/** A delivery status callback: records the text's status; "unsubscribed" opts the patient out. */
export async function smsStatusCallback(
  ctx: AppContext,
  settings: SmsSettings | undefined,
  request: ProviderCallback,
) {
  const sms = verified(settings, request);
  const status = sms.provider.readStatus(request.params);
  if (!status)
    throw invalid('Not a delivery status callback', [
      { field: 'MessageStatus', message: 'Is missing' },
    ]);
  const text = await updateDelivery(ctx.db, status.providerId, status.delivery, status.errorCode);
  if (text && status.errorCode === '21610') {
    const mobile = await mobileOf(ctx.db, text.siteId, text.patientId);
    if (mobile) await optOutByProvider(ctx, mobile);
  }
  return { ok: true, known: text !== undefined };
}

/** A patient's reply: STOP (and its synonyms) opts out at once, START opts back in. */
export async function smsInbound(
  ctx: AppContext,
  settings: SmsSettings | undefined,
  request: ProviderCallback,
) {
  const sms = verified(settings, request);
  const inbound = sms.provider.readInbound(request.params);
  if (!inbound) throw invalid('Not an inbound message', [{ field: 'From', message: 'Is missing' }]);
  // The provider sends the sender in E.164, as numbers are stored: matched as given, so a
  // number libphonenumber's metadata no longer knows as a mobile can still opt out.
  const from = /^\+[1-9]\d{6,14}$/.test(inbound.from) ? inbound.from : null;
  const keyword = replyKeyword(inbound.body);
  if (from && keyword) {
    await ctx.db.transaction(async (tx) => {
      // START restores texts only for a patient who had stopped them: a reply cannot opt in
      // someone whose clinic never recorded their consent.
      const changed =
        keyword === 'stop'
          ? await setSmsConsentByMobile(
              tx,
              from,
              ['opted-in', 'none'],
              'opted-out',
              'patient-reply',
              ctx.now(),
            )
          : await setSmsConsentByMobile(
              tx,
              from,
              ['opted-out'],
              'opted-in',
              'patient-reply',
              ctx.now(),
            );
      await auditConsent(
        tx,
        changed,
        keyword === 'stop' ? 'sms-opt-out' : 'sms-opt-in',
        'patient-reply',
      );
    });
  }
  return sms.provider.inboundReply;
}
