import { conflict, gone, notFound } from '../../core/errors.ts';
import { callAttemptSchema, patientContactSchema } from '../../core/outreach/contact.ts';
import { outreachSummary } from '../../core/outreach/summary.ts';
import type { IsoDate } from '../../core/registry/dates.ts';
import { toIsoDate } from '../../core/registry/dates.ts';
import { timePointById } from '../../core/schedule/timepoints.ts';
import { parseInput } from '../../core/validation.ts';
import type { CohortFilter } from '../../store/analytics.repo.ts';
import type { Db } from '../../store/db.ts';
import {
  callList,
  contactDetails,
  insertContact,
  insertStaffLink,
  nextStep,
  openAssignmentForCall,
  outreachCounts,
  saveContactDetails,
} from '../../store/outreach.repo.ts';
import { cohortOf } from '../analytics/cohort.ts';
import {
  ALL_ROLES,
  type AppContext,
  auditUser,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { followUpFlowOf } from './followup.ts';
import { scheduleFor } from './schedule.ts';
import { digestToken, newSecretToken } from './tokens.ts';

/** The call list shows a survey this many days after its last automatic message. */
export const CALL_AFTER_DAYS = 3;
/** An interview link works this long: one call, with time to spare. */
const INTERVIEW_LINK_MINUTES = 120;

/** How the clinic may reach a patient beyond e-mail. */
export async function patientContact(ctx: AppContext, actor: UserActor, patientId: string) {
  requireRole(actor, CLINICAL_ROLES);
  const details = await contactDetails(ctx.db, scopeOf(actor), patientId);
  if (!details) throw notFound('Patient');
  await auditUser(ctx.db, actor, 'read', 'patient_contact', patientId, patientId);
  return { ...details, smsOn: ctx.sms !== undefined };
}

/**
 * Records a patient's mobile number (validated, stored as E.164), their consent to texts,
 * time zone, language (BCP 47) and preferred call time. A bad field changes nothing.
 */
export async function updatePatientContact(
  ctx: AppContext,
  actor: UserActor,
  patientId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(patientContactSchema, body);
  const scope = scopeOf(actor);
  const saved = await ctx.db.transaction(async (tx) => {
    const before = await contactDetails(tx, scope, patientId);
    if (!before) throw notFound('Patient');
    const after = await saveContactDetails(tx, scope, patientId, input, ctx.now());
    if (!after) throw notFound('Patient');
    // Which fields changed, never their values: the audit log keeps no contact details.
    const changed = (
      ['mobile', 'smsConsent', 'timeZone', 'language', 'preferredCallTime'] as const
    ).filter((k) => before[k] !== after[k]);
    await auditUser(tx, actor, 'update', 'patient_contact', patientId, patientId, {
      changed,
      ...(changed.includes('smsConsent') ? { smsConsent: after.smsConsent } : {}),
    });
    return after;
  });
  return { ...saved, smsOn: ctx.sms !== undefined };
}

/** Patients to call: reminders used up, window still open (the staff follow-up list). */
export async function callListFor(ctx: AppContext, actor: UserActor) {
  requireRole(actor, CLINICAL_ROLES);
  const now = ctx.now();
  const rows = await callList(
    ctx.db,
    scopeOf(actor),
    toIsoDate(now),
    now,
    new Date(now.getTime() - CALL_AFTER_DAYS * 86_400_000),
  );
  await auditUser(ctx.db, actor, 'list', 'call-list', null, null, { count: rows.length });
  return {
    callAfterDays: CALL_AFTER_DAYS,
    patients: rows.map((r) => ({
      ...r,
      timepointLabel: timePointById(r.timepoint)?.label ?? r.timepoint,
    })),
  };
}

async function openForCall(ctx: AppContext, actor: UserActor, assignmentId: string) {
  const a = await openAssignmentForCall(ctx.db, scopeOf(actor), assignmentId);
  if (!a) throw notFound('Survey');
  if (a.completedAt) throw conflict('This survey has already been answered', 'assignmentId');
  if (a.expiresAt <= ctx.now()) throw gone('This survey link has expired');
  return a;
}

/** Logs one call to a patient about a survey: reached, voicemail, wrong number or declined. */
export async function logCallAttempt(
  ctx: AppContext,
  actor: UserActor,
  assignmentId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(callAttemptSchema, body);
  const a = await openForCall(ctx, actor, assignmentId);
  const at = ctx.now();
  const id = await ctx.db.transaction(async (tx) => {
    const contactId = await insertContact(tx, {
      siteId: actor.user.siteId,
      patientId: a.patientId,
      assignmentId,
      channel: 'phone',
      step: await nextStep(tx, assignmentId, 'phone'),
      at,
      outcome: input.outcome,
      note: input.note && input.note !== '' ? input.note : null,
      userId: actor.user.id,
    });
    await auditUser(tx, actor, 'call-attempt', 'survey_assignment', assignmentId, a.patientId, {
      outcome: input.outcome,
    });
    return contactId;
  });
  return { id, outcome: input.outcome, at };
}

/**
 * A link for a staff member to answer the survey with the patient on the phone: it opens the
 * patient's survey, and the answers are recorded as a phone interview entered by them.
 */
export async function startInterview(ctx: AppContext, actor: UserActor, assignmentId: string) {
  requireRole(actor, CLINICAL_ROLES);
  const a = await openForCall(ctx, actor, assignmentId);
  const token = newSecretToken();
  const expiresAt = new Date(ctx.now().getTime() + INTERVIEW_LINK_MINUTES * 60_000);
  await ctx.db.transaction(async (tx) => {
    await insertStaffLink(tx, {
      tokenDigest: digestToken(token),
      siteId: actor.user.siteId,
      assignmentId,
      mode: 'phone',
      userId: actor.user.id,
      expiresAt,
    });
    await auditUser(tx, actor, 'start-interview', 'survey_assignment', assignmentId, a.patientId, {
      mode: 'phone',
    });
  });
  return { url: `${ctx.publicUrl.replace(/\/$/, '')}/s/${token}`, expiresAt, mode: 'phone' };
}

/** Completeness by channel and mode and response rates after each message, for a cohort. */
export async function outreachReport(q: Db, siteId: string, cohort: CohortFilter, today: IsoDate) {
  const schedule = await scheduleFor(q, { siteId });
  const flow = await followUpFlowOf(q, { siteId }, cohort, today, schedule);
  const summary = outreachSummary(flow.steps, await outreachCounts(q, siteId, cohort));
  return { cohort: { ...cohort, joints: flow.enrolled }, today, ...summary };
}

/** The site's outreach figures (the Follow-up page). */
export async function siteOutreach(ctx: AppContext, actor: UserActor, query: unknown = {}) {
  requireRole(actor, ALL_ROLES);
  const { siteId } = scopeOf(actor);
  const cohort = cohortOf(query);
  const today = toIsoDate(ctx.now());
  return ctx.views.get(
    ctx.db,
    { name: 'outreach', siteId, params: { cohort, today }, userId: actor.user.id },
    () => outreachReport(ctx.db, siteId, cohort, today),
  );
}
