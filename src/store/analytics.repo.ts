import type { EpisodeHistory } from '../core/analytics/durability.ts';
import type { SitePatternRow, SiteSummaryRow } from '../core/analytics/outcomes.ts';
import type { Queryable } from './db.ts';

export interface CohortFilter {
  /** Limit to one site; none = the whole network (operators' reports). */
  siteId?: string;
  joint?: string;
  productClass?: string;
  klGrade?: number;
  sex?: string;
}

export interface OutcomeSummaries {
  /** Joints with at least one score in the cohort. */
  joints: number;
  levels: SiteSummaryRow[];
  changes: SiteSummaryRow[];
  patterns: SitePatternRow[];
}

/**
 * The cohort's outcome statistics aggregated in the database, per site: levels and paired
 * changes from baseline (n, mean, SD) and the visit patterns the trajectory model needs. Only
 * these few hundred rows leave the database, whatever the registry's size. A joint answering
 * twice at a time point counts once, with its first answer.
 */
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

export async function outcomeSummaries(
  q: Queryable,
  f: CohortFilter,
  timepoints: readonly string[],
): Promise<OutcomeSummaries> {
  if (timepoints.join() !== OUTCOME_SLOTS.join())
    throw new Error(
      `outcome slots are ${OUTCOME_SLOTS.join(', ')}; asked for ${timepoints.join(', ')}`,
    );
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.siteId) add('o.site_id = ?', f.siteId);
  if (f.joint) add('e.joint = ?', f.joint);
  if (f.klGrade !== undefined) add('e.kl_grade = ?', f.klGrade);
  if (f.sex) add('p.sex = ?', f.sex);
  if (f.productClass)
    add(
      'exists (select 1 from treatments t where t.episode_id = e.id and t.product_class = ?)',
      f.productClass,
    );
  // The joint and patient tables are read only when a filter needs them.
  const needsJoint = Boolean(f.joint || f.klGrade !== undefined || f.sex || f.productClass);
  // One row per joint and scale already holds its first score at each time point (v1…vK,
  // kept by a trigger): every statistic below is one hash aggregate over joints.
  const k = timepoints.map((_, i) => i + 1);
  const slots = k.map((i) => `o.scores[${i}] as v${i}`).join(', ');
  const pattern = k
    .map((i) => `(case when v${i} is not null then ${2 ** (i - 1)} else 0 end)`)
    .join(' + ');
  const jointSum = k.map((i) => `coalesce(v${i}, 0)`).join(' + ');
  const jointSquares = k.map((i) => `coalesce(v${i} * v${i}, 0)`).join(' + ');
  const levelColumns = k
    .map(
      (i) =>
        `count(v${i})::int as n${i}, avg(v${i}) as m${i}, stddev_samp(v${i}) as s${i},
         count(v${i} - v1)::int as cn${i}, avg(v${i} - v1) as cm${i}, stddev_samp(v${i} - v1) as cs${i}`,
    )
    .join(',\n              ');
  const patternSums = k.map((i) => `sum(v${i}) as t${i}`).join(', ');
  const [row] = await q.query<{
    joints: number;
    stats: Record<string, number | string | null>[] | null;
    patterns: Record<string, number | string | null>[] | null;
  }>(
    `with slots as (
       select o.site_id, o.episode_id, o.instrument_id, o.scale, ${slots}
       from outcome_joint_scores o
       ${needsJoint ? 'join joint_episodes e on e.id = o.episode_id' : ''}
       ${f.sex ? 'join patients p on p.id = e.patient_id' : ''}
       ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
     ), joints as materialized (
       select *, ${pattern} as pattern, ${jointSum} as joint_sum, ${jointSquares} as joint_squares
       from slots
     )
     select (select count(*)::int from (select episode_id from joints where pattern > 0
                                         group by episode_id) j) as joints,
            (select json_agg(x) from (
               select site_id, instrument_id, scale,
                      ${levelColumns}
               from joints where pattern > 0 group by site_id, instrument_id, scale) x) as stats,
            (select json_agg(x) from (
               select site_id, instrument_id, scale, pattern, count(*)::int as joints,
                      sum(joint_sum * joint_sum) as squared_sums, sum(joint_squares) as squares,
                      ${patternSums}
               from joints where pattern > 0
               group by site_id, instrument_id, scale, pattern) x) as patterns`,
    params,
  );
  const num = (v: number | string | null | undefined) =>
    v === null || v === undefined ? null : Number(v);
  const levels: SiteSummaryRow[] = [];
  const changes: SiteSummaryRow[] = [];
  for (const r of row?.stats ?? []) {
    const key = {
      siteId: String(r.site_id),
      instrumentId: String(r.instrument_id),
      scale: String(r.scale),
    };
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
    });
  }
  const patterns: SitePatternRow[] = (row?.patterns ?? []).map((r) => {
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
  return { joints: row?.joints ?? 0, levels, changes, patterns };
}

/** Each treated joint at the site: first treatment, last contact, and reported events. */
export async function episodeHistories(q: Queryable, siteId: string): Promise<EpisodeHistory[]> {
  const rows = await q.query<{
    episodeId: string;
    treatmentDate: string;
    lastContact: string | null;
    events: { kind: string; date: string }[] | null;
  }>(
    `with first_treatment as (
       select episode_id, min(treatment_date) as treatment_date
       from treatments where site_id = $1 group by episode_id
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
    [siteId],
  );
  return rows.map((r) => ({
    episodeId: r.episodeId,
    treatmentDate: r.treatmentDate,
    lastContact: r.lastContact,
    events: r.events ?? [],
  }));
}
