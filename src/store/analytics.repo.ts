import type { EpisodeHistory, TimeToEventCount } from '../core/analytics/durability.ts';
import type { SitePatternRow, SiteSummaryRow } from '../core/analytics/outcomes.ts';
import {
  addThresholdCounts,
  OMERACT_OARSI,
  type OutcomeCriteria,
  PATIENT_GLOBAL,
  type SiteResponderCounts,
  type SiteThresholdCounts,
  THRESHOLD_TOLERANCE,
} from '../core/analytics/responders.ts';
import { WORK_STATUS } from '../core/analytics/work-status.ts';
import { addDays, addMonths, type IsoDate } from '../core/registry/dates.ts';
import {
  BMI_CLASS_CODES,
  BMI_CLASSES,
  type BmiClass,
  CELL_DOSE_BAND_CODES,
  CELL_DOSE_BANDS,
  type CellDoseBand,
  type CellSource,
  productClassesFrom,
} from '../core/registry/vocabulary.ts';
import { poolSummaries } from '../core/stats/descriptive.ts';
import type { Db, Queryable } from './db.ts';

export interface CohortFilter {
  /** Limit to one site; none = the whole network (operators' reports). */
  siteId?: string;
  joint?: string;
  klGrade?: number;
  sex?: string;
  // The rest select joints with a treatment that matches them all (product, dose, BMI, date…).
  productClass?: string;
  cellSource?: CellSource;
  doseBand?: CellDoseBand;
  bmiClass?: BmiClass;
  /** Exact age on the date of that treatment, in whole years. */
  ageFrom?: number;
  ageTo?: number;
  /** Treatment date range, both ends included. */
  treatedFrom?: IsoDate;
  treatedTo?: IsoDate;
}

/** Binds a value into a parameter list and returns its placeholder. */
export type Bind = (value: unknown) => string;

/** A parameter list and the function that binds into it, for building one statement. */
export function sqlParams(initial: unknown[] = []): { params: unknown[]; bind: Bind } {
  const params = [...initial];
  return {
    params,
    bind: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}

/** SQL conditions on a treatment `t` for the treatment-level filters (product, dose, BMI, age, date). */
export function treatmentConditions(f: CohortFilter, add: Bind, t = 't'): string[] {
  const conditions: string[] = [];
  if (f.productClass) conditions.push(`${t}.product_class = ${add(f.productClass)}`);
  if (f.cellSource)
    conditions.push(`${t}.product_class = any(${add(productClassesFrom(f.cellSource))}::text[])`);
  const band = (
    bands: readonly { code: string; min: number | null; max: number | null }[],
    code: string | undefined,
    column: string,
  ) => {
    const b = bands.find((x) => x.code === code);
    if (!b) return;
    if (b.min !== null) conditions.push(`${column} >= ${add(b.min)}`);
    if (b.max !== null) conditions.push(`${column} < ${add(b.max)}`);
  };
  band(CELL_DOSE_BANDS, f.doseBand, `${t}.cell_dose_millions`);
  band(BMI_CLASSES, f.bmiClass, `${t}.bmi`);
  if (f.treatedFrom) conditions.push(`${t}.treatment_date >= ${add(f.treatedFrom)}::date`);
  if (f.treatedTo) conditions.push(`${t}.treatment_date <= ${add(f.treatedTo)}::date`);
  // Exact age on the treatment date, kept on the row (migration 0016).
  if (f.ageFrom !== undefined) conditions.push(`${t}.age_at_treatment >= ${add(f.ageFrom)}`);
  if (f.ageTo !== undefined) conditions.push(`${t}.age_at_treatment <= ${add(f.ageTo)}`);
  return conditions;
}

/** Whether the filter selects treatments (not only joints and patients). */
export function filtersTreatments(f: CohortFilter): boolean {
  return treatmentConditions(f, () => '$0').length > 0;
}

/**
 * SQL conditions that put the joint episode `e` in the cohort: its joint and KL grade, its
 * patient's sex, and a treatment matching the treatment-level filters. Every section of a
 * report selects its joints with these, so all of them describe the same cohort.
 */
export function episodeConditions(f: CohortFilter, add: Bind, e = 'e'): string[] {
  const where: string[] = [];
  if (f.siteId) where.push(`${e}.site_id = ${add(f.siteId)}`);
  if (f.joint) where.push(`${e}.joint = ${add(f.joint)}`);
  if (f.klGrade !== undefined) where.push(`${e}.kl_grade = ${add(f.klGrade)}`);
  if (f.sex)
    where.push(
      `exists (select 1 from patients cp where cp.id = ${e}.patient_id and cp.sex = ${add(f.sex)})`,
    );
  where.push(...hasMatchingTreatment(f, add, { site: `${e}.site_id`, episode: `${e}.id` }));
  return where;
}

/**
 * The condition that the joint whose site and id are the columns `joint` has a treatment
 * matching the filter's treatment-level conditions, or none when it has none. With the site, an
 * index on the site's treatments can select them (ages and BMI: migration 0123).
 */
function hasMatchingTreatment(
  f: CohortFilter,
  add: Bind,
  joint: { site: string; episode: string },
): string[] {
  const treatment = treatmentConditions(f, add, 'ct');
  if (treatment.length === 0) return [];
  return [
    `exists (select 1 from treatments ct where ct.site_id = ${joint.site}
       and ct.episode_id = ${joint.episode} and ${treatment.join(' and ')})`,
  ];
}

export interface OutcomeSummaries {
  /** Joints with at least one score in the cohort. */
  joints: number;
  levels: SiteSummaryRow[];
  changes: SiteSummaryRow[];
  patterns: SitePatternRow[];
  /** Per site, scale with an MCID or PASS, and time point after baseline: joints past them. */
  thresholdCounts: SiteThresholdCounts[];
  /** Per site and time point after baseline: joints classed by the OMERACT-OARSI rule. */
  responderCounts: SiteResponderCounts[];
  /**
   * The kept item's answers asked for (`outcomeSummaries`' `item`), when they were read in the
   * same statement: a read with the noted changes added, which computes those changes once.
   */
  itemAnswers?: AnswerCount[];
}

/** The time points of outcome_joint_scores' slots, in slot order (migration 0012). */
export const OUTCOME_SLOTS = [
  'baseline',
  'w6',
  'm3',
  'm6',
  'm12',
  'm24',
  'm36',
  'm48',
  'm60',
] as const;

/**
 * Sort and hash memory for the outcome aggregation: PostgreSQL's default 4 MB sends its sorts
 * of a large registry's per-joint rows to disk. Set for that one transaction only.
 */
const OUTCOME_WORK_MEM = '64MB';

/**
 * The cohort's outcome statistics aggregated in the database, per site: levels and paired
 * changes from baseline (n, mean, SD) and the visit patterns the trajectory model needs. Only
 * these few hundred rows leave the database, whatever the registry's size. A joint answering
 * twice at a time point counts once, with its first answer. With `criteria`, also the joints past
 * each scale's MCID and PASS and the OMERACT-OARSI responders.
 */
export async function outcomeSummaries(
  db: Db,
  f: CohortFilter,
  timepoints: readonly string[],
  /** What to count joints against; without it, no threshold or responder counts (benchmarks). */
  criteria: OutcomeCriteria | null = null,
  /** A kept item whose answers the report also shows (`itemAnswers`, when read alongside). */
  item?: KeptItem,
): Promise<OutcomeSummaries> {
  if (timepoints.join() !== OUTCOME_SLOTS.join())
    throw new Error(
      `outcome slots are ${OUTCOME_SLOTS.join(', ')}; asked for ${timepoints.join(', ')}`,
    );
  if (criteria === null || (await outcomeRulesCurrent(db, criteria))) {
    if (await readsNotedChanges(db, f))
      return db.transaction(async (q) => {
        // The item's answers in the same statement, from the same noted changes (0118): a
        // statement of their own computed those changes again (about 30 ms at 1,000 joints).
        const answersOf = criteria && item && isKeptItem(item) ? { item, timepoints } : undefined;
        const raw = await sumsQuery(q, f, criteria, true, answersOf);
        const summaries = parseSummaries(raw, timepoints, criteria);
        return answersOf ? { ...summaries, itemAnswers: raw.item_answers ?? [] } : summaries;
      });
    await catchUpOutcomeSums(db);
    const split = splitAtHalfMonths(f);
    if (!split)
      return db.transaction(async (q) =>
        parseSummaries(
          servedFromKept(f)
            ? await sumsQuery(q, f, criteria)
            : // Ages with dates are no union of kept keys or sets: the joints' rows as last
              // folded.
              await foldedRowsQuery(q, f, timepoints, criteria),
          timepoints,
          criteria,
        ),
      );
    // A range of dates ending within half-months: the sums of its whole half-months, and the
    // rows of the joints treated only on its other days, in one folded snapshot.
    return inFoldedSnapshot(db, f, 'outcome_sums_pending', catchUpOutcomeSums, async (q) => {
      const ends = parseSummaries(
        await foldedRowsQuery(q, f, timepoints, criteria, split),
        timepoints,
        criteria,
      );
      return split.halfMonths
        ? mergeSummaries(
            parseSummaries(await sumsQuery(q, split.halfMonths, criteria), timepoints, criteria),
            ends,
          )
        : ends;
    });
  }
  return parseSummaries(await rowsQuery(db, f, timepoints, criteria), timepoints, criteria);
}

/**
 * The same statistics aggregated from every joint's row, whatever the filter: the path that
 * range filters take, and the tests' check on the sums.
 */
export async function outcomeSummariesFromRows(
  db: Db,
  f: CohortFilter,
  timepoints: readonly string[],
  criteria: OutcomeCriteria | null = null,
): Promise<OutcomeSummaries> {
  return parseSummaries(await rowsQuery(db, f, timepoints, criteria), timepoints, criteria);
}

/** What one aggregation returns, whichever path computed it: JSON rows with numbered columns. */
interface RawSummaries {
  joints: number;
  stats: Record<string, number | string | null>[] | null;
  patterns: Record<string, number | string | null>[] | null;
  responders: Record<string, number | string | null>[] | null;
  item_answers?: AnswerCount[] | null;
}

/**
 * Whether the cohort is a union of cohort keys (migration 0090): site, joint, KL grade, sex,
 * product, dose band and BMI class are; a range of ages or treatment dates is not.
 */
export function servedFromSums(f: CohortFilter): boolean {
  return (
    f.ageFrom === undefined &&
    f.ageTo === undefined &&
    f.treatedFrom === undefined &&
    f.treatedTo === undefined
  );
}

/** Whether the cohort has, besides `keys`, nothing but the site, joint, KL grade and sex. */
function onlyKeyedBeside(f: CohortFilter, keys: readonly (keyof CohortFilter)[]): boolean {
  const beside = new Set<keyof CohortFilter>(['siteId', 'joint', 'klGrade', 'sex', ...keys]);
  return (Object.keys(f) as (keyof CohortFilter)[]).every(
    (k) => beside.has(k) || f[k] === undefined,
  );
}

/**
 * Whether the cohort is a range of ages with, at most, the site, joint, KL grade and sex: the
 * sums kept per set of ages at treatment serve it (migration 0106). With a product, dose, BMI
 * or treatment dates, a joint's treatment must match them all, which that key cannot tell.
 */
export function servedFromAgeSums(f: CohortFilter): boolean {
  return (
    (f.ageFrom !== undefined || f.ageTo !== undefined) && onlyKeyedBeside(f, ['ageFrom', 'ageTo'])
  );
}

/**
 * Whether the cohort is a range of ages with a product (or cell source), dose band or BMI class
 * and, at most, the site, joint, KL grade and sex: the sums kept per set of its treatments'
 * (product, dose band, BMI class, age) serve it (migration 0113). With treatment dates too, they
 * cannot tell.
 */
export function servedFromCohortAgeSums(f: CohortFilter): boolean {
  return hasTreatmentKey(f) && servedFromAgeSums(withoutTreatmentKey(f));
}

/**
 * Whether the cohort is a range of whole treatment half-months with a product (or cell source),
 * dose band or BMI class and, at most, the site, joint, KL grade and sex: the sums kept per set
 * of its treatments' (product, dose band, BMI class, half-month) serve it (migration 0113).
 */
export function servedFromCohortHalfMonthSums(f: CohortFilter): boolean {
  return hasTreatmentKey(f) && servedFromHalfMonthSums(withoutTreatmentKey(f));
}

/**
 * A treatment date's half-month as the half-month sums key it (migration 0108): 2024-03-15 is
 * 2024031 (the 1st to the 15th), 2024-03-16 is 2024032 (the 16th to the month's end).
 */
export function treatmentHalfMonth(date: IsoDate): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y * 1000 + m * 10 + (d <= 15 ? 1 : 2);
}

