import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { conflict, gone, invalid, notFound } from '../../core/errors.ts';
import { patientLanguage, textDirection } from '../../core/i18n/catalogues.ts';
import { translator } from '../../core/i18n/translate.ts';
import type { InstrumentDefinition } from '../../core/instruments/definition.ts';
import { instrumentById, translationsOf } from '../../core/instruments/library.ts';
import { jointPhrase } from '../../core/instruments/patient-wording.ts';
import type { SurveyAnswers } from '../../core/instruments/shared-items.ts';
import { instrumentInLanguage } from '../../core/instruments/translation.ts';
import { patientDate } from '../../core/messages/templates.ts';
import { entryMismatches, settledAnswers } from '../../core/paper/double-entry.ts';
import { formatShortCode, newShortCode, readShortCode } from '../../core/paper/short-code.ts';
import { languageTagSchema } from '../../core/registry/language.ts';
import { timePointById } from '../../core/schedule/timepoints.ts';
import { parseInput } from '../../core/validation.ts';
import { appendAudit } from '../../store/audit.repo.ts';
import { insertStaffLink } from '../../store/outreach.repo.ts';
import {
  endTabletLink,
  findPaperForm,
  insertPaperEntry,
  type PaperForm,
  paperEntries,
  savePaperForm,
} from '../../store/paper.repo.ts';
import { findEpisode } from '../../store/patients.repo.ts';
import { isUniqueViolation } from '../../store/scope.ts';
import {
  findAssignmentById,
  patientLanguageOf,
  type SurveyAssignment,
} from '../../store/surveys.repo.ts';
import {
  type AppContext,
  auditUser,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { paperFormPdf, undrawable } from './paper-pdf.ts';
import { checkedAnswers, recordAnswers } from './surveys.ts';
import { digestToken, looksLikeToken, newSecretToken } from './tokens.ts';

/** A tablet hand-over link works this long: one visit's wait; then the clinician opens it again. */
const TABLET_LINK_MINUTES = 60;

/** The caller's site's survey, still open to answers; refused with the reason otherwise. */
async function openSurveyOfSite(
  ctx: AppContext,
  actor: UserActor,
  assignmentId: string,
): Promise<SurveyAssignment> {
  const a = await findAssignmentById(ctx.db, actor.user.siteId, assignmentId);
  if (!a || a.siteId !== actor.user.siteId) throw notFound('Survey');
  if (a.completedAt) throw conflict('This survey has already been answered', 'assignmentId');
  if (a.expiresAt <= ctx.now()) throw gone('This survey link has expired: issue a new one');
  return a;
}

export const paperPrintSchema = z.strictObject({
  /** Print in this language instead of the patient's recorded one (e.g. en when theirs cannot be printed). */
  language: languageTagSchema.optional(),
});

/** Every text an instrument puts on paper: what the form's font must be able to draw. */
const instrumentTexts = (def: InstrumentDefinition) => [
  def.instructions,
  ...def.sections.flatMap((s) => [
    s.titleInLanguage ?? '',
    s.intro ?? '',
    ...s.items.map((i) => i.text),
  ]),
  ...Object.values(def.responseSets).flatMap((options) => options.map((o) => o.label)),
];

const languageName = (tag: string) => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
};

/**
 * A printable questionnaire for one survey: the PDF, with a QR code of a link to the same
 * survey and the short code staff type when the form comes back. Printing again keeps the code.
 * It speaks the patient's recorded language as the survey does (the catalogue for the form's
 * own words, an imported translation for the questions), unless `language` asks for another.
 * A language the PDF cannot set correctly is refused before anything is recorded: right to
 * left (pdf-lib draws no bidirectional text) or a script the form's font lacks.
 */
