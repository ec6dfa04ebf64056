import { TIMEPOINT_IDS } from '../core/schedule/timepoints.ts';
import type {
  EpisodeFollowUp,
  FlowCounts,
  FollowUpEnd,
  StatusWindow,
  TreatmentDayBounds,
} from '../core/schedule/worklist.ts';
import {
  type Bind,
  type CohortFilter,
  catchUpFollowUpCounts,
  catchUpOutcomeSums,
  episodeConditions,
  jointsOfCohort,
  sqlParams,
} from './analytics.repo.ts';
import type { Db, Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

/** Which of a site's treated joints to read, and one page of them in registry order. */
export interface FollowUpSelection {
  /** Only joints in one of these status windows (and `ended`: those of patients not active). */
  windows?: readonly StatusWindow[];
  ended?: boolean;
  /** Only the joints after this one in registry order, at most `limit` of them. */
  after?: { registryId: string; episodeId: string };
  limit?: number;
}

/** A status window as a condition on a kept row `f` (its first treatment day and answer mask). */
function statusWindowCondition(w: StatusWindow, bind: Bind): string {
  const bit = bind(1 << TIMEPOINT_IDS.indexOf(w.timepoint));
  const conditions = [`f.completed & ${bit} ${w.answered ? '<>' : '='} 0`];
  if (w.after !== null) conditions.push(`f.first_treated > ${bind(w.after)}::date`);
  if (w.upTo !== null) conditions.push(`f.first_treated <= ${bind(w.upTo)}::date`);
  return `(${conditions.join(' and ')})`;
}

/**
 * Every treated joint at the site with its first treatment date and its survey history, or
 * only the selected ones (`selection`). Read from the masks kept per joint (migration 0091).
 */
export async function episodesForFollowUp(
  q: Queryable,
  scope: SiteScope,
  cohort: CohortFilter = {},
  selection: FollowUpSelection = {},
): Promise<(EpisodeFollowUp & { joint: string })[]> {
  const { params, bind } = sqlParams([scope.siteId]);
  const inCohort = episodeConditions({ ...cohort, siteId: undefined }, bind);
  const { windows, ended, after, limit } = selection;
  const inWindows = windows?.map((w) => statusWindowCondition(w, bind));
  if (inWindows?.length === 0 && !ended) return [];
  // The joints in the windows (of patients still followed up, when those who are not come
  // apart), and those of patients no longer followed up: two reads, each in its own index
  // order, merged in patient order.
  const windowed = !inWindows
    ? ended
      ? 'false'
      : 'true'
    : `${inWindows.length > 0 ? `(${inWindows.join(' or ')})` : 'false'}${ended ? " and p.status = 'active'" : ''}`;
  const page = `${after ? `and (p.registry_id, e.id) > (${bind(after.registryId)}, ${bind(after.episodeId)}::uuid)` : ''}
       ${inCohort.map((c) => `and ${c}`).join(' ')}`;
  const top = limit !== undefined ? `limit ${bind(limit)}` : '';
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
    `select * from (
       (select e.id as "episodeId", e.joint, e.patient_id as "patientId", p.registry_id as "registryId",
               f.first_treated as "treatmentDate", f.invited, f.completed,
               p.status, p.status_date as "statusDate"
        from episode_follow_up f
        join joint_episodes e on e.id = f.episode_id and e.site_id = $1
        join patients p on p.site_id = e.site_id and p.id = e.patient_id
        where f.site_id = $1 and f.first_treated is not null and ${windowed} ${page}
        order by p.registry_id, e.id ${top})
       ${
         ended
           ? `union all
       (select e.id, e.joint, e.patient_id, p.registry_id, f.first_treated, f.invited, f.completed,
               p.status, p.status_date
        from patients p
        join joint_episodes e on e.site_id = p.site_id and e.patient_id = p.id
        join episode_follow_up f on f.site_id = p.site_id and f.episode_id = e.id
        where p.site_id = $1 and p.status <> 'active' and f.first_treated is not null ${page}
        order by p.registry_id, e.id ${top})`
           : ''
       }
     ) x
     order by "registryId", "episodeId" ${top}`,
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
  const inCohort = jointsOfCohort(cohort, bind);
  const kept = inCohort.join === '' && inCohort.conditions.length === 0;
  if (kept) await catchUpFollowUpCounts(q);
  if (inCohort.keyed) await catchUpOutcomeSums(q);
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
         ${inCohort.join}
         where f.site_id = $1 and f.first_treated is not null
           ${inCohort.conditions.map((c) => `and ${c}`).join(' ')}`,
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

/**
 * How many (joint, time point) rows of the site's patients still followed up fall in these
 * status windows (and how many joints the site has, and have a row in one of them), counted from the counts kept per treatment day and masks (migration 0101):
 * every joint's rows, less those of patients who are not active, whose rows other than
 * completed ones the caller takes from core (their follow-up may have ended).
 */
export async function statusWindowRows(
  q: Queryable,
  scope: SiteScope,
  windows: readonly StatusWindow[],
): Promise<{ rows: number; joints: number; inWindows: number }> {
  await catchUpFollowUpCounts(q);
  const { params, bind } = sqlParams([scope.siteId]);
  const rowsOf = (list: readonly StatusWindow[]) =>
    list.length === 0 ? '0' : list.map((w) => `${statusWindowCondition(w, bind)}::int`).join(' + ');
  const inAny =
    windows.length === 0
      ? 'false'
      : windows.map((w) => statusWindowCondition(w, bind)).join(' or ');
  const [row] = await q.query<{ every: string; ended: string; joints: string; any: string }>(
    `select (select coalesce(sum(f.joints * (${rowsOf(windows)})), 0)
             from follow_up_flow_counts f where f.site_id = $1) as every,
            (select coalesce(sum(f.joints), 0) from follow_up_flow_counts f
             where f.site_id = $1) as joints,
            (select coalesce(sum(f.joints), 0) from follow_up_flow_counts f
             where f.site_id = $1 and (${inAny})) as any,
            (select coalesce(sum(${rowsOf(windows.filter((w) => !w.answered))}), 0)
             from patients p
             join joint_episodes e on e.site_id = p.site_id and e.patient_id = p.id
             join episode_follow_up f on f.site_id = p.site_id and f.episode_id = e.id
             where p.site_id = $1 and p.status <> 'active' and f.first_treated is not null) as ended`,
    params,
  );
  return {
    rows: Number(row?.every ?? 0) - Number(row?.ended ?? 0),
    joints: Number(row?.joints ?? 0),
    inWindows: Number(row?.any ?? 0),
  };
}

/**
 * Runs a read that should walk the site's patients in registry order and stop at its LIMIT:
 * when the selected joints are many, the first page is met after a few thousand patients, but
 * the planner, which cannot estimate a mask test, hashed the whole site and sorted it (0.8 s at
 * 666,000 joints, against 0.12 s walking). Without materialising: PGlite's planner walked the
 * patients against a materialised list of every candidate (1.6 s at 66,000 joints). The plans
 * turned off cost the walk enough to compile it (0.2 s), had every connection not been without
 * JIT (`openPostgres`).
 */
export function inPatientOrder<T>(db: Db, run: (q: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (q) => {
    await q.query(
      `select set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
              set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true),
              set_config('enable_sort', 'off', true), set_config('enable_material', 'off', true)`,
    );
    return run(q);
  });
}
