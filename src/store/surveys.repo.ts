import type { Answers, Scores } from '../core/instruments/scoring.ts';
import type { IsoDate } from '../core/registry/dates.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

/** Saved answers of an unfinished survey: instrument id → item code → value. */
export type SurveyDraft = Record<string, Answers>;

export interface SurveyAssignment {
  id: string;
  siteId: string;
  patientId: string;
  episodeId: string;
  timepoint: string;
  instruments: string[];
  windowTarget: IsoDate;
  windowOpens: IsoDate;
  windowCloses: IsoDate;
  expiresAt: Date;
  draft: SurveyDraft;
  draftSavedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
}

const ASSIGNMENT_COLUMNS = `id, site_id as "siteId", patient_id as "patientId", episode_id as "episodeId",
  timepoint, instruments, window_target as "windowTarget", window_opens as "windowOpens",
  window_closes as "windowCloses", expires_at as "expiresAt", draft, draft_saved_at as "draftSavedAt",
  completed_at as "completedAt", created_at as "createdAt"`;

export async function insertAssignment(
  q: Queryable,
  scope: SiteScope,
  a: {
    patientId: string;
    episodeId: string;
    timepoint: string;
    instruments: string[];
    windowTarget: IsoDate;
    windowOpens: IsoDate;
    windowCloses: IsoDate;
    tokenDigest: string;
    expiresAt: Date;
    createdBy: string | null;
    createdAt: Date;
  },
): Promise<SurveyAssignment> {
  const [row] = await q.query<SurveyAssignment>(
    `insert into survey_assignments (site_id, patient_id, episode_id, timepoint, instruments, window_target,
       window_opens, window_closes, token_digest, expires_at, created_by, created_at)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12) returning ${ASSIGNMENT_COLUMNS}`,
    [
      scope.siteId,
      a.patientId,
      a.episodeId,
      a.timepoint,
      JSON.stringify(a.instruments),
      a.windowTarget,
      a.windowOpens,
      a.windowCloses,
      a.tokenDigest,
      a.expiresAt,
      a.createdBy,
      a.createdAt,
    ],
  );
  if (!row) throw new Error('insert into survey_assignments returned no row');
  return row;
}

export function listAssignments(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<SurveyAssignment[]> {
  return q.query<SurveyAssignment>(
    `select ${ASSIGNMENT_COLUMNS} from survey_assignments where site_id = $1 and patient_id = $2
     order by window_target, created_at`,
    [scope.siteId, patientId],
  );
}

/**
 * The assignment a survey link opens. The link's token is the patient's only credential,
 * so this is looked up by the token's digest; the site scope comes from the row itself.
 */
export async function findAssignmentByTokenDigest(
  q: Queryable,
  tokenDigest: string,
): Promise<SurveyAssignment | undefined> {
  const [row] = await q.query<SurveyAssignment>(
    `select ${ASSIGNMENT_COLUMNS} from survey_assignments where token_digest = $1`,
    [tokenDigest],
  );
  return row;
}

/** Saves the draft unless the survey was completed meanwhile; false if it was. */
export async function saveDraft(
  q: Queryable,
  assignmentId: string,
  draft: SurveyDraft,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update survey_assignments set draft = $2::jsonb, draft_saved_at = $3
     where id = $1 and completed_at is null returning id`,
    [assignmentId, JSON.stringify(draft), now],
  );
  return rows.length === 1;
}

/** Marks the survey completed; false if it already was (so a link answers once, even under races). */
export async function markCompleted(
  q: Queryable,
  assignmentId: string,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update survey_assignments set completed_at = $2 where id = $1 and completed_at is null returning id`,
    [assignmentId, now],
  );
  return rows.length === 1;
}

export async function insertResponse(
  q: Queryable,
  assignment: SurveyAssignment,
  r: {
    instrumentId: string;
    answers: Answers;
    scores: Scores;
    submittedAt: Date;
    inWindow: boolean;
  },
): Promise<string> {
  const [row] = await q.query<{ id: string }>(
    `insert into responses (site_id, patient_id, episode_id, assignment_id, instrument_id, timepoint,
       answers, submitted_at, in_window)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) returning id`,
    [
      assignment.siteId,
      assignment.patientId,
      assignment.episodeId,
      assignment.id,
      r.instrumentId,
      assignment.timepoint,
      JSON.stringify(r.answers),
      r.submittedAt,
      r.inWindow,
    ],
  );
  if (!row) throw new Error('insert into responses returned no row');
  const entries = Object.entries(r.scores);
  if (entries.length > 0) {
    await q.query(
      `insert into response_scores (response_id, site_id, patient_id, instrument_id, scale, value)
       select $1, $2, $3, $4, s.scale, s.value
       from jsonb_to_recordset($5::jsonb) as s(scale text, value double precision)`,
      [
        row.id,
        assignment.siteId,
        assignment.patientId,
        r.instrumentId,
        JSON.stringify(entries.map(([scale, value]) => ({ scale, value }))),
      ],
    );
  }
  return row.id;
}

export interface ResponseWithScores {
  id: string;
  episodeId: string;
  instrumentId: string;
  timepoint: string;
  submittedAt: Date;
  inWindow: boolean;
  answers: Answers;
  scores: Scores;
}

export function listResponses(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<ResponseWithScores[]> {
  return q.query<ResponseWithScores>(
    `select r.id, r.episode_id as "episodeId", r.instrument_id as "instrumentId", r.timepoint,
            r.submitted_at as "submittedAt", r.in_window as "inWindow", r.answers,
            coalesce((select jsonb_object_agg(s.scale, s.value) from response_scores s where s.response_id = r.id),
                     '{}'::jsonb) as scores
     from responses r where r.site_id = $1 and r.patient_id = $2
     order by r.submitted_at, r.instrument_id`,
    [scope.siteId, patientId],
  );
}

export async function insertPatientEvents(
  q: Queryable,
  a: Pick<SurveyAssignment, 'id' | 'siteId' | 'patientId' | 'episodeId'>,
  events: readonly { kind: string; date: string }[],
  reportedAt: Date,
): Promise<void> {
  for (const e of events) {
    await q.query(
      `insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via, assignment_id, created_at)
       values ($1, $2, $3, $4, $5, 'patient-link', $6, $7)`,
      [a.siteId, a.patientId, a.episodeId, e.kind, e.date, a.id, reportedAt],
    );
  }
}

export function listPatientEvents(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<{ id: string; episodeId: string; kind: string; date: string; reportedVia: string }[]> {
  return q.query(
    `select id, episode_id as "episodeId", kind, event_date as date, reported_via as "reportedVia"
     from patient_events where site_id = $1 and patient_id = $2 order by event_date, created_at`,
    [scope.siteId, patientId],
  );
}
