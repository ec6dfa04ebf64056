import { z } from 'zod';
import { ownTrajectories } from '../../core/analytics/own-trajectory.ts';
import { conflict, type FieldProblem, gone, invalid, notFound } from '../../core/errors.ts';
import { patientLanguage, timepointName } from '../../core/i18n/catalogues.ts';
import {
  defaultInstrumentsFor,
  instrumentById,
  instrumentsAt,
  isKnownInstrument,
  translationsOf,
} from '../../core/instruments/library.ts';
import { checkAnswers, scoreResponse } from '../../core/instruments/scoring.ts';
import { withRepeatedAnswers } from '../../core/instruments/shared-items.ts';
import { instrumentInLanguage } from '../../core/instruments/translation.ts';
import { addDays, type IsoDate, toIsoDate } from '../../core/registry/dates.ts';
import { patientEventSchema } from '../../core/registry/events.ts';
import {
  followUpWindow,
  isWithinWindow,
  TIMEPOINT_IDS,
  type TimePoint,
  timePointById,
} from '../../core/schedule/timepoints.ts';
import { parseInput } from '../../core/validation.ts';
import { appendAudit } from '../../store/audit.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { findStaffLink } from '../../store/outreach.repo.ts';
import { assignmentForPaperLink } from '../../store/paper.repo.ts';
import { findEpisode, firstTreatmentOf } from '../../store/patients.repo.ts';
import type { SiteScope } from '../../store/scope.ts';
import {
  expireLiveAssignments,
  findAssignmentById,
  findAssignmentByTokenDigest,
  insertAssignment,
  jointScoreHistory,
  patientLanguageOf,
  recordSubmission,
  type SurveyAssignment,
  type SurveyDraft,
  saveDraft,
  submitByTokenDigest,
} from '../../store/surveys.repo.ts';
import {
  type AppContext,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { queueSurveyEmails } from './mail.ts';
import { scheduleFor } from './schedule.ts';
import { queueSurveyTexts } from './sms.ts';
import { digestToken, looksLikeToken, newSecretToken } from './tokens.ts';

/** A link stays usable this many days after its window closes; late answers are kept and flagged. */
export const LINK_GRACE_DAYS = 30;

export const issueSurveySchema = z.strictObject({
  timepoint: z.enum(TIMEPOINT_IDS, {
    error: 'Choose a time point from the list',
  }),
  instruments: z
    .array(z.string().refine(isKnownInstrument, 'Unknown instrument'))
    .min(1, 'Choose at least one instrument')
    .max(10)
    .optional(),
  /** Opt-in instruments (e.g. PROMIS-10) asked on top of the joint's default set. */
  alsoAsk: z.array(z.string().refine(isKnownInstrument, 'Unknown instrument')).max(10).optional(),
  /** Set when the clinician has been told today is outside the time point's window and goes on. */
  confirmOutsideWindow: z.boolean().optional(),
});

export async function issueSurvey(
  ctx: AppContext,
  actor: UserActor,
  episodeId: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(issueSurveySchema, body);
  const scope = scopeOf(actor);
  const episode = await findEpisode(ctx.db, scope, episodeId);
  if (!episode) throw notFound('Joint episode');
  const treatment = await firstTreatmentOf(ctx.db, scope, episodeId);
  if (!treatment) {
    throw invalid('Record the treatment first: follow-up windows count from its date', [
      { field: 'timepoint', message: 'This joint has no treatment recorded yet' },
    ]);
  }
  const tp = (await scheduleFor(ctx.db, scope)).find((t) => t.id === input.timepoint);
  if (!tp)
    throw invalid('Unknown time point', [{ field: 'timepoint', message: 'Unknown time point' }]);
  // Answers given outside the window are kept but flagged, so such a link is issued on purpose.
  const window = followUpWindow(treatment.treatmentDate, tp);
  const today = toIsoDate(ctx.now());
  if (!isWithinWindow(today, window) && input.confirmOutsideWindow !== true) {
    const when = today < window.opens ? 'has not opened yet' : 'has closed';
    const message = `The ${tp.label.toLowerCase()} window (${window.opens} to ${window.closes}) ${when}: confirm that you want to issue this link outside its window`;
    throw invalid(message, [{ field: 'confirmOutsideWindow', message }]);
  }
  const instruments = instrumentsAt(
    [
      ...new Set([
        ...(input.instruments ?? defaultInstrumentsFor(episode.joint)),
        ...(input.alsoAsk ?? []),
      ]),
    ],
    tp.id,
  );
  return createSurveyLink(ctx, scope, {
    patientId: episode.patientId,
    episodeId,
    treatmentDate: treatment.treatmentDate,
    timepoint: tp,
    instruments,
    createdBy: actor.user.id,
  });
}

/**
 * Creates a survey link for one joint and time point, writes its audit row and, when e-mail
 * is configured, queues its invitation and reminders, all in one transaction. Used by a
 * clinician issuing a link and by the automatic invitations (createdBy null).
 */
export async function createSurveyLink(
  ctx: AppContext,
  scope: SiteScope,
  link: {
    patientId: string;
    episodeId: string;
    treatmentDate: IsoDate;
    timepoint: TimePoint;
    instruments: string[];
    createdBy: string | null;
  },
) {
  const tp = link.timepoint;
  const window = followUpWindow(link.treatmentDate, tp);
  const now = ctx.now();
  const today = toIsoDate(now);
  // biome-ignore lint/complexity/useMathMinMax: these are ISO date strings, compared as text
  const lastDay = addDays(window.closes > today ? window.closes : today, LINK_GRACE_DAYS);
  const expiresAt = new Date(`${addDays(lastDay, 1)}T00:00:00Z`);
  const token = newSecretToken();
  const assignment = await ctx.db.transaction(async (tx) => {
    // Deceased, lost and withdrawn patients are not contacted (issue 14).
    const [patient] = await tx.query<{ status: string }>(
      'select status from patients where site_id = $1 and id = $2',
      [scope.siteId, link.patientId],
    );
    if (patient && patient.status !== 'active')
      throw conflict(
        `No survey links for a patient whose status is ${patient.status}`,
        'timepoint',
      );
    // A new link replaces any live one for the same time point, in the same transaction:
    // two open links would let one time point be answered twice.
    const replaced = await expireLiveAssignments(tx, scope, link.episodeId, tp.id, now);
    const a = await insertAssignment(tx, scope, {
      patientId: link.patientId,
      episodeId: link.episodeId,
      timepoint: tp.id,
      instruments: link.instruments,
      windowTarget: window.target,
      windowOpens: window.opens,
      windowCloses: window.closes,
      tokenDigest: digestToken(token),
      expiresAt,
      createdBy: link.createdBy,
      createdAt: now,
    });
    await appendAudit(tx, {
      siteId: scope.siteId,
      actorKind: link.createdBy ? 'user' : 'system',
      actorUserId: link.createdBy,
      action: 'create',
      entity: 'survey_assignment',
      entityId: a.id,
      patientId: link.patientId,
      detail: {
        timepoint: tp.id,
        instruments: link.instruments,
        ...(replaced.length > 0 ? { replaces: replaced } : {}),
      },
    });
    if (ctx.mail) await queueSurveyEmails(tx, ctx.mail, a, token, now);
    if (ctx.sms) await queueSurveyTexts(tx, ctx.sms, a, token, now);
    return a;
  });
  const { draft: _draft, ...rest } = assignment;
  return {
    ...rest,
    url: `${ctx.publicUrl.replace(/\/$/, '')}/s/${token}`,
    /** Whether an invitation e-mail was queued: false when this server has no mail settings. */
    emailed: ctx.mail !== undefined,
  };
}

/**
 * A staff member's link: a phone interview (answers recorded as entered by them) or a clinic
 * tablet they handed to the patient (the patient answers; the hand-over is in the audit log).
 */
interface StaffEntry {
  mode: string;
  userId: string;
}

/** How long a clinic tablet waits without a touch before it locks; see README "Clinic tablet". */
export const TABLET_IDLE_SECONDS = 180;

type LinkedAssignment = SurveyAssignment & { staff?: StaffEntry; paperLink?: boolean };

/** Finds the assignment a link opens, refusing unknown, used and expired links with their reason. */
async function assignmentForLink(ctx: AppContext, token: string): Promise<LinkedAssignment> {
  if (!looksLikeToken(token)) throw notFound('Survey link');
  let assignment: LinkedAssignment | undefined = await findAssignmentByTokenDigest(
    ctx.db,
    digestToken(token),
  );
  if (!assignment) {
    const staff = await findStaffLink(ctx.db, digestToken(token));
    if (staff && staff.expiresAt <= ctx.now())
      throw gone(
        staff.mode === 'tablet'
          ? 'This tablet is locked. Please hand it back to the clinic staff.'
          : 'This interview link has expired. Open the survey again from the call list.',
      );
    const a = staff
      ? await findAssignmentById(ctx.db, staff.siteId, staff.assignmentId)
      : undefined;
    if (staff && a) assignment = { ...a, staff: { mode: staff.mode, userId: staff.userId } };
  }
  if (!assignment) {
    // A paper form's QR code opens the same survey through a link of its own.
    const form = await assignmentForPaperLink(ctx.db, digestToken(token));
    const a = form ? await findAssignmentById(ctx.db, form.siteId, form.assignmentId) : undefined;
    if (a) assignment = { ...a, paperLink: true };
  }
  return openLink(ctx, assignment);
}

/** Refuses an unknown, used or expired link with its reason. */
function openLink<A extends SurveyAssignment>(ctx: AppContext, assignment: A | undefined): A {
  if (!assignment) throw notFound('Survey link');
  if (assignment.completedAt) throw gone('This survey has already been submitted. Thank you!');
  if (assignment.expiresAt <= ctx.now())
    throw gone('This survey link has expired. Please ask your clinic for a new one.');
  return assignment;
}

function auditLink(
  q: Queryable,
  a: LinkedAssignment,
  action: string,
  detail?: Record<string, unknown>,
) {
  return appendAudit(q, {
    siteId: a.siteId,
    actorKind: enteredByOf(a) ? 'user' : 'patient-link',
    actorUserId: enteredByOf(a),
    action,
    entity: 'survey_assignment',
    entityId: a.id,
    patientId: a.patientId,
    ...(detail ? { detail } : {}),
  });
}

export async function openSurvey(ctx: AppContext, token: string) {
  const a = await assignmentForLink(ctx, token);
  await auditLink(ctx.db, a, 'read');
  const tp = timePointById(a.timepoint);
  // The joint names the survey's headings for the patient ("Pain in your right knee").
  const episode = await findEpisode(ctx.db, { siteId: a.siteId }, a.episodeId);
  // The patient's recorded language picks the one catalogue the page gets, and the questionnaires' wording.
  const tag = await patientLanguageOf(ctx.db, { siteId: a.siteId }, a.patientId);
  const language = patientLanguage(tag);
  return {
    timepoint: a.timepoint,
    timepointLabel: tp ? timepointName(language.locale, tp.id) : a.timepoint,
    joint: episode ? { joint: episode.joint, side: episode.side } : null,
    window: { target: a.windowTarget, opens: a.windowOpens, closes: a.windowCloses },
    expiresAt: a.expiresAt,
    instruments: a.instruments.map((id) =>
      instrumentInLanguage(instrumentById(id), tag ?? 'en', translationsOf(id)),
    ),
    draft: a.draft,
    language,
    // A clinic tablet locks itself after this long untouched, and when the survey is sent.
    ...(a.staff?.mode === 'tablet' ? { tablet: { idleSeconds: TABLET_IDLE_SECONDS } } : {}),
  };
}

const answersBodySchema = z.strictObject({
  answers: z.record(z.string(), z.record(z.string(), z.number().nullable())),
});

/** Checks every instrument's answers; throws one `invalid` naming each bad field, e.g. `answers.koos.P3`. */
export function checkedAnswers(a: SurveyAssignment, body: unknown): SurveyDraft {
  const { answers } = parseInput(answersBodySchema, body);
  const problems: FieldProblem[] = [];
  for (const [instrumentId, given] of Object.entries(answers)) {
    if (!a.instruments.includes(instrumentId)) {
      problems.push({
        field: `answers.${instrumentId}`,
        message: 'This survey does not include that questionnaire',
      });
      continue;
    }
    for (const p of checkAnswers(instrumentById(instrumentId), given)) {
      problems.push({
        field: p.field.replace(/^answers\./, `answers.${instrumentId}.`),
        message: p.message,
      });
    }
  }
  if (problems.length > 0) throw invalid('Some answers are not valid', problems);
  return answers;
}

export async function saveSurveyDraft(ctx: AppContext, token: string, body: unknown) {
  const a = await assignmentForLink(ctx, token);
  const draft = checkedAnswers(a, body);
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    if (!(await saveDraft(tx, a, draft, now)))
      throw gone('This survey has already been submitted. Thank you!');
    await auditLink(tx, a, 'save-draft');
  });
  return { savedAt: now };
}