export async function printPaperForm(
  ctx: AppContext,
  actor: UserActor,
  assignmentId: string,
  options: unknown = {},
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(paperPrintSchema, options);
  const scope = scopeOf(actor);
  const a = await openSurveyOfSite(ctx, actor, assignmentId);
  const episode = await findEpisode(ctx.db, scope, a.episodeId);
  const [patient] = await ctx.db.query<{ registryId: string }>(
    'select registry_id as "registryId" from patients where site_id = $1 and id = $2',
    [scope.siteId, a.patientId],
  );
  if (!episode || !patient) throw notFound('Survey');
  const tag = input.language ?? (await patientLanguageOf(ctx.db, scope, a.patientId)) ?? 'en';
  const language = patientLanguage(tag);
  const own = a.instruments.map((id) => instrumentById(id));
  const instruments = own.map((def) => instrumentInLanguage(def, tag, translationsOf(def.id)));
  const translated = instruments.some((def, i) => def !== own[i]);
  const cannotPrint = (why: string) =>
    conflict(
      `Paper forms in ${languageName(tag)} cannot be printed yet${why}: print it in English or use the survey link or the clinic tablet`,
      'language',
    );
  if (language.dir === 'rtl' || (translated && textDirection(tag) === 'rtl'))
    throw cannotPrint(' (right-to-left text would print in the wrong order)');
  const missing = await undrawable([
    ...Object.values(language.messages),
    ...instruments.flatMap(instrumentTexts),
    patient.registryId,
  ]);
  if (missing.length > 0)
    throw cannotPrint(` (the form's font has no ${missing.slice(0, 5).join(' ')})`);

  const token = newSecretToken();
  const now = ctx.now();
  let shortCode = '';
  // A new code can meet one already used at the site (35 random bits): try a fresh one.
  for (let attempt = 0; !shortCode; attempt++) {
    try {
      shortCode = await ctx.db.transaction(async (tx) => {
        const code = await savePaperForm(tx, scope, {
          assignmentId: a.id,
          shortCode: newShortCode(randomBytes(7)),
          tokenDigest: digestToken(token),
          printedBy: actor.user.id,
          printedAt: now,
        });
        await auditUser(tx, actor, 'print-paper-form', 'survey_assignment', a.id, a.patientId, {
          shortCode: code,
          language: language.locale,
        });
        return code;
      });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 4) throw error;
    }
  }
  const t = translator(language.locale, language.messages);
  const joint = jointPhrase(t, episode.joint, episode.side);
  const pdf = await paperFormPdf(
    {
      title: t('paper.title', { joint, timepoint: a.timepoint }),
      details: [
        t('paper.patientNumber', { registryId: patient.registryId }),
        t('paper.answerBetween', {
          opens: patientDate(a.windowOpens, language.locale),
          closes: patientDate(a.windowCloses, language.locale),
        }),
      ],
      shortCode,
      instruments,
      t,
      joint,
      surveyUrl: `${ctx.publicUrl.replace(/\/$/, '')}/s/${token}`,
      subject: t('paper.subject', { instruments: own.map((d) => d.shortName).join(', ') }),
      // The questions' language when a translation gave them, else the catalogue's.
      language: translated ? tag : language.locale,
    },
    now,
  );
  return { pdf, shortCode, filename: `questionnaire-${formatShortCode(shortCode)}.pdf` };
}

async function formByCode(ctx: AppContext, actor: UserActor, typed: string): Promise<PaperForm> {
  const reading = readShortCode(typed);
  if (!reading.ok) throw invalid(reading.message, [{ field: 'code', message: reading.message }]);
  const form = await findPaperForm(ctx.db, scopeOf(actor), reading.code);
  if (!form) throw notFound('Paper form');
  return form;
}

type FormStatus =
  | 'recorded'
  | 'expired'
  | 'awaiting-entry'
  | 'awaiting-second-entry'
  | 'mismatches';

async function formView(ctx: AppContext, actor: UserActor, form: PaperForm) {
  const entries = await paperEntries(ctx.db, scopeOf(actor), form.assignmentId);
  const instruments = form.instruments.map((id) => instrumentById(id));
  const [first, second] = entries;
  const mismatches =
    first && second ? entryMismatches(instruments, first.answers, second.answers) : [];
  let status: FormStatus = 'awaiting-entry';
  if (form.completedAt) status = 'recorded';
  else if (form.expiresAt <= ctx.now()) status = 'expired';
  else if (second) status = 'mismatches';
  else if (first) status = 'awaiting-second-entry';
  return {
    shortCode: formatShortCode(form.shortCode),
    assignmentId: form.assignmentId,
    registryId: form.registryId,
    joint: form.joint,
    side: form.side,
    timepoint: form.timepoint,
    timepointLabel: timePointById(form.timepoint)?.label ?? form.timepoint,
    status,
    instruments,
    // Who entered the form, never what they typed: the second entry is made blind.
    entries: entries.map((e) => ({
      enteredByName: e.enteredByName,
      enteredAt: e.enteredAt,
      mine: e.enteredBy === actor.user.id,
    })),
    mismatches: status === 'mismatches' ? mismatches : [],
  };
}

