import { randomUUID } from 'node:crypto';
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

/**
 * Ends every live (unanswered, unexpired) link of one joint and time point as of `now`, so a
 * newly issued link is the only one that opens; returns the ids ended.
 */
export async function expireLiveAssignments(
  q: Queryable,
  scope: SiteScope,
  episodeId: string,
  timepoint: string,
  now: Date,
): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `update survey_assignments set expires_at = $4
     where site_id = $1 and episode_id = $2 and timepoint = $3
       and completed_at is null and expires_at > $4
     returning id`,
    [scope.siteId, episodeId, timepoint, now],
  );
  return rows.map((r) => r.id);
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

export async function findAssignmentById(
  q: Queryable,
  siteId: string,
  id: string,
): Promise<SurveyAssignment | undefined> {
  const [row] = await q.query<SurveyAssignment>(
    `select ${ASSIGNMENT_COLUMNS} from survey_assignments where site_id = $1 and id = $2`,
    [siteId, id],
  );
  return row;
}

/** Saves the draft unless the survey was completed meanwhile; false if it was. */
export async function saveDraft(
  q: Queryable,
  a: Pick<SurveyAssignment, 'id' | 'siteId'>,
  draft: SurveyDraft,
  now: Date,
): Promise<boolean> {
  const rows = await q.query(
    `update survey_assignments set draft = $2::jsonb, draft_saved_at = $3
     where site_id = $4 and id = $1 and completed_at is null returning id`,
    [a.id, JSON.stringify(draft), now, a.siteId],
  );
  return rows.length === 1;
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
            coalesce((select jsonb_object_agg(s.scale, s.value) from response_scores s
                      where s.site_id = r.site_id and s.response_id = r.id), '{}'::jsonb) as scores
     from responses r where r.site_id = $1 and r.patient_id = $2
     order by r.submitted_at, r.instrument_id`,
    [scope.siteId, patientId],
  );
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

export interface SubmissionRecord {
  submittedAt: Date;
  inWindow: boolean;
  responses: { instrumentId: string; answers: Answers; scores: Scores }[];
  events: readonly { kind: string; date: string }[];
  auditDetail: Record<string, unknown>;
  /** How the answers were given (migration 0075); web-email when not said. */
  mode?: string;
  /** The staff member who entered them (a phone interview), audited as the actor. */
  enteredBy?: string | null;
}

/**
 * The link's modes of answer with this submission's (migration 0094), set in the statement that
 * marks it answered so its answers' trigger need not update the link again: `mode` and the
 * responses' JSON are the statement's placeholders.
 */
function withMode(mode: string, responses: string): string {
  return `case when jsonb_array_length(${responses}::jsonb) = 0 or ${mode}::text = any(answered_modes)
    then answered_modes
    else array(select m from unnest(answered_modes || ${mode}::text) as m order by m) end`;
}

/**
 * Stores a submission in ONE statement: marks the link completed and inserts its responses,
 * scores, reported events and audit row, all or nothing (a statement is atomic), and only if
 * the link was still open. Returns false when it was already completed. One round trip
 * instead of ten: the survey endpoint's throughput was bound by round trips.
 */
export async function recordSubmission(
  q: Queryable,
  a: Pick<SurveyAssignment, 'id' | 'siteId' | 'patientId' | 'episodeId' | 'timepoint'>,
  s: SubmissionRecord,
): Promise<boolean> {
  const responses = s.responses.map((r) => ({ ...r, id: randomUUID() }));
  const scores = responses.flatMap((r) =>
    Object.entries(r.scores).map(([scale, value]) => ({
      response_id: r.id,
      instrument_id: r.instrumentId,
      scale,
      value,
    })),
  );
  const [row] = await q.query<{ completed: number }>(
    `with done as (
       update survey_assignments set completed_at = $2,
         answered_modes = ${withMode('$12', '$8')}
       where site_id = $3 and id = $1 and completed_at is null returning id
     ), inserted_responses as (
       insert into responses (id, site_id, patient_id, episode_id, assignment_id, instrument_id,
                              timepoint, answers, submitted_at, in_window, mode, entered_by)
       select r.id, $3, $4, $5, $1, r.instrument_id, $6, r.answers, $2, $7, $12, $13::uuid
       from jsonb_to_recordset($8::jsonb) as r(id uuid, instrument_id text, answers jsonb)
       where exists (select 1 from done)
       returning id
     ), inserted_scores as (
       insert into response_scores (response_id, site_id, patient_id, instrument_id, scale, value)
       select s.response_id, $3, $4, s.instrument_id, s.scale, s.value
       from jsonb_to_recordset($9::jsonb)
         as s(response_id uuid, instrument_id text, scale text, value double precision)
       where exists (select 1 from done)
       returning 1
     ), inserted_events as (
       insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via,
                                   assignment_id, created_at)
       select $3, $4, $5, e.kind, e.date, 'patient-link', $1, $2
       from jsonb_to_recordset($10::jsonb) as e(kind text, date date)
       where exists (select 1 from done)
       returning 1
     ), audited as (
       insert into audit_log (site_id, actor_kind, actor_user_id, action, entity, entity_id,
                              patient_id, detail)
       select $3, case when $13::uuid is null then 'patient-link' else 'user' end, $13::uuid,
              'submit', 'survey_assignment', $1::text, $4, $11::jsonb
       where exists (select 1 from done)
       returning 1
     )
     select (select count(*)::int from done) as completed`,
    [
      a.id,
      s.submittedAt,
      a.siteId,
      a.patientId,
      a.episodeId,
      a.timepoint,
      s.inWindow,
      JSON.stringify(
        responses.map((r) => ({ id: r.id, instrument_id: r.instrumentId, answers: r.answers })),
      ),
      JSON.stringify(scores),
      JSON.stringify(s.events),
      JSON.stringify(s.auditDetail),
      s.mode ?? 'web-email',
      s.enteredBy ?? null,
    ],
  );
  return row?.completed === 1;
}

/** Every score of one treated joint, oldest first: the patient's own trajectory. */
export function jointScoreHistory(
  q: Queryable,
  a: Pick<SurveyAssignment, 'siteId' | 'episodeId'>,
): Promise<JointScore[]> {
  return q.query(
    `select r.timepoint, r.instrument_id as "instrumentId", s.scale, s.value
     from responses r join response_scores s on s.response_id = r.id and s.site_id = r.site_id
     where r.site_id = $2 and r.episode_id = $1 and s.value is not null
     order by r.submitted_at, r.id`,
    [a.episodeId, a.siteId],
  );
}

/** A score row of a joint's history: what the patient's own trajectory is drawn from. */
export interface JointScore {
  timepoint: string;
  instrumentId: string;
  scale: string;
  value: number;
}

/** A whole survey answered through the patient's own link, checked and scored. */
export interface TokenSubmission {
  tokenDigest: string;
  submittedAt: Date;
  /** The submission's date (UTC), compared with the link's window. */
  today: IsoDate;
  instruments: readonly string[];
  responses: { instrumentId: string; answers: Answers; scores: Scores }[];
  /** How the answers were given: 'web-email' or 'web-sms' (a patient's own link). */
  mode: string;
}

export type TokenSubmissionOutcome =
  | { stored: true; assignment: SurveyAssignment; inWindow: boolean; history: JointScore[] }
  | { stored: false; assignment: SurveyAssignment | undefined };

/**
 * Submissions found by their links in the same statement that stores them: the common case of
 * a survey answered whole and without later events costs one round trip instead of three, and
 * several submissions arriving together share that one statement, its triggers and its commit
 * (`submission-batch.ts`). Each is stored only when its link is open and asks exactly its
 * `instruments` (in that order, which decides the item a repeated question is answered under);
 * otherwise nothing of it is written and its link's row comes back, so the caller can say why or
 * store through `recordSubmission`. With a row stored comes the joint's earlier score history (a
 * statement does not see its own inserts, so two links of one joint in one statement do not see
 * each other's scores, as two concurrent statements would not). Outcomes are in the items' order;
 * a token given twice is stored at most once.
 */
export async function submitByTokenDigests(
  q: Queryable,
  items: readonly TokenSubmission[],
): Promise<TokenSubmissionOutcome[]> {
  const input = items.map((s, n) => {
    const responses = s.responses.map((r) => ({ ...r, id: randomUUID() }));
    return {
      n,
      token_digest: s.tokenDigest,
      submitted_at: s.submittedAt.toISOString(),
      today: s.today,
      instruments: s.instruments,
      mode: s.mode,
      responses: responses.map((r) => ({
        id: r.id,
        instrument_id: r.instrumentId,
        answers: r.answers,
      })),
      scores: responses.flatMap((r) =>
        Object.entries(r.scores).map(([scale, value]) => ({
          response_id: r.id,
          instrument_id: r.instrumentId,
          scale,
          value,
        })),
      ),
    };
  });
  const rows = await q.query<
    SurveyAssignment & {
      n: number;
      token_digest: string;
      stored: boolean;
      inWindow: boolean | null;
      history: JointScore[] | null;
    }
  >(
    // The links are found through `= any($2)` so the plan probes the token index whatever the
    // table's statistics say (a join to the input could scan every link of a young registry).
    `with input as (
       select * from jsonb_to_recordset($1::jsonb) as i(n int, token_digest text,
         submitted_at timestamptz, today date, instruments jsonb, mode text, responses jsonb,
         scores jsonb)
     ), a as (
       select ${ASSIGNMENT_COLUMNS}, token_digest from survey_assignments
       where token_digest = any($2::text[])
     ), done as (
       update survey_assignments set completed_at = i.submitted_at,
         answered_modes = ${withMode('i.mode', 'i.responses')}
       from input i
       where survey_assignments.token_digest = any($2::text[])
         and survey_assignments.token_digest = i.token_digest
         and survey_assignments.instruments = i.instruments
         and survey_assignments.completed_at is null
         and survey_assignments.expires_at > i.submitted_at
       returning i.n, survey_assignments.id, survey_assignments.site_id,
                 survey_assignments.patient_id, survey_assignments.episode_id,
                 survey_assignments.timepoint,
                 i.today between window_opens and window_closes as in_window
     ), inserted_responses as (
       insert into responses (id, site_id, patient_id, episode_id, assignment_id, instrument_id,
                              timepoint, answers, submitted_at, in_window, mode)
       select r.id, d.site_id, d.patient_id, d.episode_id, d.id, r.instrument_id, d.timepoint,
              r.answers, i.submitted_at, d.in_window, i.mode
       from done d join input i on i.n = d.n
         cross join jsonb_to_recordset(i.responses) as r(id uuid, instrument_id text, answers jsonb)
       returning 1
     ), inserted_scores as (
       insert into response_scores (response_id, site_id, patient_id, instrument_id, scale, value)
       select s.response_id, d.site_id, d.patient_id, s.instrument_id, s.scale, s.value
       from done d join input i on i.n = d.n
         cross join jsonb_to_recordset(i.scores)
           as s(response_id uuid, instrument_id text, scale text, value double precision)
       returning 1
     ), audited as (
       insert into audit_log (site_id, actor_kind, actor_user_id, action, entity, entity_id,
                              patient_id, detail)
       select d.site_id, 'patient-link', null, 'submit', 'survey_assignment', d.id::text,
              d.patient_id, jsonb_build_object('inWindow', d.in_window, 'events', 0, 'mode', i.mode)
       from done d join input i on i.n = d.n
       -- Each row locks its site's audit chain head until commit: taken in site order, two
       -- statements of several sites cannot deadlock on them (found in review).
       order by d.site_id, d.n
       returning 1
     )
     select i.n, a.*, d.id is not null as stored, d.in_window as "inWindow",
       case when d.id is not null then (
         select coalesce(jsonb_agg(jsonb_build_object('timepoint', r.timepoint,
                  'instrumentId', r.instrument_id, 'scale', sc.scale, 'value', sc.value)
                  order by r.submitted_at, r.id), '[]'::jsonb)
         from responses r join response_scores sc on sc.response_id = r.id and sc.site_id = r.site_id
         where r.site_id = d.site_id and r.episode_id = d.episode_id and sc.value is not null)
       end as history
     from input i join a on a.token_digest = i.token_digest left join done d on d.n = i.n`,
    [JSON.stringify(input), items.map((s) => s.tokenDigest)],
    { prepared: 'submit-by-tokens' },
  );
  const byItem = new Map(rows.map((row) => [row.n, row]));
  return items.map((_, n): TokenSubmissionOutcome => {
    const row = byItem.get(n);
    if (!row) return { stored: false, assignment: undefined };
    const { n: _n, token_digest: _digest, stored, inWindow, history, ...assignment } = row;
    return stored
      ? { stored: true, assignment, inWindow: inWindow === true, history: history ?? [] }
      : { stored: false, assignment };
  });
}

/** One submission through `submitByTokenDigests`, when nothing gathers them (CLI, tests). */
export async function submitByTokenDigest(
  q: Queryable,
  item: TokenSubmission,
): Promise<TokenSubmissionOutcome> {
  const [outcome] = await submitByTokenDigests(q, [item]);
  if (!outcome) throw new Error('A submission statement returned no outcome');
  return outcome;
}

/** The BCP 47 tag of the language a patient reads in; null when the patient has no identity row. */
export async function patientLanguageOf(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<string | null> {
  const [row] = await q.query<{ language: string }>(
    'select language from patient_identities where patient_id = $1 and site_id = $2',
    [patientId, scope.siteId],
  );
  return row?.language ?? null;
}