/** Whether a date starts a half-month (the 1st or the 16th). */
const startsHalfMonth = (date: IsoDate) => date.endsWith('-01') || date.endsWith('-16');
/** Whether a date ends a half-month (the 15th or the month's last day). */
const endsHalfMonth = (date: IsoDate) => startsHalfMonth(addDays(date, 1));

/**
 * Whether the cohort is a range of whole treatment half-months (from a 1st or a 16th, to a
 * 15th or a month's last day; whole months are) with, at most, the site, joint, KL grade and
 * sex: the sums kept per set of treatment half-months serve it (migration 0108).
 */
export function servedFromHalfMonthSums(f: CohortFilter): boolean {
  return (
    (f.treatedFrom !== undefined || f.treatedTo !== undefined) &&
    onlyKeyedBeside(f, ['treatedFrom', 'treatedTo']) &&
    (f.treatedFrom === undefined || startsHalfMonth(f.treatedFrom)) &&
    (f.treatedTo === undefined || endsHalfMonth(f.treatedTo))
  );
}

/** The kinds of set the outcome sums and outreach counts are also kept per (0106–0109, 0113). */
const SET_KINDS = ['age', 'half_month', 'cohort_age', 'cohort_half_month'] as const;
type SetKind = (typeof SET_KINDS)[number];

/** Which kind of kept set serves a range cohort, if any. */
function keptSetKind(f: CohortFilter): SetKind | null {
  if (servedFromAgeSums(f)) return 'age';
  if (servedFromHalfMonthSums(f)) return 'half_month';
  if (servedFromCohortAgeSums(f)) return 'cohort_age';
  if (servedFromCohortHalfMonthSums(f)) return 'cohort_half_month';
  return null;
}

/**
 * The kind of kept set (migrations 0106–0109, 0113) that serves a range cohort, and the
 * conditions on its rows `s`: its site, joint, KL grade and sex, and the sets with an age or
 * half-month in the range, or with a product, dose or BMI an element of a treatment that
 * matches them and is in it (a joint is in the range when one of its treatments is). Null when
 * no kept set serves the cohort.
 */
export function keptSet(
  f: CohortFilter,
  bind: Bind,
): { kind: SetKind; where: string[]; membership: string } | null {
  const kind = keptSetKind(f);
  if (!kind) return null;
  const where = cohortKeyConditions(
    { siteId: f.siteId, joint: f.joint, klGrade: f.klGrade, sex: f.sex },
    bind,
  );
  // The condition on the set alone, also given apart: a read after changes keeps the sets it
  // selects (withNotedChanges).
  const membership = setMembership(f, bind, 's');
  where.push(membership);
  return { kind, where, membership };
}

/**
 * Whether the joint's kept set on `alias` holds a value of the range: an age or half-month, or
 * with a product, dose or BMI an element of one treatment that matches them all
 * ('BMAC|10to50|obese|61': product, dose band and BMI class as migration 0090 codes them).
 */
function setMembership(f: CohortFilter, bind: Bind, alias: string): string {
  if (!hasTreatmentKey(f)) {
    const { column, within } = setRange(f, bind);
    return `exists (select 1 from unnest(${alias}.${column}) v where ${within.join(' and ')})`;
  }
  const { column, within } = setRange(withoutTreatmentKey(f), bind, "split_part(v, '|', 4)::int");
  const keyed = treatmentKeyParts(f, bind, 'v');
  return `exists (select 1 from unnest(${alias}.cohort_${column}) v where ${[...keyed, ...within].join(' and ')})`;
}

/**
 * Conditions on the parts of a treatment's cohort key `v` ('product|dose band|BMI class', as
 * migration 0090 writes it, first in 0113's elements) for the cohort's product, dose and BMI.
 */
function treatmentKeyParts(f: CohortFilter, bind: Bind, v: string): string[] {
  const parts: string[] = [];
  if (f.productClass || f.cellSource)
    parts.push(`split_part(${v}, '|', 1) = any(${bind(cohortProducts(f))}::text[])`);
  if (f.doseBand) parts.push(`split_part(${v}, '|', 2) = ${bind(f.doseBand)}`);
  if (f.bmiClass) parts.push(`split_part(${v}, '|', 3) = ${bind(f.bmiClass)}`);
  return parts;
}

/** The kept set a range reads (ages or half-months), and the conditions on a value `v` in it. */
function setRange(
  f: CohortFilter,
  bind: Bind,
  v = 'v',
): { column: 'ages' | 'half_months'; within: string[] } {
  const range = servedFromAgeSums(f)
    ? { column: 'ages' as const, from: f.ageFrom, to: f.ageTo }
    : servedFromHalfMonthSums(f)
      ? {
          column: 'half_months' as const,
          from: f.treatedFrom === undefined ? undefined : treatmentHalfMonth(f.treatedFrom),
          to: f.treatedTo === undefined ? undefined : treatmentHalfMonth(f.treatedTo),
        }
      : null;
  if (!range) throw new Error('the set sums serve a range of ages or of whole half-months only');
  const within: string[] = [];
  if (range.from !== undefined) within.push(`${v} >= ${bind(range.from)}`);
  if (range.to !== undefined) within.push(`${v} <= ${bind(range.to)}`);
  return { column: range.column, within };
}

/**
 * A range of treatment dates (with the site, joint, KL grade and sex at most) that ends within
 * a half-month, split for reading: the whole half-months inside it (`halfMonths`, null when it
 * holds none), which the sums per set of half-months serve, and its other days (`ends`: at most
 * 15 at each end, or under a month when no whole half-month lies inside), whose joints are read
 * one by one, under the rest of the filter (`beside`: the site, joint, KL grade and sex). Null
 * when it is whole half-months already, or has another filter.
 */
export interface DateRangeSplit {
  halfMonths: CohortFilter | null;
  ends: { from: IsoDate; to: IsoDate }[];
  beside: CohortFilter;
}

export function splitAtHalfMonths(f: CohortFilter): DateRangeSplit | null {
  if (
    (f.treatedFrom === undefined && f.treatedTo === undefined) ||
    !onlyKeyedBeside(f, ['treatedFrom', 'treatedTo', ...TREATMENT_KEYS]) ||
    servedFromHalfMonthSums(withoutTreatmentKey(f))
  )
    return null;
  // The next half-month's first day after a date, and the last day of the one before it.
  const nextStart = (d: IsoDate) =>
    Number(d.slice(8)) < 16 ? `${d.slice(0, 8)}16` : addMonths(`${d.slice(0, 8)}01`, 1);
  const previousEnd = (d: IsoDate) =>
    Number(d.slice(8)) > 15 ? `${d.slice(0, 8)}15` : addDays(`${d.slice(0, 8)}01`, -1);
  const from =
    f.treatedFrom === undefined || startsHalfMonth(f.treatedFrom)
      ? f.treatedFrom
      : nextStart(f.treatedFrom);
  const to =
    f.treatedTo === undefined || endsHalfMonth(f.treatedTo)
      ? f.treatedTo
      : previousEnd(f.treatedTo);
  const beside = { ...f, treatedFrom: undefined, treatedTo: undefined };
  // Both ends are set when no whole half-month lies between them (an open end holds some).
  if (from !== undefined && to !== undefined && from > to && f.treatedFrom && f.treatedTo)
    return { halfMonths: null, ends: [{ from: f.treatedFrom, to: f.treatedTo }], beside };
  const ends: DateRangeSplit['ends'] = [];
  if (f.treatedFrom && from && f.treatedFrom !== from)
    ends.push({ from: f.treatedFrom, to: addDays(from, -1) });
  if (f.treatedTo && to && f.treatedTo !== to) ends.push({ from: addDays(to, 1), to: f.treatedTo });
  return { halfMonths: { ...f, treatedFrom: from, treatedTo: to }, ends, beside };
}

/**
 * The joints of a split range treated on its other days and in none of its whole half-months,
 * as the kept sets of the kind `kept` folds (outcome_folded_… or outreach_folded_…: their
 * half-months, or with a product, dose or BMI their treatments' keys with half-months) say:
 * the joints the sums of the whole half-months leave out, whatever a concurrent fold does.
 * With a product, dose or BMI, only the treatments that match count, at the ends as in the
 * whole half-months.
 */
export function jointsTreatedAtEnds(
  siteId: string | undefined,
  split: DateRangeSplit,
  bind: Bind,
  kept: 'outcome' | 'outreach',
): string {
  const ends = split.ends.map(
    (e) => `t.treatment_date between ${bind(e.from)}::date and ${bind(e.to)}::date`,
  );
  const keyed = treatmentConditions(split.beside, bind);
  const outside = split.halfMonths ? `and not ${setMembership(split.halfMonths, bind, 'fm')}` : '';
  return `(select distinct t.episode_id from treatments t
           join ${kept}_folded_${hasTreatmentKey(split.beside) ? 'cohort_' : ''}half_months fm
             on fm.episode_id = t.episode_id and fm.site_id = t.site_id
           where (${ends.join(' or ')}) ${siteId ? `and fm.site_id = ${bind(siteId)}` : ''}
             ${keyed.map((c) => `and ${c}`).join(' ')}
             ${outside})`;
}

/**
 * The joints whose kept rows a range no kept set serves reads, and what is left to ask of those
 * rows: with `split`, the joints treated at its ends, under `split.beside`; otherwise the
 * cohort's joints (a treatment in it, and its joint, KL grade and sex), found once from the
 * treatments, under the site. The ends are few, and a cohort is listed only when few
 * (`fewRangeJoints`), so their rows are read by key (`listedJoint`) rather than every row of
 * the site (BMAC, obese, ages 60–69, before migration 0113 kept its sums: 20,807 joints of
 * 666,600 at the benchmark's 1,000,000).
 */
