import { TIMEPOINT_IDS } from '../core/schedule/timepoints.ts';
import type { EpisodeFollowUp, FollowUpEnd } from '../core/schedule/worklist.ts';
import { type CohortFilter, episodeConditions, sqlParams } from './analytics.repo.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

/** Every treated joint at the site with its first treatment date and its survey history. */
export async function episodesForFollowUp(
  q: Queryable,
  scope: SiteScope,
  cohort: CohortFilter = {},
): Promise<(EpisodeFollowUp & { joint: string })[]> {
  const { params, bind } = sqlParams([scope.siteId, TIMEPOINT_IDS]);
  const inCohort = episodeConditions({ ...cohort, siteId: undefined }, bind);
  const rows = await q.query<{
    episodeId: string;
    joint: string;
    patientId: string;
    registryId: string;
    treatmentDate: string;
    invited: number | null;
    completed: number | null;
    status: string;
    statusDate: string | null;
  }>(
    // Grouped once per table rather than a sub-select per joint: one pass at any registry size.
    `with first_treatment as (
       select episode_id, min(treatment_date) as treatment_date
       from treatments where site_id = $1 group by episode_id
     ), surveys as (
       select episode_id,
              bit_or(1 << (array_position($2::text[], timepoint) - 1)) as invited,
              bit_or(1 << (array_position($2::text[], timepoint) - 1))
                filter (where completed_at is not null) as completed
       from survey_assignments where site_id = $1 group by episode_id
     )
     select e.id as "episodeId", e.joint, e.patient_id as "patientId", p.registry_id as "registryId",
            t.treatment_date as "treatmentDate", s.invited, s.completed,
            p.status, p.status_date as "statusDate"
     from joint_episodes e
     join first_treatment t on t.episode_id = e.id
     join patients p on p.site_id = e.site_id and p.id = e.patient_id
     left join surveys s on s.episode_id = e.id
     where e.site_id = $1 ${inCohort.map((c) => `and ${c}`).join(' ')}
     order by p.registry_id, e.id`,
    params,
  );
  // Time points as bit masks (position in TIMEPOINT_IDS): small integers instead of arrays
  // to parse, for every joint of a large registry.
  const setOf = (mask: number | null) =>
    new Set(TIMEPOINT_IDS.filter((_, i) => ((mask ?? 0) & (1 << i)) !== 0));
  return rows.map((r) => ({
    episodeId: r.episodeId,
    joint: r.joint,
    patientId: r.patientId,
    registryId: r.registryId,
    treatmentDate: r.treatmentDate,
    invited: setOf(r.invited),
    completed: setOf(r.completed),
    // A patient who is not active (deceased, lost to follow-up, withdrawn) is not followed up
    // from their status date on; without a date, from the first treatment.
    ended:
      r.status === 'active'
        ? null
        : { reason: r.status as FollowUpEnd, date: r.statusDate ?? r.treatmentDate },
  }));
}