/** A returned form found by the code printed on it. */
export async function paperFormFor(ctx: AppContext, actor: UserActor, code: string) {
  requireRole(actor, CLINICAL_ROLES);
  const form = await formByCode(ctx, actor, code);
  await auditUser(
    ctx.db,
    actor,
    'read-paper-form',
    'survey_assignment',
    form.assignmentId,
    form.patientId,
  );
  return formView(ctx, actor, form);
}

export const paperEntrySchema = z.strictObject({
  /** The patient number printed on the form, typed again: catches a form of another patient. */
  registryId: z.string().trim().min(1, 'Type the patient number printed on the form').max(100),
  answers: z.unknown(),
  /** Record at once (one entry) rather than wait for a second person's entry. */
  recordNow: z.boolean(),
});

function refuseIfClosed(ctx: AppContext, form: PaperForm) {
  if (form.completedAt) throw conflict('This form has already been recorded', 'code');
  if (form.expiresAt <= ctx.now())
    throw gone('This survey has expired: its answers can no longer be recorded');
}

/**
 * Records one staff member's entry of a returned form. The first entry is recorded at once
 * when `recordNow`, else kept for a second entry by someone else; a second entry that agrees
 * item by item records the answers, one that differs shows the mismatches to settle.
 */
export async function enterPaperForm(
  ctx: AppContext,
  actor: UserActor,
  code: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(paperEntrySchema, body);
  const form = await formByCode(ctx, actor, code);
  refuseIfClosed(ctx, form);
  if (input.registryId.toLowerCase() !== form.registryId.toLowerCase())
    throw invalid('This form belongs to another patient: nothing was recorded', [
      {
        field: 'registryId',
        message: `The form with code ${formatShortCode(form.shortCode)} is for patient ${form.registryId}: check the code and the patient number on the form`,
      },
    ]);
  const a = await findAssignmentById(ctx.db, actor.user.siteId, form.assignmentId);
  if (!a) throw notFound('Paper form');
  const answers = checkedAnswers(a, { answers: input.answers });
  const scope = scopeOf(actor);
  const entries = await paperEntries(ctx.db, scope, form.assignmentId);
  if (entries.some((e) => e.enteredBy === actor.user.id))
    throw conflict(
      'You have entered this form already: the second entry must be made by another staff member',
      'code',
    );
  if (entries.length >= 2)
    throw conflict('This form has been entered twice: settle the differences instead', 'code');
  const [first] = entries;
  const entry = first ? 2 : 1;
  try {
    await ctx.db.transaction(async (tx) => {
      await insertPaperEntry(tx, scope, {
        assignmentId: form.assignmentId,
        entry,
        enteredBy: actor.user.id,
        enteredAt: ctx.now(),
        answers,
      });
      await auditUser(
        tx,
        actor,
        'enter-paper-form',
        'survey_assignment',
        form.assignmentId,
        form.patientId,
        { entry },
      );
    });
  } catch (error) {
    // Someone else's entry landed in between: this one is not kept.
    if (isUniqueViolation(error))
      throw conflict('Someone entered this form at the same time: open it again', 'code');
    throw error;
  }
  const instruments = a.instruments.map((id) => instrumentById(id));
  if (!first && input.recordNow) {
    await recordAnswers(ctx, a, {
      given: answers,
      events: [],
      mode: 'paper',
      enteredBy: actor.user.id,
    });
  } else if (first && entryMismatches(instruments, first.answers, answers).length === 0) {
    await recordAnswers(ctx, a, {
      given: answers,
      events: [],
      mode: 'paper',
      enteredBy: first.enteredBy,
      auditDetail: { doubleEntry: true, secondEntryBy: actor.user.id },
    });
  }
  const after = await findPaperForm(ctx.db, scope, form.shortCode);
  return formView(ctx, actor, after ?? form);
}