export function rangeJoints(
  f: CohortFilter,
  split: DateRangeSplit | null,
  bind: Bind,
  kept: 'outcome' | 'outreach',
): { joints: string; beside: CohortFilter } {
  if (split)
    return { joints: jointsTreatedAtEnds(f.siteId, split, bind, kept), beside: split.beside };
  const treated = treatmentConditions(f, bind);
  if (treated.length === 0) throw new Error('a range cohort selects treatments');
  if (f.siteId) treated.unshift(`t.site_id = ${bind(f.siteId)}`);
  const keyed = episodeConditions({ joint: f.joint, klGrade: f.klGrade, sex: f.sex }, bind);
  const episodes = keyed.length > 0 ? 'join joint_episodes e on e.id = t.episode_id' : '';
  return {
    joints: `(select distinct t.episode_id from treatments t ${episodes}
              where ${[...treated, ...keyed].join(' and ')})`,
    beside: { siteId: f.siteId },
  };
}

/** Up to this share of a site's joints, a range's rows are read by key (`listedJoint`). */
const LISTED_SHARE = 0.05;

/**
 * The joints of a range no kept set serves, as `rangeJoints` lists them, when the planner
 * expects them to be few (at most `LISTED_SHARE` of the site's joints); null when they are many,
 * and scanning every row of the site costs less than reading theirs one by one (measured at
 * 1,000,000 joints: 20,807 joints by key 1.0 s against 2.4 s scanned; a third of the site by
 * key 9 s). A split range's ends are always few.
 */
export async function fewRangeJoints(
  q: Queryable,
  f: CohortFilter,
  split: DateRangeSplit | null,
  bind: Bind,
  kept: 'outcome' | 'outreach',
): Promise<{ joints: string; beside: CohortFilter } | null> {
  if (split) return rangeJoints(f, split, bind, kept);
  const estimate = async (query: (bind: Bind) => string) => {
    const { params, bind } = sqlParams();
    const [row] = await q.query<{ 'QUERY PLAN': unknown }>(
      `explain (format json) ${query(bind)}`,
      params,
    );
    const plan = row?.['QUERY PLAN'];
    const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [
      { Plan: { 'Plan Rows': number } },
    ];
    return parsed[0].Plan['Plan Rows'];
  };
  const listed = await estimate((b) => `select 1 from ${rangeJoints(f, null, b, kept).joints} j`);
  const all = await estimate(
    (b) => `select 1 from joint_episodes e ${f.siteId ? `where e.site_id = ${b(f.siteId)}` : ''}`,
  );
  return listed <= LISTED_SHARE * all ? rangeJoints(f, null, bind, kept) : null;
}

/**
 * Whether the row `alias` is of a joint in the list `joints` (a parenthesised query of
 * `episode_id`s): looked up in the table's key by the list's values, whose rows are then read in
 * block order. Joined instead, the planner cannot tell how few joints a list holds and hashed
 * every row of the site (BMAC, obese, ages 60–69 at 1,000,000 joints, the rows' statement:
 * 5.4 s joined, 0.74 s by key).
 */
export const listedJoint = (joints: string, alias: string) =>
  `${alias}.episode_id = any(array${joints})`;

/** The filters a treatment's cohort key (migration 0090) answers: product, dose band, BMI class. */
const TREATMENT_KEYS = ['productClass', 'cellSource', 'doseBand', 'bmiClass'] as const;

/** Whether the cohort names a product, cell source, dose band or BMI class. */
const hasTreatmentKey = (f: CohortFilter) => TREATMENT_KEYS.some((k) => f[k] !== undefined);

/** The cohort without its product, cell source, dose band and BMI class. */
const withoutTreatmentKey = (f: CohortFilter): CohortFilter => ({
  ...f,
  productClass: undefined,
  cellSource: undefined,
  doseBand: undefined,
  bmiClass: undefined,
});

/**
 * Runs `read` in one repeatable-read snapshot in which no joint treated in the range `f` waits
 * to be folded (`pending`), folding them first (`catchUp`): the ends of a split range are read
 * from the treatments, its whole half-months from the kept sets, and the two agree only when
 * these joints are folded. After three tries under a stream of corrections it reads anyway.
 */
export async function inFoldedSnapshot<T>(
  db: Db,
  f: CohortFilter,
  pending: 'outcome_sums_pending' | 'outreach_counts_pending',
  catchUp: (db: Db) => Promise<unknown>,
  read: (q: Queryable) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const done = await db.transaction(async (q) => {
      await q.query('set transaction isolation level repeatable read');
      if (attempt < 3) {
        const { params, bind } = sqlParams();
        const dates = treatmentConditions(
          { treatedFrom: f.treatedFrom, treatedTo: f.treatedTo },
          bind,
        );
        if (f.siteId) dates.push(`p.site_id = ${bind(f.siteId)}`);
        const [row] = await q.query<{ waiting: boolean }>(
          `select exists (select 1 from ${pending} p
                          join treatments t on t.episode_id = p.episode_id and t.site_id = p.site_id
                          ${dates.length > 0 ? `where ${dates.join(' and ')}` : ''}) as waiting`,
          params,
        );
        if (row?.waiting) return null;
      }
      return { value: await read(q) };
    });
    if (done) return done.value;
    await catchUp(db);
  }
}

/**
 * Two disjoint cohorts' statistics as their union's: counts added, means and SDs pooled
 * exactly, visit patterns summed.
 */
export function mergeSummaries(a: OutcomeSummaries, b: OutcomeSummaries): OutcomeSummaries {
  const merged = <T>(rows: T[], key: (r: T) => string, add: (x: T, y: T) => T): T[] => {
    const byKey = new Map<string, T>();
    for (const r of rows) {
      const k = key(r);
      const seen = byKey.get(k);
      byKey.set(k, seen === undefined ? r : add(seen, r));
    }
    return [...byKey.values()];
  };
  const level = (r: { siteId: string; instrumentId: string; scale: string; timepoint: string }) =>
    `${r.siteId}|${r.instrumentId}|${r.scale}|${r.timepoint}`;
  const pooled = (x: SiteSummaryRow, y: SiteSummaryRow): SiteSummaryRow => ({
    ...x,
    ...(poolSummaries([x, y]) ?? { n: 0, mean: 0, sd: null }),
  });
  const sumAt = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries(
      [...new Set([...Object.keys(x), ...Object.keys(y)])].map((t) => [
        t,
        (x[t] ?? 0) + (y[t] ?? 0),
      ]),
    );
  return {
    joints: a.joints + b.joints,
    levels: merged([...a.levels, ...b.levels], level, pooled),
    changes: merged([...a.changes, ...b.changes], level, pooled),
    patterns: merged(
      [...a.patterns, ...b.patterns],
      (r) => `${r.siteId}|${r.instrumentId}|${r.scale}|${r.timepoints.join()}`,
      (x, y) => ({
        ...x,
        joints: x.joints + y.joints,
        sumAt: sumAt(x.sumAt, y.sumAt),
        sumOfSquaredJointSums: x.sumOfSquaredJointSums + y.sumOfSquaredJointSums,
        sumOfSquares: x.sumOfSquares + y.sumOfSquares,
      }),
    ),
    thresholdCounts: merged(
      [...a.thresholdCounts, ...b.thresholdCounts],
      level,
      addThresholdCounts,
    ),
    responderCounts: merged(
      [...a.responderCounts, ...b.responderCounts],
      (r) => `${r.siteId}|${r.timepoint}`,
      (x, y) => ({
        ...x,
        joints: x.joints + y.joints,
        responders: x.responders + y.responders,
        undetermined: x.undetermined + y.undetermined,
        withGlobal: x.withGlobal + y.withGlobal,
      }),
    ),
  };
}

/**
 * Whether sums kept per cohort key (0090), or per a kind of set (ages 0106, half-months 0108,
 * treatments' keys with either 0113), serve it.
 */
export function servedFromKept(f: CohortFilter): boolean {
  return servedFromSums(f) || keptSetKind(f) !== null;
}

/**
 * The kept tables that serve a cohort, and the conditions on their rows `s`: the sums per set
 * of ages or half-months for a range of them, per site for a whole site (or every site: a few
 * thousand rows), per cohort key otherwise.
 */
function keptTables(f: CohortFilter, bind: Bind): KeptTables {
  const set = keptSet(f, bind);
  if (set)
    return {
      kind: set.kind,
      where: set.where,
      membership: set.membership,
      sums: `outcome_${set.kind}_sums`,
      counts: `outcome_${set.kind}_counts`,
      answers: `outcome_${set.kind}_answer_counts`,
    };
  const where = cohortKeyConditions(f, bind);
  const wholeSites = cohortKeyConditions({ ...f, siteId: undefined }, () => '').length === 0;
  return wholeSites
    ? {
        kind: 'site',
        where,
        sums: 'outcome_site_sums',
        counts: 'outcome_site_counts',
        answers: 'outcome_site_answer_counts',
      }
    : {
        kind: 'cohort_key',
        where,
        sums: 'outcome_sums',
        counts: 'outcome_cohort_counts',
        answers: 'outcome_answer_counts',
      };
}

/**
 * Thresholds as the SQL reads them (json_to_recordset): sign = 1 where higher scores are
 * better, −1 where lower are.
 */
function thresholdRows(thresholds: OutcomeCriteria['thresholds']) {
  return thresholds.map((t) => ({
    instrument_id: t.instrumentId,
    scale: t.scale,
    sign: t.higherIsBetter ? 1 : -1,
    mcid: t.mcid,
    pass: t.pass,
    rel: t.relativeMcid,
    best: t.best,
  }));
}

/** An unscored item whose answers are counted per slot (`outcome_answer_counts`). */
interface KeptItem {
  instrumentId: string;
  item: string;
}

/** The items the rules keep: whenever the rules are current, their answers are kept too. */
const KEPT_ITEMS: readonly KeptItem[] = [WORK_STATUS];

function isKeptItem(item: KeptItem): boolean {
  return KEPT_ITEMS.some((k) => k.instrumentId === item.instrumentId && k.item === item.item);
}

/** The rule text the sums count against, as migration 0090's triggers read it. */
function rulesSpec(criteria: OutcomeCriteria) {
  return {
    tolerance: THRESHOLD_TOLERANCE,
    thresholds: thresholdRows(criteria.thresholds),
    // Kept items that are not scored, counted per answer (migration 0090's answer counts).
    items: KEPT_ITEMS.map((i) => ({ instrument_id: i.instrumentId, item: i.item })),
    global: {
      instrument_id: PATIENT_GLOBAL.instrumentId,
      scale: PATIENT_GLOBAL.scale,
      max: PATIENT_GLOBAL.max,
    },
    domains: criteria.responderDomains.map((d) => ({
      instrument_id: d.instrumentId,
      pain: d.pain,
      function: d.function,
    })),
    high: OMERACT_OARSI.high,
    moderate: OMERACT_OARSI.moderate,
  };
}

/** Whether the sums count against these thresholds and this responder rule. */
async function outcomeRulesCurrent(db: Queryable, criteria: OutcomeCriteria): Promise<boolean> {
  const [row] = await db.query<{ same: boolean }>(
    'select spec = $1::jsonb as same from outcome_rules',
    [JSON.stringify(rulesSpec(criteria))],
  );
  return row?.same === true;
}

