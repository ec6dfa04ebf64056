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
export async function outcomeSummaries(
  q: Queryable,
  f: CohortFilter,
  timepoints: readonly string[],
): Promise<OutcomeSummaries> {
  const where: string[] = ['r.timepoint = any($1::text[])'];
  const params: unknown[] = [timepoints];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.siteId) add('r.site_id = ?', f.siteId);
  if (f.joint) add('e.joint = ?', f.joint);
  if (f.klGrade !== undefined) add('e.kl_grade = ?', f.klGrade);
  if (f.sex) add('p.sex = ?', f.sex);
  if (f.productClass)
    add(
      'exists (select 1 from treatments t where t.episode_id = e.id and t.product_class = ?)',
      f.productClass,
    );
  if (timepoints[0] !== 'baseline') throw new Error('the first time point must be baseline');
  if (timepoints.length > 30) throw new Error('at most 30 time points fit the visit bit mask');
  // One row per joint and scale with its score at each time point (v1…vK) and its visit
  // pattern as a bit mask: every statistic below is then one hash aggregate over joints,
  // never a second pass over the scores (the cost that dominated at 100,000 patients).
  const k = timepoints.map((_, i) => i + 1);
  const perTimepoint = k
    .map((i) => `max(s.value) filter (where a.timepoint = $1[${i}]) as v${i}`)
    .join(',\n              ');
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
    `with first_answers as (
       select distinct on (r.episode_id, r.instrument_id, r.timepoint)
              r.id, r.site_id, r.episode_id, r.timepoint
       from responses r
       join joint_episodes e on e.id = r.episode_id
       join patients p on p.id = r.patient_id
       where ${where.join(' and ')}
       order by r.episode_id, r.instrument_id, r.timepoint, r.submitted_at, r.id
     ), joints as materialized (
       select a.site_id, a.episode_id, s.instrument_id, s.scale,
              bit_or(1 << (array_position($1::text[], a.timepoint) - 1)) as pattern,
              sum(s.value) as joint_sum, sum(s.value * s.value) as joint_squares,
              ${perTimepoint}
       from first_answers a join response_scores s on s.response_id = a.id
       where s.value is not null${f.siteId ? ' and s.site_id = $2' : ''}
       group by a.site_id, a.episode_id, s.instrument_id, s.scale
     )
     select (select count(*)::int from (select episode_id from joints group by episode_id) j) as joints,
            (select json_agg(x) from (
               select site_id, instrument_id, scale,
                      ${levelColumns}
               from joints group by site_id, instrument_id, scale) x) as stats,
            (select json_agg(x) from (
               select site_id, instrument_id, scale, pattern, count(*)::int as joints,
                      sum(joint_sum * joint_sum) as squared_sums, sum(joint_squares) as squares,
                      ${patternSums}
               from joints group by site_id, instrument_id, scale, pattern) x) as patterns`,
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
