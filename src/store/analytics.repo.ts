import type { EpisodeHistory } from '../core/analytics/durability.ts';
import type { ScoreRow } from '../core/analytics/outcomes.ts';
import type { Queryable } from './db.ts';

export interface CohortFilter {
  /** Limit to one site; none = the whole network (operators' reports). */
  siteId?: string;
  joint?: string;
  productClass?: string;
  klGrade?: number;
  sex?: string;
}

/** Every stored scale score of the cohort, with the joint and time point it belongs to. */
export function cohortScores(q: Queryable, f: CohortFilter): Promise<ScoreRow[]> {
  const where: string[] = ['s.value is not null'];
  const params: unknown[] = [];
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
  return q.query<ScoreRow>(
    `select r.episode_id as "episodeId", r.site_id as "siteId", r.timepoint, s.instrument_id as "instrumentId", s.scale, s.value
     from response_scores s
     join responses r on r.id = s.response_id
     join joint_episodes e on e.id = r.episode_id
     join patients p on p.id = r.patient_id
     where ${where.join(' and ')}
     order by r.submitted_at, r.id`,
    params,
  );
}

/** Each treated joint at the site: first treatment, last contact, and reported events. */
export async function episodeHistories(q: Queryable, siteId: string): Promise<EpisodeHistory[]> {
  const rows = await q.query<{
    episodeId: string;
    treatmentDate: string;
    lastContact: string | null;
    events: { kind: string; date: string }[] | null;
  }>(
    `select e.id as "episodeId",
            (select min(t.treatment_date) from treatments t where t.episode_id = e.id) as "treatmentDate",
            greatest(
              (select max(r.submitted_at)::date from responses r where r.episode_id = e.id),
              (select max(ev.created_at)::date from patient_events ev where ev.episode_id = e.id)
            )::text as "lastContact",
            (select json_agg(json_build_object('kind', ev.kind, 'date', ev.event_date::text))
               from patient_events ev where ev.episode_id = e.id) as events
     from joint_episodes e
     where e.site_id = $1 and exists (select 1 from treatments t where t.episode_id = e.id)`,
    [siteId],
  );
  return rows.map((r) => ({
    episodeId: r.episodeId,
    treatmentDate: r.treatmentDate,
    lastContact: r.lastContact,
    events: r.events ?? [],
  }));
}