/**
 * Makes the sums count against these thresholds and this responder rule: a no-op when they
 * already do; otherwise stores them and recounts every sum. Run at start-up and by the daily
 * round, never inside a request: at a million joints the recount takes minutes, and until it
 * is done the views aggregate every joint's row instead.
 */
export async function syncOutcomeRules(db: Db, criteria: OutcomeCriteria): Promise<boolean> {
  if (await outcomeRulesCurrent(db, criteria)) return false;
  return db.transaction(async (q) => {
    await q.query('select outcome_sums_lock()');
    // Another process may have recounted while this one waited for the lock.
    if (await outcomeRulesCurrent(q, criteria)) return false;
    await q.query('update outcome_rules set spec = $1::jsonb', [
      JSON.stringify(rulesSpec(criteria)),
    ]);
    await q.query('select outcome_sums_rebuild()');
    return true;
  });
}

/**
 * Folds the joints changed since the last fold into the sums (see migration 0090); returns
 * how many. Reads of the joints' rows as folded, and of the sums past `NOTED_CHANGES_READ`
 * notes, call it first; the server folds in the background, in steps (`foldNotedJoints`).
 */
export async function catchUpOutcomeSums(db: Queryable): Promise<number> {
  const [row] = await db.query<{ folded: number }>('select outcome_sums_catch_up() as folded');
  return row?.folded ?? 0;
}

/**
 * Joints noted since the last fold, at most, that a whole-site or cohort-key view adds to the
 * kept sums as they are now (migration 0118) instead of folding them first. A read then costs
 * about 0.5 ms more per noted joint (a fold: 3.5–4.8 ms); past this many, as after a restore, it
 * folds them, and later reads find them folded.
 */
export const NOTED_CHANGES_READ = 5_000;

/**
 * Whether a view of cohort `f` reads the kept sums with the noted joints' changes added
 * (sumsQuery's `noted`): a cohort the kept sums or sets serve, with some joints noted but not
 * too many. Folded rows (ages with dates, the ends of a range of dates) are read folded.
 */
async function readsNotedChanges(q: Queryable, f: CohortFilter): Promise<boolean> {
  if (!servedFromKept(f) || splitAtHalfMonths(f)) return false;
  // The notes the read would take (outcome_notes_at, 0118), counted up to one past the limit.
  const [row] = await q.query<{ noted: number }>(
    'select count(*)::int as noted from (select 1 from outcome_notes_at($1::uuid) limit $2) x',
    [f.siteId ?? null, NOTED_CHANGES_READ + 1],
  );
  // None noted: the kept sums alone, as they are.
  const noted = row?.noted ?? 0;
  return noted > 0 && noted <= NOTED_CHANGES_READ;
}

/** The kept tables a cohort reads (`keptTables`), which kind they are, and its conditions. */
interface KeptTables {
  kind: SetKind | 'cohort_key' | 'site';
  where: string[];
  /** A kept set's condition on its set alone (`s.<kind>s`), also one of `where`. */
  membership?: string;
  sums: string;
  counts: string;
  answers: string;
}

/** The SQL type of each kind of set's column (migrations 0106, 0108, 0113). */
const SET_COLUMN_TYPES: Record<SetKind, string> = {
  age: 'smallint[]',
  half_month: 'int[]',
  cohort_age: 'text[]',
  cohort_half_month: 'text[]',
};

/** The columns of the kept sums, counts and answer counts a view reads, besides their keys. */
const KEPT_COLUMNS = {
  sums: [
    'instrument_id',
    'scale',
    'pattern',
    'joints',
    'sums',
    'squares',
    'products',
    'squared_joint_sums',
    'past_mcid',
    'past_relative',
    'in_pass',
  ],
  counts: ['instrument_id', 'joints', 'paired', 'responders', 'undetermined', 'with_global'],
  answers: ['item', 'slot', 'answer', 'joints'],
} as const;

/**
 * The kept tables `kept` as their rows `s` would be with the joints noted since the last fold
 * folded in: each table's rows and the changes migrations 0118 and 0119 compute for its kind
 * (of the CTE `cte`, to put first), in the columns a view reads, so that the view's conditions
 * on `s` apply to both. Without `withRows`, no changes to the sums (the answers need none).
 */
function withNotedChanges(
  kept: KeptTables,
  f: CohortFilter,
  bind: Bind,
  withRows: boolean,
): { cte: string; sums: string; counts: string; answers: string } {
  const site = f.siteId ? `${bind(f.siteId)}::uuid` : 'null';
  const set = kept.kind === 'site' || kept.kind === 'cohort_key' ? null : kept.kind;
  const keys =
    kept.kind === 'site' ? [] : ['joint', 'kl_grade', 'sex', set ? `${set}s` : 'treatments'];
  const union = (table: string, changes: string, columns: readonly string[]) => {
    const mine = ['site_id', ...keys, ...columns];
    // A set's changes carry it as text (0119): cast back to the kept column's type.
    const theirs = mine.map((c) =>
      set && c === `${set}s` ? `x.key_set::${SET_COLUMN_TYPES[set]} as ${c}` : `x.${c}`,
    );
    return `(select ${mine.join(', ')} from ${table}
             union all select ${theirs.join(', ')} from noted p cross join lateral ${changes} x)`;
  };
  const changes = set
    ? { sums: 'unnest(p.sums)', counts: 'unnest(p.counts)', answers: 'unnest(p.answers)' }
    : {
        sums: `outcome_sums_of(p.rows_in, p.rows_out, ${kept.kind === 'cohort_key'})`,
        counts: 'outcome_counts_of(p.marks_in, p.marks_out)',
        answers: 'outcome_answers_of(p.marks_in, p.marks_out)',
      };
  // A set's changes are aggregated only under the sets the view reads (migration 0122): those of
  // the noted joints, now or as last folded, that meet its condition on the set.
  const keep = set
    ? `(select coalesce(array_agg(s.key_set::text), '{}') from (
          select x.key_set, x.key_set::${SET_COLUMN_TYPES[set]} as ${set}s
          from outcome_noted_sets('${set}', ${site}) x(key_set)) s
        where ${kept.membership ?? 'true'})`
    : '';
  return {
    cte: `noted as materialized (select * from ${
      set
        ? `outcome_pending_set_changes('${set}', ${site}, ${withRows}, ${keep})`
        : `outcome_pending_changes(${site}, ${withRows})`
    })`,
    sums: union(kept.sums, changes.sums, KEPT_COLUMNS.sums),
    counts: union(kept.counts, changes.counts, KEPT_COLUMNS.counts),
    answers: union(kept.answers, changes.answers, KEPT_COLUMNS.answers),
  };
}

/**
 * One step of the background fold (migration 0116): takes the `most` oldest notes and folds
 * their joints, in one transaction; returns how many notes, fewer than `most` once none is left.
 */
export async function foldNotedJoints(db: Queryable, most: number): Promise<number> {
  const [row] = await db.query<{ folded: number }>(
    'select outcome_sums_catch_up($1::int) as folded',
    [most],
  );
  return row?.folded ?? 0;
}

/**
 * Folds the joints whose follow-up row changed since the last fold into the counts kept per
 * site (migration 0101); returns how many. The whole-site flow and curves call it first.
 */
export async function catchUpFollowUpCounts(q: Queryable): Promise<number> {
  const [row] = await q.query<{ folded: number }>('select follow_up_counts_catch_up() as folded');
  return row?.folded ?? 0;
}

/**
 * The cohort's statistics added up from the sums kept per site, cohort key or kind of set
 * (0090, 0106, 0108, 0113).
 */
async function sumsQuery(
  q: Queryable,
  f: CohortFilter,
  criteria: OutcomeCriteria | null,
  /** With the changes of the joints noted since the last fold added (`readsNotedChanges`). */
  noted = false,
  /** A kept item's answers, read from the same noted changes (`item_answers`). */
  answersOf?: { item: KeptItem; timepoints: readonly string[] },
): Promise<RawSummaries> {
  const { params, bind } = sqlParams();
  const kept = keptTables(f, bind);
  const { where } = kept;
  const changed = noted ? withNotedChanges(kept, f, bind, true) : null;
  const sums = changed?.sums ?? kept.sums;
  const counts = changed?.counts ?? kept.counts;
  const cond = where.length > 0 ? `where ${where.join(' and ')}` : '';
  const k = OUTCOME_SLOTS.map((_, i) => i + 1);
  const both = (i: number) => `s.pattern & ${1 | (2 ** (i - 1))} = ${1 | (2 ** (i - 1))}`;
  // Mean and SD from n, Σx and Σx² in numeric, which is exact on the stored sums.
  const moments = (n: string, sum: string, squares: string, name: string) =>
    `${n}::int as n${name}, (${sum} / nullif(${n}, 0))::float8 as m${name},
     (case when ${n} > 1 then sqrt(greatest((${squares} - ${sum} * ${sum} / ${n}) / (${n} - 1), 0)) end)::float8 as s${name}`;
  const levelColumns = k
    .map((i) => {
      const on = `s.pattern & ${2 ** (i - 1)} <> 0`;
      return `${moments(
        `sum(s.joints) filter (where ${on})`,
        `sum(s.sums[${i}])`,
        `sum(s.squares[${i}])`,
        `${i}`,
      )}, ${moments(
        `sum(s.joints) filter (where ${both(i)})`,
        `sum(s.sums[${i}] - s.sums[1]) filter (where ${both(i)})`,
        `sum(s.squares[${i}] - 2 * s.products[${i}] + s.squares[1]) filter (where ${both(i)})`,
        `${i}`,
      ).replace(/ as ([nms])(\d)/g, ' as c$1$2')}`;
    })
    .join(',\n       ');
  const thresholdColumns = k
    .slice(1)
    .map(
      (i) =>
        `sum(s.past_mcid[${i}])::int as mc${i}, sum(s.past_relative[${i}])::int as rc${i}, sum(s.in_pass[${i}])::int as pc${i}`,
    )
    .join(', ');
  const patternSums = k.map((i) => `sum(s.sums[${i}]) as t${i}`).join(', ');
  const squares = k.map((i) => `s.squares[${i}]`).join(' + ');
  const instruments = [...new Set((criteria?.responderDomains ?? []).map((d) => d.instrumentId))];
  const responderColumns = k
    .slice(1)
    .map(
      (i) =>
        `sum(s.paired[${i}])::int as on${i}, sum(s.responders[${i}])::int as or${i}, sum(s.undetermined[${i}])::int as ou${i}, sum(s.with_global[${i}])::int as og${i}`,
    )
    .join(', ');
  await dashboardSettings(q, { nestedLoops: true });
  // The rows are added up per visit pattern once (by_pattern), for both aggregates: a set's conditions
  // search each row's array, and the statistics' filtered sums then run over a few hundred
  // patterns instead of every row (knee, pre-obese, 18 and over at 1,000,000 joints: 22,180
  // rows, 244 patterns). Sums of sums in numeric are exact.
  const perSlot = (column: string, cast = '') =>
    `array[${k.map((i) => `sum(s.${column}[${i}])${cast}`).join(', ')}] as ${column}`;
  const [row] = await q.query<RawSummaries>(
    `with ${changed ? `${changed.cte},` : ''} by_pattern as materialized (
       select s.site_id, s.instrument_id, s.scale, s.pattern, sum(s.joints) as joints,
              sum(s.squared_joint_sums) as squared_joint_sums,
              ${perSlot('sums')}, ${perSlot('squares')}, ${perSlot('products')},
              ${perSlot('past_mcid', '::int')}, ${perSlot('past_relative', '::int')},
              ${perSlot('in_pass', '::int')}
       from ${sums} s ${cond}
       group by s.site_id, s.instrument_id, s.scale, s.pattern)
     select (select coalesce(sum(s.joints), 0)::int from ${counts} s
             ${cond ? `${cond} and` : 'where'} s.instrument_id = '') as joints,
            (select json_agg(x) from (
               select s.site_id, s.instrument_id, s.scale,
                      ${levelColumns}, ${thresholdColumns}
               from by_pattern s
               group by s.site_id, s.instrument_id, s.scale
               having sum(s.joints) > 0) x) as stats,
            (select json_agg(x) from (
               select s.site_id, s.instrument_id, s.scale, s.pattern, sum(s.joints)::int as joints,
                      sum(s.squared_joint_sums) as squared_sums, sum(${squares}) as squares,
                      ${patternSums}
               from by_pattern s
               group by s.site_id, s.instrument_id, s.scale, s.pattern
               having sum(s.joints) > 0) x) as patterns,
            ${
              instruments.length > 0
                ? `(select json_agg(x) from (
               select s.site_id, ${responderColumns}
               from ${counts} s
               ${cond ? `${cond} and` : 'where'} s.instrument_id = any(${bind(instruments)}::text[])
               group by s.site_id) x)`
                : 'null'
            } as responders${
              answersOf && changed
                ? `,
            (select coalesce(json_agg(x order by x.timepoint, x.answer), '[]') from (
               ${answerCountsSelect(changed.answers, where, answersOf.item, answersOf.timepoints, bind)}) x) as item_answers`
                : ''
            }`,
    params,
  );
  return row ?? { joints: 0, stats: null, patterns: null, responders: null };
}