const submitBodySchema = z.strictObject({
  answers: z.unknown(),
  events: z.array(patientEventSchema).max(10).optional(),
  /** The channel whose link was followed (a text's link carries ?via=sms); e-mail when absent. */
  via: z.enum(['email', 'sms'], { error: 'via must be email or sms' }).optional(),
});

/** How answers were given: the staff link's mode, else the web from the link's channel. */
function modeOf(a: LinkedAssignment, via: 'email' | 'sms' | undefined): string {
  if (a.staff) return a.staff.mode;
  if (a.paperLink) return 'web-qr';
  return via === 'sms' ? 'web-sms' : 'web-email';
}

/** Who entered the answers: the staff member on a phone interview; nobody when the patient did. */
function enteredByOf(a: LinkedAssignment): string | null {
  return a.staff && a.staff.mode !== 'tablet' ? a.staff.userId : null;
}

/**
 * Stores a patient's answers. A survey answered whole through the patient's own link, with no
 * later events and answers that pass every check, is stored in one round trip, shared with
 * others arriving at once (`submitByTokenDigests`); anything else (a bad answer, events, a
 * staff, tablet or paper link, a used link) takes the checked path, so every refusal is as
 * before.
 */
export async function submitSurvey(ctx: AppContext, token: string, body: unknown) {
  const fast = quickSubmission(body);
  if (!fast || !looksLikeToken(token))
    return submitChecked(ctx, await assignmentForLink(ctx, token), body);
  const now = ctx.now();
  const item = {
    tokenDigest: digestToken(token),
    submittedAt: now,
    today: toIsoDate(now),
    instruments: fast.instruments,
    responses: fast.results.map((r) => ({ ...r, answers: fast.answers[r.instrumentId] ?? {} })),
    mode: fast.via === 'sms' ? 'web-sms' : 'web-email',
  };
  const outcome = await (ctx.submissions?.submit(item) ?? submitByTokenDigest(ctx.db, item));
  if (!outcome.stored)
    return submitChecked(
      ctx,
      // No patient link by that token: it may be a staff member's or a paper form's link.
      outcome.assignment ? openLink(ctx, outcome.assignment) : await assignmentForLink(ctx, token),
      body,
    );
  const a = outcome.assignment;
  const added = fast.results.flatMap((r) =>
    Object.entries(r.scores).flatMap(([scale, value]) =>
      value === null
        ? []
        : [{ timepoint: a.timepoint, instrumentId: r.instrumentId, scale, value }],
    ),
  );
  return {
    submittedAt: now,
    inWindow: outcome.inWindow,
    results: fast.results,
    // The patient's own line for this joint, shown on the thank-you page.
    trajectory: ownTrajectories([...outcome.history, ...added]),
  };
}