export const paperSettleSchema = z.strictObject({ answers: z.unknown() });

/**
 * Settles the mismatches of a form entered twice (each value read again from the paper) and
 * records the answers: the values both entries agree on, and the settled ones.
 */
export async function settlePaperForm(
  ctx: AppContext,
  actor: UserActor,
  code: string,
  body: unknown,
) {
  requireRole(actor, CLINICAL_ROLES);
  const input = parseInput(paperSettleSchema, body);
  const form = await formByCode(ctx, actor, code);
  refuseIfClosed(ctx, form);
  const a = await findAssignmentById(ctx.db, actor.user.siteId, form.assignmentId);
  if (!a) throw notFound('Paper form');
  const [first, second] = await paperEntries(ctx.db, scopeOf(actor), form.assignmentId);
  if (!first || !second)
    throw conflict('This form has not been entered twice: there is nothing to settle', 'code');
  const settled: SurveyAnswers = checkedAnswers(a, { answers: input.answers });
  const instruments = a.instruments.map((id) => instrumentById(id));
  const result = settledAnswers(instruments, first.answers, second.answers, settled);
  if (!result.ok)
    throw invalid(
      'Settle every difference between the two entries',
      result.unsettled.map((m) => ({
        field: `answers.${m.instrumentId}.${m.code}`,
        message: 'Read this answer on the form and choose it',
      })),
    );
  await recordAnswers(ctx, a, {
    given: result.answers,
    events: [],
    mode: 'paper',
    enteredBy: actor.user.id,
    auditDetail: {
      doubleEntry: true,
      entries: [first.enteredBy, second.enteredBy],
      settled: entryMismatches(instruments, first.answers, second.answers).length,
    },
  });
  const after = await findPaperForm(ctx.db, scopeOf(actor), form.shortCode);
  return formView(ctx, actor, after ?? form);
}

/**
 * Hands a patient's open survey over on a clinic tablet: a short-lived link that opens only
 * that survey, recorded as "clinic tablet". The caller (the HTTP layer) ends the clinician's
 * session on that device at the same time, so the patient cannot reach the clinic app.
 */
export async function startTablet(ctx: AppContext, actor: UserActor, assignmentId: string) {
  requireRole(actor, CLINICAL_ROLES);
  const a = await openSurveyOfSite(ctx, actor, assignmentId);
  const token = newSecretToken();
  const expiresAt = new Date(ctx.now().getTime() + TABLET_LINK_MINUTES * 60_000);
  await ctx.db.transaction(async (tx) => {
    await insertStaffLink(tx, {
      tokenDigest: digestToken(token),
      siteId: actor.user.siteId,
      assignmentId: a.id,
      mode: 'tablet',
      userId: actor.user.id,
      expiresAt,
    });
    await auditUser(tx, actor, 'hand-over-tablet', 'survey_assignment', a.id, a.patientId, {
      mode: 'tablet',
    });
  });
  // A path on this server: the tablet is the browser that asked.
  return { url: `/s/${token}`, expiresAt };
}

export const tabletLockSchema = z.strictObject({ reason: z.enum(['idle', 'done', 'left']) });

/**
 * Locks a clinic tablet's survey: its link stops working at once. Answers a link of any other
 * kind the same way and changes nothing, so the call tells nobody what a token is.
 */
export async function lockTablet(ctx: AppContext, token: string, body: unknown) {
  const { reason } = parseInput(tabletLockSchema, body);
  if (!looksLikeToken(token)) return { locked: true };
  await ctx.db.transaction(async (tx) => {
    const link = await endTabletLink(tx, digestToken(token), ctx.now());
    if (!link) return;
    const a = await findAssignmentById(tx, link.siteId, link.assignmentId);
    if (a)
      await appendAudit(tx, {
        siteId: a.siteId,
        actorKind: 'patient-link',
        actorUserId: null,
        action: 'tablet-locked',
        entity: 'survey_assignment',
        entityId: a.id,
        patientId: a.patientId,
        detail: { reason },
      });
  });
  return { locked: true };
}