/**
 * Runs a dashboard query with room to hash in memory (PostgreSQL's default 4 MB spills a large
 * registry's groups to disk), set for that one transaction only. Every connection is already
 * without JIT (`openPostgres`).
 */
export function withDashboardSettings<T>(
  db: Db,
  options: DashboardSettings,
  run: (q: Queryable) => Promise<T>,
): Promise<T> {
  return db.transaction(async (q) => {
    await dashboardSettings(q, options);
    return run(q);
  });
}

interface DashboardSettings {
  nestedLoops: boolean;
  sorts?: boolean;
}

/** The same settings, for the rest of the transaction `q` is in. */
export async function dashboardSettings(q: Queryable, options: DashboardSettings): Promise<void> {
  await q.query(
    `select set_config('work_mem', $1, true), set_config('enable_nestloop', $2, true),
            set_config('enable_sort', $3, true)`,
    [OUTCOME_WORK_MEM, options.nestedLoops ? 'on' : 'off', options.sorts === false ? 'off' : 'on'],
  );
}

/**
 * Where a per-joint aggregation reads: `answers` is outcome_joint_scores, kept from the answers
 * by triggers, with the responder classes computed here (the tests' reference); `folded` is
 * migration 0090's rows as last folded, each with its cohort key and its classes and kept
 * answers already taken, so it joins nothing but the treatments a range selects.
 */
type JointRows = 'answers' | 'folded';

/**
 * Conditions putting a joint's row `o` in the cohort. Folded rows carry their joint, KL grade
 * and sex; rows from the answers join `e` (joint_episodes) and `p` (patients) for them.
 */
function jointRowConditions(f: CohortFilter, bind: Bind, source: JointRows, o = 'o'): string[] {
  const key = source === 'folded' ? { e: o, p: o } : { e: 'e', p: 'p' };
  const where: string[] = [];
  if (f.siteId) where.push(`${o}.site_id = ${bind(f.siteId)}`);
  if (f.joint) where.push(`${key.e}.joint = ${bind(f.joint)}`);
  if (f.klGrade !== undefined) where.push(`${key.e}.kl_grade = ${bind(f.klGrade)}`);
  if (f.sex) where.push(`${key.p}.sex = ${bind(f.sex)}`);
  where.push(
    ...hasMatchingTreatment(f, bind, { site: `${o}.site_id`, episode: `${o}.episode_id` }),
  );
  return where;
}

/**
 * One joint's row `o` (its first score per slot in `o.scores`) as columns v1…vK, with its visit
 * pattern (bit i−1 set = a score at slot i), the sum of its scores and of their squares.
 */
function jointRowShape(k: readonly number[]) {
  return {
    slots: k.map((i) => `o.scores[${i}] as v${i}`).join(', '),
    pattern: k
      .map((i) => `(case when v${i} is not null then ${2 ** (i - 1)} else 0 end)`)
      .join(' + '),
    jointSum: k.map((i) => `coalesce(v${i}, 0)`).join(' + '),
    jointSquares: k.map((i) => `coalesce(v${i} * v${i}, 0)`).join(' + '),
  };
}

/**
 * Per slot after baseline: the joints past the MCID, the relative MCID and in the PASS, counted
 * over joint rows v1…vK joined to their thresholds `th` (sign = 1 where higher scores are
 * better, −1 where lower are: improvement = (vi − v1) × sign).
 */
function thresholdCountColumns(k: readonly number[]): string {
  const tolerance = THRESHOLD_TOLERANCE;
  return k
    .slice(1)
    .map(
      (i) =>
        `count(*) filter (where (v${i} - v1) * th.sign >= th.mcid - ${tolerance})::int as mc${i},
         count(*) filter (where (v${i} - v1) * th.sign > ${tolerance}
           and (v${i} - v1) * th.sign >= th.rel * abs(th.best - v1) - ${tolerance})::int as rc${i},
         count(*) filter (where v${i} * th.sign >= th.pass * th.sign - ${tolerance})::int as pc${i}`,
    )
    .join(',\n              ');
}

/** The thresholds of `thresholdRows` as a relation, from their bound JSON. */
const THRESHOLDS_RELATION = (param: string) =>
  `json_to_recordset(${param}::json)
     as t(instrument_id text, scale text, sign int, mcid float8, pass float8, rel float8, best float8)`;

/** The cohort's statistics aggregated from each joint's row kept from its answers. */
async function rowsQuery(
  db: Db,
  f: CohortFilter,
  timepoints: readonly string[],
  criteria: OutcomeCriteria | null,
): Promise<RawSummaries> {
  const { params, bind } = sqlParams();
  const where = jointRowConditions(f, bind, 'answers');
  // The joint and patient tables are read only when a filter needs them.
  const needsJoint = Boolean(f.joint || f.klGrade !== undefined || f.sex);
  // One row per joint and scale already holds its first score at each time point (v1…vK,
  // kept by a trigger): every statistic below is one hash aggregate over joints.
  const k = timepoints.map((_, i) => i + 1);
  const { slots, pattern, jointSum, jointSquares } = jointRowShape(k);
  const levelColumns = k
    .map(
      (i) =>
        `count(v${i})::int as n${i}, avg(v${i}) as m${i}, stddev_samp(v${i}) as s${i},
         count(v${i} - v1)::int as cn${i}, avg(v${i} - v1) as cm${i}, stddev_samp(v${i} - v1) as cs${i}`,
    )
    .join(',\n              ');
  const patternSums = k.map((i) => `sum(v${i}) as t${i}`).join(', ');
  const tolerance = THRESHOLD_TOLERANCE;
  const thresholdColumns = thresholdCountColumns(k);
  const thresholds = criteria?.thresholds ?? [];
  const thresholdsParam = bind(JSON.stringify(thresholdRows(thresholds)));
  // One row per joint with both domains of its questionnaire side by side: a hash aggregate,
  // not a self-join.
  const domains = criteria?.responderDomains ?? [];
  let responderQuery = 'null';
  if (domains.length > 0) {
    // OMERACT-OARSI on two 0–100 domains (100 = no problem): improved by a level when the gain
    // reaches both its absolute points and its share of the room left at baseline.
    // Columns p1…pK hold a joint's pain scores, f1…fK its function scores (same questionnaire).
    const improved = (d: 'p' | 'f', i: number, level: { relative: number; absolute: number }) =>
      `(${d}${i} - ${d}1 >= ${level.absolute} - ${tolerance} and ` +
      `${d}${i} - ${d}1 >= ${level.relative} * (100 - ${d}1) - ${tolerance})`;
    // The patient global g1…gK is asked 0–10 with 10 the worst: read on the rule's 0–100
    // scale (100 = no problem) as 100 − 10 g, as globalOnRuleScale() does.
    const toRule = (i: number) => `(100 - g${i} * ${100 / PATIENT_GLOBAL.max})`;
    const globalUp = (i: number) => {
      const { absolute, relative } = OMERACT_OARSI.moderate;
      return `(${toRule(i)} - ${toRule(1)} >= ${absolute} - ${tolerance} and ${toRule(i)} - ${toRule(1)} >= ${relative} * (100 - ${toRule(1)}) - ${tolerance})`;
    };
    const responderColumns = k
      .slice(1)
      .map((i) => {
        const both = `p1 is not null and f1 is not null and p${i} is not null and f${i} is not null`;
        const high = `(${improved('p', i, OMERACT_OARSI.high)} or ${improved('f', i, OMERACT_OARSI.high)})`;
        const painUp = improved('p', i, OMERACT_OARSI.moderate);
        const functionUp = improved('f', i, OMERACT_OARSI.moderate);
        const global = `g1 is not null and g${i} is not null`;
        // Exactly one of pain and function improved: the global decides when it was answered.
        const oneOfTwo = `not ${high} and (${painUp}) <> (${functionUp})`;
        return `count(*) filter (where ${both})::int as on${i},
           count(*) filter (where ${both} and (${high} or (${painUp} and ${functionUp})
             or (${oneOfTwo} and ${global} and ${globalUp(i)})))::int as or${i},
           count(*) filter (where ${both} and ${oneOfTwo} and not (${global}))::int as ou${i},
           count(*) filter (where ${both} and ${global})::int as og${i}`;
      })
      .join(',\n              ');
    const domainOf = (pick: (d: (typeof domains)[number]) => string) =>
      domains
        .map((d) => `(instrument_id = ${bind(d.instrumentId)} and scale = ${bind(pick(d))})`)
        .join(' or ');
    const isPain = domainOf((d) => d.pain);
    const isFunction = domainOf((d) => d.function);
    const domainColumns = k
      .map(
        (i) =>
          `max(v${i}) filter (where ${isPain}) as p${i}, max(v${i}) filter (where ${isFunction}) as f${i}`,
      )
      .join(', ');
    const globalColumns = k.map((i) => `v${i} as g${i}`).join(', ');
    responderQuery = `(select json_agg(x) from (
               select site_id,
                      ${responderColumns}
               from (select site_id, episode_id, ${domainColumns} from joints
                     where ${isPain} or ${isFunction}
                     group by site_id, episode_id, instrument_id) scored
               left join (select episode_id, ${globalColumns} from joints
                          where instrument_id = ${bind(PATIENT_GLOBAL.instrumentId)}
                            and scale = ${bind(PATIENT_GLOBAL.scale)}) global using (episode_id)
               group by site_id) x)`;
  }
  // Without nested loops: the planner cannot estimate the CTE's parts, and joined each joint's
  // domains to its patient global by a nested loop (minutes at 100,000 joints).
  const [row] = await withDashboardSettings(db, { nestedLoops: false }, (q) =>
    q.query<RawSummaries>(
      `with slots as (
       select o.site_id, o.episode_id, o.instrument_id, o.scale, ${slots}
       from outcome_joint_scores o
       ${needsJoint ? 'join joint_episodes e on e.id = o.episode_id' : ''}
       ${f.sex ? 'join patients p on p.id = e.patient_id' : ''}
       ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
       -- A fence: inlined, each score is taken from its array again in each of ~40 uses.
       offset 0
     ), joints as materialized (
       select *, ${pattern} as pattern, ${jointSum} as joint_sum, ${jointSquares} as joint_squares
       from slots
     ), thresholds as (
       select * from ${THRESHOLDS_RELATION(thresholdsParam)}
     )
     select (select count(*)::int from (select episode_id from joints where pattern > 0
                                         group by episode_id) j) as joints,
            (select json_agg(x) from (
               select site_id, instrument_id, scale,
                      ${levelColumns}
                      ${thresholds.length > 0 ? `, ${thresholdColumns}` : ''}
               from joints
               ${thresholds.length > 0 ? 'left join thresholds th using (instrument_id, scale)' : ''}
               where pattern > 0 group by site_id, instrument_id, scale) x) as stats,
            (select json_agg(x) from (
               select site_id, instrument_id, scale, pattern, count(*)::int as joints,
                      sum(joint_sum * joint_sum) as squared_sums, sum(joint_squares) as squares,
                      ${patternSums}
               from joints where pattern > 0
               group by site_id, instrument_id, scale, pattern) x) as patterns,
            ${responderQuery} as responders`,
      params,
    ),
  );
  return row ?? { joints: 0, stats: null, patterns: null, responders: null };
}