/**
 * The answers, filled and scored, when the body is a whole survey that needs nothing from the
 * database to check: no later events, known instruments, every answer valid, one at least.
 * Undefined otherwise (the checked path then says what is wrong, in its order).
 */
function quickSubmission(body: unknown) {
  const parsed = submitBodySchema.safeParse(body);
  if (!parsed.success || (parsed.data.events?.length ?? 0) > 0) return undefined;
  const shape = answersBodySchema.safeParse({ answers: parsed.data.answers });
  if (!shape.success) return undefined;
  const given = shape.data.answers;
  const instruments = Object.keys(given);
  if (!instruments.every(isKnownInstrument)) return undefined;
  const definitions = instruments.map((id) => instrumentById(id));
  if (definitions.some((def) => checkAnswers(def, given[def.id] ?? {}).length > 0))
    return undefined;
  const answers = withRepeatedAnswers(definitions, given);
  const answered = Object.values(answers).some((items) =>
    Object.values(items).some((v) => v !== null && v !== undefined),
  );
  if (!answered) return undefined;
  const results = definitions.map((def) => ({
    instrumentId: def.id,
    scores: scoreResponse(def, answers[def.id] ?? {}),
  }));
  return { instruments, answers, results, via: parsed.data.via };
}

async function submitChecked(ctx: AppContext, a: LinkedAssignment, body: unknown) {
  const { answers: given, events = [], via } = parseInput(submitBodySchema, body);
  const recorded = await recordAnswers(ctx, a, {
    given,
    events,
    mode: modeOf(a, via),
    enteredBy: enteredByOf(a),
    ...(a.staff?.mode === 'tablet' ? { auditDetail: { handedOverBy: a.staff.userId } } : {}),
  });
  // The patient's own line for this joint, shown on the thank-you page; a clinic tablet
  // locks instead, so it gets none.
  const trajectory =
    a.staff?.mode === 'tablet' ? [] : ownTrajectories(await jointScoreHistory(ctx.db, a));
  return { ...recorded, trajectory };
}

