import type { PatientContact } from '../core/outreach/contact.ts';
import type { IsoDate } from '../core/registry/dates.ts';
import {
  type CohortFilter,
  cohortKeyConditions,
  dashboardSettings,
  episodeConditions,
  fewRangeJoints,
  inFoldedSnapshot,
  keptSet,
  listedJoint,
  servedFromSums,
  splitAtHalfMonths,
  sqlParams,
  withDashboardSettings,
} from './analytics.repo.ts';
import type { Db, Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export interface ContactDetails {
  mobile: string | null;
  smsConsent: string;
  smsConsentAt: Date | null;
  smsConsentSource: string | null;
  timeZone: string | null;
  language: string;
  preferredCallTime: string | null;
}

const CONTACT_COLUMNS = `i.mobile, i.sms_consent as "smsConsent", i.sms_consent_at as "smsConsentAt",
  i.sms_consent_source as "smsConsentSource", i.time_zone as "timeZone", i.language,
  i.preferred_call_time as "preferredCallTime"`;

export async function contactDetails(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<ContactDetails | undefined> {
  const [row] = await q.query<ContactDetails>(
    `select ${CONTACT_COLUMNS} from patient_identities i where i.site_id = $1 and i.patient_id = $2`,
    [scope.siteId, patientId],
  );
  return row;
}

/** Writes the clinic's record; the consent's time and source move only when the consent does. */
export async function saveContactDetails(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
  c: PatientContact,
  now: Date,
): Promise<ContactDetails | undefined> {
  const [row] = await q.query<ContactDetails>(
    `update patient_identities i set mobile = $3, time_zone = $5, language = $6,
       preferred_call_time = $7,
       sms_consent_at = case when i.sms_consent is distinct from $4 then $8 else i.sms_consent_at end,
       sms_consent_source = case when i.sms_consent is distinct from $4 then 'clinic' else i.sms_consent_source end,
       sms_consent = $4
     where i.site_id = $1 and i.patient_id = $2
     returning ${CONTACT_COLUMNS}`,
    [
      scope.siteId,
      patientId,
      c.mobile,
      c.smsConsent,
      c.timeZone,
      c.language,
      c.preferredCallTime,
      now,
    ],
  );
  return row;
}

/**
 * A STOP or START reply, or the provider's "unsubscribed" error: every patient with this
 * mobile number whose consent is one of `from` gets `to`. Not site-scoped: the reply comes
 * from the phone's owner, whichever clinic texted them.
 */
export function setSmsConsentByMobile(
  q: Queryable,
  mobile: string,
  from: readonly string[],
  to: 'opted-in' | 'opted-out',
  source: 'patient-reply' | 'provider',
  now: Date,
): Promise<{ siteId: string; patientId: string }[]> {
  return q.query(
    `update patient_identities set sms_consent = $3, sms_consent_at = $5, sms_consent_source = $4
     where mobile = $1 and sms_consent = any($2::text[])
     returning site_id as "siteId", patient_id as "patientId"`,
    [mobile, from, to, source, now],
  );
}

export interface ContactRecord {
  siteId: string;
  patientId: string;
  assignmentId: string;
  channel: 'email' | 'sms' | 'phone';
  step: number;
  at: Date;
  providerId?: string | null;
  delivery?: string | null;
  errorCode?: string | null;
  outcome?: string | null;
  note?: string | null;
  userId?: string | null;
}

export async function insertContact(q: Queryable, c: ContactRecord): Promise<string> {
  const [row] = await q.query<{ id: string }>(
    `insert into follow_up_contacts (site_id, patient_id, assignment_id, channel, step, at,
       provider_id, delivery, error_code, outcome, note, user_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [
      c.siteId,
      c.patientId,
      c.assignmentId,
      c.channel,
      c.step,
      c.at,
      c.providerId ?? null,
      c.delivery ?? null,
      c.errorCode ?? null,
      c.outcome ?? null,
      c.note ?? null,
      c.userId ?? null,
    ],
  );
  if (!row) throw new Error('follow_up_contacts insert returned nothing');
  return row.id;
}

/** A delivery status callback: the text's status, and who it went to. */
export async function updateDelivery(
  q: Queryable,
  providerId: string,
  delivery: string | null,
  errorCode: string | null,
): Promise<{ siteId: string; patientId: string; assignmentId: string } | undefined> {
  const [row] = await q.query<{ siteId: string; patientId: string; assignmentId: string }>(
    `update follow_up_contacts set delivery = coalesce($2, delivery), error_code = coalesce($3, error_code)
     where provider_id = $1 and channel = 'sms'
     returning site_id as "siteId", patient_id as "patientId", assignment_id as "assignmentId"`,
    [providerId, delivery, errorCode],
  );
  return row;
}

export function mobileOf(q: Queryable, siteId: string, patientId: string): Promise<string | null> {
  return q
    .query<{ mobile: string | null }>(
      'select mobile from patient_identities where site_id = $1 and patient_id = $2',
      [siteId, patientId],
    )
    .then((r) => r[0]?.mobile ?? null);
}

export interface CallListRow {
  assignmentId: string;
  patientId: string;
  registryId: string;
  givenName: string;
  familyName: string;
  phone: string | null;
  mobile: string | null;
  language: string;
  timeZone: string | null;
  preferredCallTime: string | null;
  timepoint: string;
  windowCloses: IsoDate;
  messagesSent: number;
  calls: number;
  lastCallAt: Date | null;
  lastOutcome: string | null;
}

/**
 * Open surveys whose automatic messages have all gone out (no e-mail or text job still
 * waiting), at least `quietDays` after the last message or the link itself, with the window
 * still open and no call on which the patient declined: the patients to call.
 */
export function callList(
  q: Queryable,
  scope: SiteScope,
  today: IsoDate,
  now: Date,
  since: Date,
): Promise<CallListRow[]> {
  return q.query<CallListRow>(
    `with waiting as (
       select distinct payload->>'assignmentId' as id from jobs
       where site_id = $1 and status in ('pending', 'running') and kind in ('survey-email', 'survey-sms')
     ), contacts as (
       select assignment_id,
              count(*) filter (where channel <> 'phone')::int as messages,
              max(at) filter (where channel <> 'phone') as last_message,
              count(*) filter (where channel = 'phone')::int as calls,
              max(at) filter (where channel = 'phone') as last_call,
              bool_or(outcome = 'declined') as declined
       from follow_up_contacts where site_id = $1 group by assignment_id
     )
     select a.id as "assignmentId", a.patient_id as "patientId", p.registry_id as "registryId",
            i.given_name as "givenName", i.family_name as "familyName", i.phone, i.mobile,
            i.language, i.time_zone as "timeZone", i.preferred_call_time as "preferredCallTime",
            a.timepoint, a.window_closes as "windowCloses",
            coalesce(c.messages, 0) as "messagesSent", coalesce(c.calls, 0) as calls,
            c.last_call as "lastCallAt",
            (select outcome from follow_up_contacts l where l.assignment_id = a.id and l.channel = 'phone'
             order by l.at desc limit 1) as "lastOutcome"
     from survey_assignments a
     join patients p on p.site_id = a.site_id and p.id = a.patient_id and p.status = 'active'
     join patient_identities i on i.site_id = a.site_id and i.patient_id = a.patient_id
     left join contacts c on c.assignment_id = a.id
     where a.site_id = $1 and a.completed_at is null and a.expires_at > $3
       and a.window_opens <= $2::date and a.window_closes >= $2::date
       and a.id::text not in (select id from waiting where id is not null)
       and coalesce(c.last_message, a.created_at) <= $4
       and not coalesce(c.declined, false)
     order by a.window_closes, p.registry_id`,
    [scope.siteId, today, now, since],
  );
}

export function openAssignmentForCall(
  q: Queryable,
  scope: SiteScope,
  assignmentId: string,
): Promise<
  { id: string; patientId: string; completedAt: Date | null; expiresAt: Date } | undefined
> {
  return q
    .query<{ id: string; patientId: string; completedAt: Date | null; expiresAt: Date }>(
      `select id, patient_id as "patientId", completed_at as "completedAt", expires_at as "expiresAt"
       from survey_assignments where site_id = $1 and id = $2`,
      [scope.siteId, assignmentId],
    )
    .then((r) => r[0]);
}

export async function nextStep(
  q: Queryable,
  assignmentId: string,
  channel: string,
): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    'select count(*)::int as n from follow_up_contacts where assignment_id = $1 and channel = $2',
    [assignmentId, channel],
  );
  return row?.n ?? 0;
}

export async function insertStaffLink(
  q: Queryable,
  link: {
    tokenDigest: string;
    siteId: string;
    assignmentId: string;
    mode: string;
    userId: string;
    expiresAt: Date;
  },
): Promise<void> {
  await q.query(
    `insert into staff_survey_links (token_digest, site_id, assignment_id, mode, user_id, expires_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [link.tokenDigest, link.siteId, link.assignmentId, link.mode, link.userId, link.expiresAt],
  );
}

interface StaffLink {
  siteId: string;
  assignmentId: string;
  mode: string;
  userId: string;
  expiresAt: Date;
}

export function findStaffLink(q: Queryable, tokenDigest: string): Promise<StaffLink | undefined> {
  return q
    .query<StaffLink>(
      `select l.site_id as "siteId", l.assignment_id as "assignmentId", l.mode, l.user_id as "userId", l.expires_at as "expiresAt"
       from staff_survey_links l join users u on u.id = l.user_id and u.disabled_at is null
       where l.token_digest = $1`,
      [tokenDigest],
    )
    .then((r) => r[0]);
}

/** Links, answered links and answers by mode, per time point and the channels a link was sent on. */
export interface OutreachCounts {
  byChannel: { timepoint: string; channels: string; links: number; completed: number }[];
  byMode: { timepoint: string; mode: string; completed: number }[];
  /** Per message (invitation, n-th reminder, n-th call): links it reached, answered before the next. */
  afterMessage: {
    message: string;
    channel: string;
    step: number;
    reached: number;
    answeredBefore: number;
  }[];
}

/**
 * The follow-up counts behind completeness by channel and mode, for a cohort of one site,
 * added up from what is kept after folding in the joints changed since the last read: a whole
 * site's counts (migration 0102); the counts of a union of cohort keys (0104), of a range of
 * ages (0107, per set of ages) or of whole treatment half-months (0109, per set of them), either
 * with a product, dose or BMI (0113, per set of its treatments' keys with ages or half-months); for
 * a range of dates ending within half-months, its whole half-months' counts and the shares of
 * the joints treated at its ends; for any other range, the shares of the joints it selects (at
 * 100,000 joints, a fifth of a site: the view in 0.19 s, against 0.35 s reading their links and
 * contacts), read by key when they are few (`fewRangeJoints`). outreach.int.test.ts compares
 * each with outreachCountsFromRows.
 */
export async function outreachCounts(
  db: Db,
  siteId: string,
  cohort: CohortFilter = {},
): Promise<OutreachCounts> {
  await catchUpOutreachCounts(db);
  const { params, bind } = sqlParams([siteId]);
  const inSite = { ...cohort, siteId: undefined };
  const summed = (table: string, conditions: string[]) =>
    `select section, timepoint, label, step, links, completed from ${table} s
     where s.site_id = $1 ${conditions.map((c) => `and ${c}`).join(' ')}`;
  // The shares of the joints `conditions` select, and with `joints` listed, read by key.
  const shares = (conditions: string[], joints: string | null) =>
    `select f.section, f.timepoint, f.label, f.step, f.links, f.completed
     from outreach_folded f
     ${conditions.length > 0 ? 'join joint_episodes e on e.id = f.episode_id and e.site_id = $1' : ''}
     where ${joints ? `${listedJoint(joints, 'f')} and` : ''} f.site_id = $1
       ${conditions.map((c) => `and ${c}`).join(' ')}`;
  const split = splitAtHalfMonths(inSite);
  const byKey = servedFromSums(inSite);
  const set = byKey ? null : keptSet(inSite, bind);
  const few =
    byKey || set ? null : await fewRangeJoints(db, { ...inSite, siteId }, split, bind, 'outreach');
  const parts = (): string[] => {
    if (byKey)
      return cohortKeyConditions(inSite, () => '').length === 0
        ? [summed('outreach_counts', [])]
        : [summed('outreach_cohort_counts', cohortKeyConditions(inSite, bind))];
    if (set) return [summed(`outreach_${set.kind}_counts`, set.where)];
    // Any other range: the shares of its joints; one ending within half-months: its whole
    // half-months kept, and the shares of the joints treated at its ends.
    const whole = split?.halfMonths ? keptSet(split.halfMonths, bind) : null;
    if (split?.halfMonths && !whole) throw new Error('a split range keeps whole half-months only');
    return [
      ...(whole ? [summed(`outreach_${whole.kind}_counts`, whole.where)] : []),
      shares(
        episodeConditions({ ...(few?.beside ?? inSite), siteId: undefined }, bind),
        few?.joints ?? null,
      ),
    ];
  };
  const kept = `select section, timepoint, label, step, sum(links)::int as links,
                       sum(completed)::int as completed
                from (${parts().join(' union all ')}) x
                group by section, timepoint, label, step
                having sum(links) <> 0 or sum(completed) <> 0`;
  const read = (q: Queryable) =>
    q.query<{
      byChannel: OutreachCounts['byChannel'] | null;
      byMode: OutreachCounts['byMode'] | null;
      afterMessage: OutreachCounts['afterMessage'] | null;
    }>(
      `with kept as (${kept})
       select (select json_agg(x order by x.timepoint, x.channels) from (
                 select timepoint, label as channels, links, completed from kept
                 where section = 'channel') x) as "byChannel",
              (select json_agg(x order by x.timepoint, x.mode) from (
                 select timepoint, label as mode, completed from kept where section = 'mode') x)
                as "byMode",
              (select json_agg(x order by x.channel = 'phone', x.step) from (
                 select case when label = 'phone' then 'Call ' || (step + 1)
                             when step = 0 then 'Invitation' else 'Reminder ' || step end as message,
                        label as channel, step, links as reached, completed as "answeredBefore"
                 from kept where section = 'message') x) as "afterMessage"`,
      params,
    );
  // A split range reads its ends' joints by index, in one folded snapshot with its kept counts.
  const [row] = split
    ? await inFoldedSnapshot(
        db,
        cohort,
        'outreach_counts_pending',
        catchUpOutreachCounts,
        async (q) => {
          await dashboardSettings(q, { nestedLoops: true });
          return read(q);
        },
      )
    : await withDashboardSettings(db, { nestedLoops: few !== null }, read);
  return {
    byChannel: row?.byChannel ?? [],
    byMode: row?.byMode ?? [],
    afterMessage: row?.afterMessage ?? [],
  };
}

/** Folds the joints noted since the last fold into the outreach counts kept per site (0102). */
export async function catchUpOutreachCounts(q: Queryable): Promise<number> {
  const [row] = await q.query<{ folded: number }>('select outreach_counts_catch_up() as folded');
  return row?.folded ?? 0;
}

/**
 * The same counts in three statements over the links, as first written: the reference the
 * tests compare `outreachCounts` with.
 */
export async function outreachCountsFromRows(
  q: Queryable,
  siteId: string,
  cohort: CohortFilter = {},
): Promise<OutreachCounts> {
  const { params, bind } = sqlParams([siteId]);
  const inCohort = episodeConditions({ ...cohort, siteId: undefined }, bind);
  const episodes = `select e.id from joint_episodes e where e.site_id = $1 ${inCohort.map((c) => `and ${c}`).join(' ')}`;
  // One link per joint and time point counts: the last one issued (a new link replaces the old).
  const links = `links as (
       select distinct on (a.episode_id, a.timepoint) a.id, a.timepoint, a.completed_at
       from survey_assignments a
       where a.site_id = $1 and a.episode_id in (${episodes})
       order by a.episode_id, a.timepoint, a.created_at desc
     )`;
  const byChannel = await q.query<OutreachCounts['byChannel'][number]>(
    `with ${links}, sent as (
       select l.id, l.timepoint, l.completed_at,
              coalesce((select string_agg(distinct c.channel, '+' order by c.channel)
                        from follow_up_contacts c
                        where c.assignment_id = l.id and (l.completed_at is null or c.at <= l.completed_at)),
                       'none') as channels
       from links l
     )
     select timepoint, channels, count(*)::int as links, count(completed_at)::int as completed
     from sent group by timepoint, channels order by timepoint, channels`,
    params,
  );
  const byMode = await q.query<OutreachCounts['byMode'][number]>(
    `with ${links}
     select l.timepoint, r.mode, count(distinct l.id)::int as completed
     from links l join responses r on r.site_id = $1 and r.assignment_id = l.id
     group by l.timepoint, r.mode order by l.timepoint, r.mode`,
    params,
  );
  // Messages of the same step on two channels (the e-mail and the text of an invitation) are
  // one message; the next message is the first contact of a later step or a call.
  const afterMessage = await q.query<OutreachCounts['afterMessage'][number]>(
    `with ${links}, messages as (
       select c.assignment_id, case when c.channel = 'phone' then 'phone' else 'message' end as channel,
              c.step, min(c.at) as at
       from follow_up_contacts c join links l on l.id = c.assignment_id
       group by 1, 2, 3
     ), ordered as (
       select m.*, lead(m.at) over (partition by m.assignment_id order by m.at, m.channel, m.step) as next_at,
              l.completed_at
       from messages m join links l on l.id = m.assignment_id
     )
     select case when channel = 'phone' then 'Call ' || (step + 1)
                 when step = 0 then 'Invitation' else 'Reminder ' || step end as message,
            channel, step, count(*)::int as reached,
            count(*) filter (where completed_at > at and (next_at is null or completed_at <= next_at))::int
              as "answeredBefore"
     from ordered
     where completed_at is null or completed_at > at
     group by channel, step order by channel = 'phone', step`,
    params,
  );
  return { byChannel, byMode, afterMessage };
}