/**
 * The cohort's statistics from its joints' rows as last folded (migration 0090): what a range
 * of ages or treatment dates reads. Each row carries its cohort key, and its joint's classes and
 * kept answers are folded too, so nothing but the treatments the range selects is joined. One
 * aggregate per visit pattern; levels and changes combine the patterns' means and spreads
 * (Chan, Golub and LeVeque's pairwise update), as stable as one pass over the joints.
 */
async function foldedRowsQuery(
  q: Queryable,
  f: CohortFilter,
  timepoints: readonly string[],
  criteria: OutcomeCriteria | null,
  /** With a split range: only the joints treated at its ends (see splitAtHalfMonths). */
  split?: DateRangeSplit,
): Promise<RawSummaries> {
  const { params, bind } = sqlParams();
  const few = await fewRangeJoints(q, f, split ?? null, bind, 'outcome');
  const beside = few?.beside ?? f;
  const where = jointRowConditions(beside, bind, 'folded');
  const inCohort = where.length > 0 ? `and ${where.join(' and ')}` : '';
  const rowsOf = (table: string, alias: string) =>
    `${table} ${alias} where ${few ? listedJoint('(select episode_id from listed)', alias) : 'true'}`;
  const k = timepoints.map((_, i) => i + 1);
  const later = k.slice(1);
  // The scores kept as columns with their visit pattern over all nine slots (migration 0105):
  // outcomeSummaries asks for every slot, so the pattern is the one rowsQuery computes.
  const { jointSum, jointSquares } = jointRowShape(k);
  const columns = k.map((i) => `o.v${i}`).join(', ');
  const thresholds = criteria?.thresholds ?? [];
  const thresholdsParam = bind(JSON.stringify(thresholdRows(thresholds)));
  // Joints, mean and SD over the patterns with a score there: M2 = Σ (n q + n (mean − M)²).
  // Per pattern: n, and per slot Σ and the population variance of the score and of its change.
  const patternColumns = [
    ...k.map((i) => `sum(v${i}) as t${i}, var_pop(v${i}) as q${i}`),
    ...later.map((i) => `sum(v${i} - v1) as d${i}, var_pop(v${i} - v1) as e${i}`),
  ].join(', ');
  const means = [
    ...k.map(
      (i) => `sum(t${i}) over w / sum(n) filter (where t${i} is not null) over w as mean_${i}`,
    ),
    ...later.map(
      (i) => `sum(d${i}) over w / sum(n) filter (where d${i} is not null) over w as mean_c${i}`,
    ),
  ].join(', ');
  const moments = (sum: string, variance: string, mean: string, name: string) => {
    const total = `sum(n) filter (where ${sum} is not null)`;
    return `coalesce(${total}, 0)::int as n${name}, sum(${sum}) / nullif(${total}, 0) as m${name},
            case when ${total} > 1 then sqrt(greatest(sum(n * ${variance} + n * (${sum} / n - ${mean}) ^ 2) / (${total} - 1), 0)) end as s${name}`;
  };
  const levelColumns = [
    ...k.map((i) => moments(`t${i}`, `q${i}`, `mean_${i}`, `${i}`)),
    ...later.map((i) =>
      moments(`d${i}`, `e${i}`, `mean_c${i}`, `c${i}`).replace(/ as ([nms])c(\d)/g, ' as c$1$2'),
    ),
  ].join(',\n              ');
  const thresholdSums = later
    .map(
      (i) => `sum(mc${i})::int as mc${i}, sum(rc${i})::int as rc${i}, sum(pc${i})::int as pc${i}`,
    )
    .join(', ');
  const instruments = [...new Set((criteria?.responderDomains ?? []).map((d) => d.instrumentId))];
  // Each joint's classes per slot as folded (0 none, 1 non-responder, 2 responder,
  // 3 undetermined; + 4 when a patient global decided it).
  const classed =
    instruments.length > 0 ? `m.instrument_id = any(${bind(instruments)}::text[])` : '';
  // Counted over the joints grouped by their classes: a site has a few hundred distinct sets.
  const joints = (where: string) => `coalesce(sum(m.joints) filter (where ${where}), 0)::int`;
  const responderColumns = later
    .map(
      (i) => `${joints(`${classed} and m.classes[${i}] % 4 > 0`)} as on${i},
           ${joints(`${classed} and m.classes[${i}] % 4 = 2`)} as or${i},
           ${joints(`${classed} and m.classes[${i}] % 4 = 3`)} as ou${i},
           ${joints(`${classed} and m.classes[${i}] >= 4`)} as og${i}`,
    )
    .join(',\n              ');
  const marksInCohort = jointRowConditions(beside, bind, 'folded', 'm')
    .map((c) => `and ${c}`)
    .join(' ');
  // Hashed, not sorted: the planner cannot tell a joint's pattern, so it expects a group per
  // few joints (611,226 at 1,000,000 joints; 259 in fact) and sorted them all to disk.
  await dashboardSettings(q, { nestedLoops: few !== null, sorts: false });
  const [row] = await q.query<RawSummaries>(
    `with thresholds as (
       select * from ${THRESHOLDS_RELATION(thresholdsParam)}
     ), ${few ? `listed as materialized ${few.joints}, ` : ''}patterns as materialized (
       select x.site_id, x.instrument_id, x.scale, x.pattern, count(*) as n,
              sum(x.joint_sum * x.joint_sum) as squared_sums, sum(x.joint_squares) as squares,
              ${patternColumns}
              ${thresholds.length > 0 ? `, ${thresholdCountColumns(k)}` : ''}
       from (select o.site_id, o.instrument_id, o.scale, o.pattern, ${columns},
                    ${jointSum} as joint_sum, ${jointSquares} as joint_squares
             from ${rowsOf('outcome_folded_scores', 'o')} and o.pattern > 0 ${inCohort}) x
       ${thresholds.length > 0 ? 'left join thresholds th using (instrument_id, scale)' : ''}
       group by x.site_id, x.instrument_id, x.scale, x.pattern
     ), marks as materialized (
       select m.site_id, ${joints(`m.instrument_id = ''`)} as joints
              ${instruments.length > 0 ? `, ${responderColumns}` : ''}
       from (select m.site_id, m.instrument_id, m.classes, count(*) as joints
             from ${rowsOf('outcome_joint_marks', 'm')}
               and (m.instrument_id = '' ${instruments.length > 0 ? `or ${classed}` : ''})
               ${marksInCohort}
             group by m.site_id, m.instrument_id, m.classes) m
       group by m.site_id
     )
     select (select coalesce(sum(joints), 0)::int from marks) as joints,
            (select json_agg(x) from (
               select site_id, instrument_id, scale,
                      ${levelColumns}
                      ${thresholds.length > 0 ? `, ${thresholdSums}` : ''}
               from (select p.*, ${means} from patterns p
                     window w as (partition by site_id, instrument_id, scale)) p
               group by site_id, instrument_id, scale) x) as stats,
            (select json_agg(x) from (
               select site_id, instrument_id, scale, pattern, n::int as joints, squared_sums,
                      squares, ${k.map((i) => `t${i}`).join(', ')}
               from patterns) x) as patterns,
            ${instruments.length > 0 ? '(select json_agg(marks) from marks)' : 'null'} as responders`,
    params,
  );
  return row ?? { joints: 0, stats: null, patterns: null, responders: null };
}

/** Levels, changes, patterns and counts from either aggregation's rows. */
function parseSummaries(
  row: RawSummaries,
  timepoints: readonly string[],
  criteria: OutcomeCriteria | null,
): OutcomeSummaries {
  const thresholds = criteria?.thresholds ?? [];
  const num = (v: number | string | null | undefined) =>
    v === null || v === undefined ? null : Number(v);
  const levels: SiteSummaryRow[] = [];
  const changes: SiteSummaryRow[] = [];
  const thresholdCounts: SiteThresholdCounts[] = [];
  const withThresholds = new Set(thresholds.map((t) => `${t.instrumentId}|${t.scale}`));
  for (const r of row.stats ?? []) {
    const key = {
      siteId: String(r.site_id),
      instrumentId: String(r.instrument_id),
      scale: String(r.scale),
    };
    const counted = withThresholds.has(`${key.instrumentId}|${key.scale}`);
    timepoints.forEach((timepoint, index) => {
      const i = index + 1;
      const n = num(r[`n${i}`]) ?? 0;
      if (n > 0)
        levels.push({ ...key, timepoint, n, mean: num(r[`m${i}`]) ?? 0, sd: num(r[`s${i}`]) });
      const cn = num(r[`cn${i}`]) ?? 0;
      if (i > 1 && cn > 0)
        changes.push({
          ...key,
          timepoint,
          n: cn,
          mean: num(r[`cm${i}`]) ?? 0,
          sd: num(r[`cs${i}`]),
        });
      // Past the MCID among joints paired with baseline; in the PASS among joints scored.
      if (i > 1 && n > 0 && counted)
        thresholdCounts.push({
          ...key,
          timepoint,
          paired: cn,
          pastMcid: num(r[`mc${i}`]) ?? 0,
          pastRelative: num(r[`rc${i}`]) ?? 0,
          scored: n,
          inPass: num(r[`pc${i}`]) ?? 0,
        });
    });
  }
  const patterns: SitePatternRow[] = (row.patterns ?? []).map((r) => {
    const mask = num(r.pattern) ?? 0;
    const seen = timepoints.filter((_, index) => (mask & (1 << index)) !== 0);
    return {
      siteId: String(r.site_id),
      instrumentId: String(r.instrument_id),
      scale: String(r.scale),
      timepoints: [...seen].sort(),
      joints: num(r.joints) ?? 0,
      sumAt: Object.fromEntries(
        seen.map((tp) => [tp, num(r[`t${timepoints.indexOf(tp) + 1}`]) ?? 0]),
      ),
      sumOfSquaredJointSums: num(r.squared_sums) ?? 0,
      sumOfSquares: num(r.squares) ?? 0,
    };
  });
  const responderCounts: SiteResponderCounts[] = (row.responders ?? []).flatMap((r) =>
    timepoints.slice(1).flatMap((timepoint, index) => {
      const i = index + 2;
      const joints = num(r[`on${i}`]) ?? 0;
      return joints > 0
        ? [
            {
              siteId: String(r.site_id),
              timepoint,
              joints,
              responders: num(r[`or${i}`]) ?? 0,
              undetermined: num(r[`ou${i}`]) ?? 0,
              withGlobal: num(r[`og${i}`]) ?? 0,
            },
          ]
        : [];
    }),
  );
  return {
    joints: row.joints ?? 0,
    levels,
    changes,
    patterns,
    thresholdCounts,
    responderCounts,
  };
}