/**
 * Checks, scores and records a survey's answers with how they were given and who entered
 * them: the one path for web links, phone interviews, the clinic tablet and paper forms.
 */
export async function recordAnswers(
  ctx: AppContext,
  a: SurveyAssignment,
  input: {
    given: unknown;
    events: { kind: string; date: IsoDate }[];
    mode: string;
    enteredBy: string | null;
    auditDetail?: Record<string, unknown>;
  },
) {
  const { given, events, mode, enteredBy } = input;
  const definitions = a.instruments.map((id) => instrumentById(id));
  // An item two questionnaires share was asked once; both get its answer.
  const answers = withRepeatedAnswers(definitions, checkedAnswers(a, { answers: given }));
  const today = toIsoDate(ctx.now());
  // Later events follow a treatment: a baseline survey (before treatment) has none.
  if (events.length > 0 && a.timepoint === 'baseline')
    throw invalid('A survey before treatment has no later events', [
      { field: 'events', message: 'Later events are asked only after the treatment' },
    ]);
  const treatment =
    events.length > 0
      ? await firstTreatmentOf(ctx.db, { siteId: a.siteId }, a.episodeId)
      : undefined;
  const badDates = events.flatMap((e, i) => {
    const field = `events.${i}.date`;
    if (e.date > today) return [{ field, message: 'This date is in the future' }];
    // The treatment is on or after birth (checked when recorded), so this covers both.
    if (treatment && e.date < treatment.treatmentDate)
      return [
        { field, message: `This date is before your treatment on ${treatment.treatmentDate}` },
      ];
    return [];
  });
  if (badDates.length > 0) throw invalid('Please check the dates', badDates);
  const answeredCount = Object.values(answers).reduce(
    (n, items) => n + Object.values(items).filter((v) => v !== null).length,
    0,
  );
  if (answeredCount === 0)
    throw invalid('Please answer at least one question', [
      { field: 'answers', message: 'Nothing answered' },
    ]);
  const now = ctx.now();
  const inWindow = isWithinWindow(toIsoDate(now), {
    target: a.windowTarget,
    opens: a.windowOpens,
    closes: a.windowCloses,
  });
  const results = definitions.map((def) => ({
    instrumentId: def.id,
    scores: scoreResponse(def, answers[def.id] ?? {}),
  }));
  const stored = await recordSubmission(ctx.db, a, {
    submittedAt: now,
    inWindow,
    responses: results.map((r) => ({ ...r, answers: answers[r.instrumentId] ?? {} })),
    events,
    auditDetail: { inWindow, events: events.length, mode, ...input.auditDetail },
    mode,
    enteredBy,
  });
  if (!stored) throw conflict('This survey has already been submitted');
  return { submittedAt: now, inWindow, results };
}
