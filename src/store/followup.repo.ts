import { TIMEPOINT_IDS } from '../core/schedule/timepoints.ts';
import type {
  EpisodeFollowUp,
  FlowCounts,
  FollowUpEnd,
  OpenWindow,
  TreatmentDayBounds,
} from '../core/schedule/worklist.ts';
import {
  type CohortFilter,
  catchUpFollowUpCounts,
  episodeConditions,
  sqlParams,
} from './analytics.repo.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

/**
 * Every treated joint at the site with its first treatment date and its survey history, or
 * only those with one of `unanswered`'s windows open and not answered (the joints that can be
 * due or overdue today). Read from the masks kept per joint (migration 0091).
 */
export async function episodesForFollowUp(
  q: Queryable,
  scope: SiteScope,
  cohort: CohortFilter = {},
  unanswered?: readonly OpenWindow[],
): Promise<(EpisodeFollowUp & { joint: string })[]> {
  const { params, bind } = sqlParams([scope.siteId]);
  const inCohort = episodeConditions({ ...cohort, siteId: undefined }, bind);
  const ranges = unanswered?.map(
    (w) =>
      `(f.first_treated > ${bind(w.after)} and f.first_treated <= ${bind(w.upTo)}
        and f.completed & ${bind(1 << TIMEPOINT_IDS.indexOf(w.timepoint))} = 0)`,
  );
  if (ranges?.length === 0) return [];
  const rows = await q.query<{
    episodeId: string;
    joint: string;
    patientId: string;
    registryId: string;
    treatmentDate: string;
    invited: number;
    completed: number;
    status: string;
    statusDate: string | null;
  }>(
    `select e.id as "episodeId", e.joint, e.patient_id as "patientId", p.registry_id as "registryId",
            f.first_treated as "treatmentDate", f.invited, f.completed,
            p.status, p.status_date as "statusDate"
     from episode_follow_up f
     join joint_episodes e on e.id = f.episode_id and e.site_id = $1
     join patients p on p.site_id = e.site_id and p.id = e.patient_id
     where f.site_id = $1 and f.first_treated is not null
       ${ranges ? `and (${ranges.join(' or ')})` : ''}
       ${inCohort.map((c) => `and ${c}`).join(' ')}
     order by p.registry_id, e.id`,
    params,
  );
  // Time points as bit masks (position in TIMEPOINT_IDS): small integers instead of arrays
  // to parse, for every joint of a large registry.
  const setOf = (mask: number) => new Set(TIMEPOINT_IDS.filter((_, i) => (mask & (1 << i)) !== 0));
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

/**
 * The follow-up flow's counts per time point, counted in the database: a window has opened
 * (closed) for the joints treated up to the day `bounds` gives. A whole site's are added up
 * from the counts kept per treatment day and masks (migration 0101); a cohort's from its
 * joints' kept masks. The same counts as core's followUpFlow over every joint
 * (followup.int.test.ts).
 */
export async function followUpFlowCounts(
  q: Queryable,
  scope: SiteScope,
  cohort: CohortFilter,
  bounds: readonly TreatmentDayBounds[],
): Promise<{ enrolled: number; counts: FlowCounts[] }> {
  if (bounds.some((b) => !TIMEPOINT_IDS.includes(b.timepoint)))
    throw new Error(`time points are ${TIMEPOINT_IDS.join(', ')}`);
  const { params, bind } = sqlParams([scope.siteId]);
  const inCohort = episodeConditions({ ...cohort, siteId: undefined }, bind);
  const kept = inCohort.length === 0;
  if (kept) await catchUpFollowUpCounts(q);
  const joints = (where: string) =>
    kept
      ? `coalesce(sum(f.joints) filter (where ${where}), 0)`
      : `count(*) filter (where ${where})`;
  const columns = bounds.map((b, i) => {
    const bit = bind(1 << TIMEPOINT_IDS.indexOf(b.timepoint));
    const answered = `f.completed & ${bit} <> 0`;
    // An answer counts as reached even before its window opened (core's followUpStatus).
    const reached = `(${answered} or f.first_treated <= ${bind(b.openedBy)}::date)`;
    return `${joints(reached)} as r${i},
            ${joints(`${reached} and f.invited & ${bit} <> 0`)} as i${i},
            ${joints(answered)} as c${i},
            ${joints(`not ${answered} and f.first_treated <= ${bind(b.closedBy)}::date`)} as l${i}`;
  });
  const select = columns.map((c) => `, ${c}`).join('');
  const [row] = kept
    ? await q.query<Record<string, string>>(
        `select coalesce(sum(f.joints), 0) as enrolled${select}
         from follow_up_flow_counts f where f.site_id = $1`,
        params,
      )
    : await q.query<Record<string, string>>(
        `select count(*) as enrolled${select}
         from episode_follow_up f
         join joint_episodes e on e.id = f.episode_id and e.site_id = $1
         where f.site_id = $1 and f.first_treated is not null
           ${inCohort.map((c) => `and ${c}`).join(' ')}`,
        params,
      );
  const n = (key: string) => Number(row?.[key] ?? 0);
  return {
    enrolled: n('enrolled'),
    counts: bounds.map((_, i) => ({
      reached: n(`r${i}`),
      invited: n(`i${i}`),
      completed: n(`c${i}`),
      lost: n(`l${i}`),
    })),
  };
}