/** The products a cohort's product or cell source admits (both: the product, if the source has it). */
function cohortProducts(f: CohortFilter): string[] {
  const products = f.cellSource ? productClassesFrom(f.cellSource) : [f.productClass];
  return products.filter(
    (p): p is string => p !== undefined && (!f.productClass || p === f.productClass),
  );
}

/** Conditions on migration 0090's cohort key columns (alias `s`) for the filters the sums serve. */
export function cohortKeyConditions(f: CohortFilter, bind: Bind): string[] {
  const where: string[] = [];
  if (f.siteId) where.push(`s.site_id = ${bind(f.siteId)}`);
  if (f.joint) where.push(`s.joint = ${bind(f.joint)}`);
  if (f.klGrade !== undefined) where.push(`s.kl_grade = ${bind(f.klGrade)}`);
  if (f.sex) where.push(`s.sex = ${bind(f.sex)}`);
  // A joint is in a treatment-level cohort when one of its treatments matches every filter.
  // With the product given, the keys that match are few enough to list (dose bands and BMI
  // classes are closed sets, '' when unknown: cohort_dose_band and cohort_bmi_class, 0090),
  // and an overlap of arrays, unlike a search of each joint's array, can run in parallel.
  if (f.productClass || f.cellSource) {
    const products = cohortProducts(f);
    const doses = f.doseBand ? [f.doseBand] : ['', ...CELL_DOSE_BAND_CODES];
    const bmis = f.bmiClass ? [f.bmiClass] : ['', ...BMI_CLASS_CODES];
    const keys = products.flatMap((p) => doses.flatMap((d) => bmis.map((b) => `${p}|${d}|${b}`)));
    where.push(`s.treatments && ${bind(keys)}::text[]`);
    return where;
  }
  // Without it, a product the vocabulary does not list would be missed: each array is searched.
  const treatment = treatmentKeyParts(f, bind, 'x');
  if (treatment.length > 0)
    where.push(`exists (select 1 from unnest(s.treatments) x where ${treatment.join(' and ')})`);
  return where;
}

/**
 * How a cohort's rows `f` (one per joint, with `site_id` and `episode_id`, such as
 * episode_follow_up) are selected: a union of cohort keys by the keys kept per joint
 * (migration 0090's `episode_cohorts`, current after `catchUpOutcomeSums`), a range by its
 * treatments, tested from `f` itself, and by `joint_episodes` only for the joint, KL grade or
 * sex. A whole site needs neither.
 */
export function jointsOfCohort(
  cohort: CohortFilter,
  bind: Bind,
): { join: string; conditions: string[]; keyed: boolean } {
  const all = { ...cohort, siteId: undefined };
  if (servedFromSums(cohort)) {
    const keyed = cohortKeyConditions(all, bind);
    if (keyed.length === 0) return { join: '', conditions: [], keyed: false };
    return {
      join: `join episode_cohorts s on s.site_id = f.site_id and s.episode_id = f.episode_id
               and ${keyed.join(' and ')}`,
      conditions: [],
      keyed: true,
    };
  }
  // The joint and patient only when the filter asks for them; its treatments straight from the
  // joint's row: ages 60–69 at 1,000,000 joints counted in 0.25 s instead of 0.56 s through
  // joint_episodes.
  const onJoint = episodeConditions({ joint: all.joint, klGrade: all.klGrade, sex: all.sex }, bind);
  return {
    join:
      onJoint.length > 0
        ? 'join joint_episodes e on e.site_id = f.site_id and e.id = f.episode_id'
        : '',
    conditions: [
      ...onJoint,
      ...hasMatchingTreatment(all, bind, { site: 'f.site_id', episode: 'f.episode_id' }),
    ],
    keyed: false,
  };
}

/**
 * Time-to-event observations of the site's cohort counted per day and outcome, for each of
 * `kinds`, from each joint's kept first treatment, last answer and first events (migration
 * 0091): what `timeToEvent` gives over `episodeHistories`, without reading every
 * answer. A whole site's are the counts kept per site (migration 0101); a cohort's are counted
 * from its joints' rows.
 */
export async function timeToEventCounts(
  db: Db,
  siteId: string,
  cohort: CohortFilter,
  kinds: readonly string[],
): Promise<{ joints: number; counts: TimeToEventCount[] }> {
  const { params, bind } = sqlParams([siteId, kinds]);
  const keyed = cohortKeyConditions({ ...cohort, siteId: undefined }, bind);
  if (keyed.length === 0 && servedFromSums(cohort)) {
    // A whole site: the counts kept per day from treatment (migration 0101).
    await catchUpFollowUpCounts(db);
    const [kept] = await db.query<{ joints: number; counts: TimeToEventCount[] | null }>(
      `select (select coalesce(sum(joints), 0)::int from time_to_event_counts
               where site_id = $1 and kind = '') as joints,
              (select json_agg(x) from (
                 select kind, days, event, joints::int as joints from time_to_event_counts
                 where site_id = $1 and kind = any($2::text[]) and joints <> 0) x) as counts`,
      params,
    );
    return { joints: kept?.joints ?? 0, counts: kept?.counts ?? [] };
  }
  return timeToEventCountsFromRows(db, siteId, cohort, kinds);
}

/**
 * The same counted from each joint's kept row (episode_follow_up): a cohort's curves, and the
 * tests' check on the counts kept per site.
 */
export async function timeToEventCountsFromRows(
  db: Db,
  siteId: string,
  cohort: CohortFilter,
  kinds: readonly string[],
): Promise<{ joints: number; counts: TimeToEventCount[] }> {
  const { params, bind } = sqlParams([siteId, kinds]);
  const inCohort = jointsOfCohort(cohort, bind);
  if (inCohort.keyed) await catchUpOutcomeSums(db);
  // The cohort's joints grouped by their days to each event and to their last contact (a few
  // thousand distinct sets, in one aggregate the planner may split between processes); then
  // each is an event on the day of its first one, or else censored at its last contact (none
  // when no contact came after treatment). Kind '' counts the joints.
  const [row] = await withDashboardSettings(db, { nestedLoops: true }, (q) =>
    q.query<{ joints: number; counts: TimeToEventCount[] | null }>(
      `with joints as (
         select nullif(greatest(greatest(f.last_answered, f.last_reported) - f.first_treated, 0), 0)
                  as days,
                f.reinjection_on - f.first_treated as reinjection,
                f.arthroplasty_on - f.first_treated as arthroplasty,
                f.back_to_activities_on - f.first_treated as activities,
                f.back_to_work_on - f.first_treated as work, count(*) as n
         from episode_follow_up f
         ${inCohort.join}
         where f.site_id = $1 and f.first_treated is not null
           ${inCohort.conditions.map((c) => `and ${c}`).join(' ')}
         group by 1, 2, 3, 4, 5
       ), counted as (
         select k.kind, coalesce(k.event_days, j.days) as days, k.event_days is not null as event,
                sum(j.n)::int as joints
         from joints j
         cross join lateral (values ('', null::int), ('reinjection', j.reinjection),
           ('arthroplasty', j.arthroplasty), ('returned-to-activities', j.activities),
           ('returned-to-work', j.work)) as k(kind, event_days)
         where k.kind = '' or k.kind = any($2::text[])
         group by 1, 2, 3
       )
       select (select coalesce(sum(joints), 0)::int from counted where kind = '') as joints,
              (select json_agg(x) from (
                 select kind, days, event, joints from counted
                 where kind <> '' and days is not null) x) as counts`,
      params,
    ),
  );
  return { joints: row?.joints ?? 0, counts: row?.counts ?? [] };
}

/**
 * Joints of the cohort per time point and answer to one kept (unscored) item, such as work
 * status: each joint counts once per time point, with its first answer to the item, as the
 * scores do (outcome_joint_scores).
 */
export async function itemAnswerCounts(
  db: Db,
  f: CohortFilter,
  item: { instrumentId: string; item: string },
  timepoints: readonly string[],
): Promise<AnswerCount[]> {
  const [kept] = await db.query<{ kept: boolean }>(
    `select coalesce(spec->'items', '[]') @> $1::jsonb as kept from outcome_rules`,
    [JSON.stringify([{ instrument_id: item.instrumentId, item: item.item }])],
  );
  if (!kept?.kept) return itemAnswerCountsFromRows(db, f, item, timepoints);
  if (await readsNotedChanges(db, f)) return keptAnswerCounts(db, f, item, timepoints, true);
  await catchUpOutcomeSums(db);
  if (servedFromKept(f)) return keptAnswerCounts(db, f, item, timepoints);
  const split = splitAtHalfMonths(f);
  if (!split) return foldedAnswerCounts(db, f, item, timepoints);
  // A range ending within half-months: its whole half-months kept, and the joints at its ends,
  // in one folded snapshot.
  const parts = await inFoldedSnapshot(
    db,
    f,
    'outcome_sums_pending',
    catchUpOutcomeSums,
    async (q) => [
      ...(split.halfMonths ? await keptAnswerCounts(q, split.halfMonths, item, timepoints) : []),
      ...(await foldedAnswerCounts(q, f, item, timepoints, split)),
    ],
  );
  const counts = new Map<string, AnswerCount>();
  for (const c of parts) {
    const key = `${c.timepoint}|${c.answer}`;
    counts.set(key, { ...c, joints: c.joints + (counts.get(key)?.joints ?? 0) });
  }
  // In the order of the statements' `order by 1, 2` (time point ids are ASCII).
  return [...counts.values()].sort((x, y) =>
    x.timepoint === y.timepoint ? x.answer - y.answer : x.timepoint < y.timepoint ? -1 : 1,
  );
}

/** Joints with an answer at a time point. */
interface AnswerCount {
  timepoint: string;
  answer: number;
  joints: number;
}

