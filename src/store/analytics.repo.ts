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
    `select r.episode_id as "episodeId", r.timepoint, s.instrument_id as "instrumentId", s.scale, s.value
     from response_scores s
     join responses r on r.id = s.response_id
     join joint_episodes e on e.id = r.episode_id
     join patients p on p.id = r.patient_id
     where ${where.join(' and ')}
     order by r.submitted_at, r.id`,
    params,
  );
}
