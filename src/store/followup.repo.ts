import type { EpisodeFollowUp } from '../core/schedule/worklist.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

/** Every treated joint at the site with its first treatment date and its survey history. */
export async function episodesForFollowUp(
  q: Queryable,
  scope: SiteScope,
): Promise<(EpisodeFollowUp & { joint: string })[]> {
  const rows = await q.query<{
    episodeId: string;
    joint: string;
    patientId: string;
    registryId: string;
    treatmentDate: string;
    invited: string[] | null;
    completed: string[] | null;
  }>(
    `select e.id as "episodeId", e.joint, e.patient_id as "patientId", p.registry_id as "registryId",
            (select min(t.treatment_date) from treatments t where t.episode_id = e.id) as "treatmentDate",
            (select array_agg(distinct a.timepoint) from survey_assignments a where a.episode_id = e.id) as invited,
            (select array_agg(distinct a.timepoint) from survey_assignments a
               where a.episode_id = e.id and a.completed_at is not null) as completed
     from joint_episodes e join patients p on p.id = e.patient_id
     where e.site_id = $1 and exists (select 1 from treatments t where t.episode_id = e.id)
     order by p.registry_id, e.id`,
    [scope.siteId],
  );
  return rows.map((r) => ({
    episodeId: r.episodeId,
    joint: r.joint,
    patientId: r.patientId,
    registryId: r.registryId,
    treatmentDate: r.treatmentDate,
    invited: new Set(r.invited ?? []),
    completed: new Set(r.completed ?? []),
  }));
}