/** An item's answers kept per cohort key, set of ages or half-months, or site. */
function keptAnswerCounts(
  q: Queryable,
  f: CohortFilter,
  item: KeptItem,
  timepoints: readonly string[],
  /** With the changes of the joints noted since the last fold added (`readsNotedChanges`). */
  noted = false,
): Promise<AnswerCount[]> {
  const { params, bind } = sqlParams();
  const kept = keptTables(f, bind);
  const { where } = kept;
  const changed = noted ? withNotedChanges(kept, f, bind, false) : null;
  const answers = changed?.answers ?? kept.answers;
  return q.query<AnswerCount>(
    `${changed ? `with ${changed.cte}` : ''}
     ${answerCountsSelect(answers, where, item, timepoints, bind)}
     order by 1, 2`,
    params,
  );
}

/** Joints per time point and answer to `item`, from kept answer counts `answers` (as `s`). */
function answerCountsSelect(
  answers: string,
  where: readonly string[],
  item: KeptItem,
  timepoints: readonly string[],
  bind: Bind,
): string {
  const slots = bind([...OUTCOME_SLOTS]);
  return `select (${slots}::text[])[s.slot] as timepoint, s.answer::float8 as answer,
            sum(s.joints)::int as joints
     from ${answers} s
     where s.item = ${bind(`${item.instrumentId}/${item.item}`)}
       and (${slots}::text[])[s.slot] = any(${bind([...timepoints])}::text[])
       ${where.map((c) => `and ${c}`).join(' ')}
     group by s.slot, s.answer having sum(s.joints) <> 0`;
}

/**
 * A range's joints' first answers per slot, as last folded (migration 0090); with `split`
 * (whole half-months of its range), only those of the joints treated at its ends.
 */
async function foldedAnswerCounts(
  q: Queryable,
  f: CohortFilter,
  item: { instrumentId: string; item: string },
  timepoints: readonly string[],
  split?: DateRangeSplit,
): Promise<AnswerCount[]> {
  const { params, bind } = sqlParams();
  const few = await fewRangeJoints(q, f, split ?? null, bind, 'outcome');
  const where = jointRowConditions(few?.beside ?? f, bind, 'folded');
  if (few) where.unshift(listedJoint(few.joints, 'o'));
  const slots = bind([...OUTCOME_SLOTS]);
  return q.query<AnswerCount>(
    // Grouped by their answers first: a site's joints have a few hundred distinct sets.
    `select (${slots}::text[])[a.slot] as timepoint, a.answer::float8 as answer,
            sum(o.joints)::int as joints
     from (select o.classes, count(*) as joints
           from outcome_joint_marks o
           where o.instrument_id = ${bind(`item:${item.instrumentId}/${item.item}`)}
             ${where.map((c) => `and ${c}`).join(' ')}
           group by o.classes) o
     cross join lateral unnest(o.classes) with ordinality as a(answer, slot)
     where a.answer is not null
       and (${slots}::text[])[a.slot] = any(${bind([...timepoints])}::text[])
     group by a.slot, a.answer
     order by 1, 2`,
    params,
  );
}

/** The same counted from every answer: range filters, and the tests' check on the kept counts. */
export async function itemAnswerCountsFromRows(
  q: Queryable,
  f: CohortFilter,
  item: { instrumentId: string; item: string },
  timepoints: readonly string[],
): Promise<{ timepoint: string; answer: number; joints: number }[]> {
  const { params, bind } = sqlParams([item.instrumentId, item.item, [...timepoints]]);
  const inCohort = episodeConditions(f, bind);
  return q.query<{ timepoint: string; answer: number; joints: number }>(
    `select timepoint, answer, count(*)::int as joints
     from (select distinct on (r.episode_id, r.timepoint)
                  r.timepoint, (r.answers ->> $2)::float8 as answer
           from responses r
           join joint_episodes e on e.site_id = r.site_id and e.id = r.episode_id
           where r.instrument_id = $1 and r.timepoint = any($3::text[])
             and jsonb_typeof(r.answers -> $2) = 'number'
             ${inCohort.map((c) => `and ${c}`).join(' ')}
           order by r.episode_id, r.timepoint, r.submitted_at, r.id) first_answer
     group by timepoint, answer
     order by timepoint, answer`,
    params,
  );
}

/**
 * Each treated joint of the cohort: first treatment, last contact, and reported events, read
 * from the answers and events themselves: the tests' reference for the curves' counts.
 */
export async function episodeHistories(
  q: Queryable,
  siteId: string,
  cohort: CohortFilter = {},
): Promise<EpisodeHistory[]> {
  const { params, bind } = sqlParams([siteId]);
  const inCohort = episodeConditions({ ...cohort, siteId: undefined }, bind);
  const rows = await q.query<{
    episodeId: string;
    treatmentDate: string;
    lastContact: string | null;
    events: { kind: string; date: string }[] | null;
  }>(
    `with cohort as (
       select e.id from joint_episodes e
       where e.site_id = $1 ${inCohort.map((c) => `and ${c}`).join(' ')}
     ), first_treatment as (
       select episode_id, min(treatment_date) as treatment_date
       from treatments where site_id = $1 and episode_id in (select id from cohort)
       group by episode_id
     ), last_answer as (
       select episode_id, max(submitted_at)::date as last_at
       from responses where site_id = $1 group by episode_id
     ), reported as (
       select episode_id, max(created_at)::date as last_at,
              json_agg(json_build_object('kind', kind, 'date', event_date::text)) as events
       from patient_events where site_id = $1 group by episode_id
     )
     select t.episode_id as "episodeId", t.treatment_date as "treatmentDate",
            greatest(a.last_at, r.last_at)::text as "lastContact", r.events
     from first_treatment t
     left join last_answer a on a.episode_id = t.episode_id
     left join reported r on r.episode_id = t.episode_id`,
    params,
  );
  return rows.map((r) => ({
    episodeId: r.episodeId,
    treatmentDate: r.treatmentDate,
    lastContact: r.lastContact,
    events: r.events ?? [],
  }));
}

/**
 * Where the registry's data stands, as of now: the sum of the site's change counters
 * (migration 0014), or every site's for network-wide views. Equal keys mean equal data
 * behind the dashboards.
 */
export async function registryVersion(q: Queryable, siteId?: string): Promise<string> {
  const [row] = await q.query<{ version: string | null }>(
    siteId
      ? 'select sum(version)::text as version from registry_versions where site_id = $1'
      : `select string_agg(site_id::text || ':' || version::text, ',' order by site_id) as version
         from (select site_id, sum(version) as version from registry_versions group by site_id) v`,
    siteId ? [siteId] : [],
  );
  return row?.version ?? '';
}

/**
 * Recounts migration 0090's sums (per cohort key and per site) and those per set of ages
 * (0106) and of treatment half-months (0108) from outcome_joint_scores, and says how many kept rows
 * differed from the recount (0 when the triggers kept them exact; all-zero rows count as absent).
 */
export async function recountOutcomeSums(
  db: Db,
): Promise<{ sums: number; counts: number; marks: number }> {
  return db.transaction(async (q) => {
    await q.exec(`select outcome_sums_catch_up();
      create temp table kept_sums on commit drop as select * from outcome_sums;
      create temp table kept_counts on commit drop as select * from outcome_cohort_counts;
      create temp table kept_marks on commit drop as select * from outcome_joint_marks;
      create temp table kept_site_sums on commit drop as select * from outcome_site_sums;
      create temp table kept_site_counts on commit drop as select * from outcome_site_counts;
      create temp table kept_answers on commit drop as select * from outcome_answer_counts;
      create temp table kept_site_answers on commit drop as select * from outcome_site_answer_counts;
      ${SET_KINDS.map(
        (k) => `create temp table kept_${k}_sums on commit drop as select * from outcome_${k}_sums;
      create temp table kept_${k}_counts on commit drop as select * from outcome_${k}_counts;
      create temp table kept_${k}_answers on commit drop as select * from outcome_${k}_answer_counts;
      create temp table kept_${k}s on commit drop as select * from outcome_folded_${k}s;`,
      ).join('\n      ')}
      select outcome_sums_rebuild();`);
    const zeros = `'{0,0,0,0,0,0,0,0,0}'`;
    const same = (col: string, zero: string) =>
      `coalesce(a.${col}, ${zero}) = coalesce(b.${col}, ${zero})`;
    const sumsDiffer = `where not (${same('joints', '0')} and ${same('sums', `${zeros}::numeric[]`)}
                 and ${same('squares', `${zeros}::numeric[]`)} and ${same('products', `${zeros}::numeric[]`)}
                 and ${same('squared_joint_sums', '0')} and ${same('past_mcid', `${zeros}::int[]`)}
                 and ${same('past_relative', `${zeros}::int[]`)} and ${same('in_pass', `${zeros}::int[]`)})`;
    const countsDiffer = `where not (${same('joints', '0')} and ${same('paired', `${zeros}::int[]`)}
                 and ${same('responders', `${zeros}::int[]`)} and ${same('undetermined', `${zeros}::int[]`)}
                 and ${same('with_global', `${zeros}::int[]`)})`;
    const [row] = await q.query<{ sums: number; counts: number; marks: number }>(
      `select
         (select count(*)::int from kept_sums b
            full join outcome_sums a using (site_id, joint, kl_grade, sex, treatments, instrument_id, scale, pattern)
          ${sumsDiffer})
         + (select count(*)::int from kept_site_sums b
            full join outcome_site_sums a using (site_id, instrument_id, scale, pattern)
          ${sumsDiffer})
         ${SET_KINDS.map(
           (k) => `+ (select count(*)::int from kept_${k}_sums b
            full join outcome_${k}_sums a using (site_id, joint, kl_grade, sex, ${k}s, instrument_id, scale, pattern)
          ${sumsDiffer})`,
         ).join(' ')} as sums,
         (select count(*)::int from kept_counts b
            full join outcome_cohort_counts a using (site_id, joint, kl_grade, sex, treatments, instrument_id)
          ${countsDiffer})
         + (select count(*)::int from kept_site_counts b
            full join outcome_site_counts a using (site_id, instrument_id)
          ${countsDiffer})
         + (select count(*)::int from kept_answers b
            full join outcome_answer_counts a
              using (site_id, joint, kl_grade, sex, treatments, item, slot, answer)
            where coalesce(a.joints, 0) <> coalesce(b.joints, 0))
         + (select count(*)::int from kept_site_answers b
            full join outcome_site_answer_counts a using (site_id, item, slot, answer)
            where coalesce(a.joints, 0) <> coalesce(b.joints, 0))
         ${SET_KINDS.map(
           (k) => `+ (select count(*)::int from kept_${k}_counts b
            full join outcome_${k}_counts a using (site_id, joint, kl_grade, sex, ${k}s, instrument_id)
          ${countsDiffer})
         + (select count(*)::int from kept_${k}_answers b
            full join outcome_${k}_answer_counts a using (site_id, joint, kl_grade, sex, ${k}s, item, slot, answer)
            where coalesce(a.joints, 0) <> coalesce(b.joints, 0))`,
         ).join(' ')} as counts,
         (select count(*)::int from kept_marks b
            full join outcome_joint_marks a using (episode_id, instrument_id)
          where a.classes is distinct from b.classes)
         ${SET_KINDS.map(
           (k) => `+ (select count(*)::int from kept_${k}s b
            full join outcome_folded_${k}s a using (episode_id)
          where (a.site_id, a.${k}s) is distinct from (b.site_id, b.${k}s))`,
         ).join(' ')} as marks`,
    );
    return row ?? { sums: -1, counts: -1, marks: -1 };
  });
}
