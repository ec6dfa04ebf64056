import { addDays, type IsoDate } from '../registry/dates.ts';
import {
  DEFAULT_SCHEDULE,
  type FollowUpWindow,
  followUpWindow,
  type TimePoint,
} from './timepoints.ts';

/**
 * Where one treated joint stands at one time point on a given day:
 * upcoming (window not yet open), due (open, target not passed), overdue (target passed,
 * window still open), completed (answered, in or out of window), missed (window closed
 * without an answer) or ended (not answered, and follow-up of the patient ended before the
 * window closed: died, lost to follow-up or withdrew consent; nobody is to be contacted).
 */
export type FollowUpStatus = 'upcoming' | 'due' | 'overdue' | 'completed' | 'missed' | 'ended';

/** Why a patient's follow-up ended: their status, other than active. */
export type FollowUpEnd = 'deceased' | 'lost-to-follow-up' | 'withdrawn';

export interface EpisodeFollowUp {
  episodeId: string;
  patientId: string;
  registryId: string;
  /** First treatment of the joint: the schedule counts from it. */
  treatmentDate: IsoDate;
  /** Time points with a survey link issued. */
  invited: ReadonlySet<string>;
  /** Time points answered. */
  completed: ReadonlySet<string>;
  /** Set when the patient's follow-up ended (on `date`); absent or null while it goes on. */
  ended?: { reason: FollowUpEnd; date: IsoDate } | null;
}

export interface WorklistRow {
  episodeId: string;
  patientId: string;
  registryId: string;
  timepoint: string;
  label: string;
  window: FollowUpWindow;
  status: FollowUpStatus;
  invited: boolean;
  /** Why follow-up ended, on rows whose status is `ended`. */
  endedBecause?: FollowUpEnd;
}

export function followUpStatus(
  window: FollowUpWindow,
  completed: boolean,
  today: IsoDate,
): FollowUpStatus {
  if (completed) return 'completed';
  if (today < window.opens) return 'upcoming';
  if (today <= window.target) return 'due';
  if (today <= window.closes) return 'overdue';
  return 'missed';
}

/**
 * One joint's status at one time point: an unanswered time point whose window was still open
 * (or not yet open) when the patient's follow-up ended is `ended`, never due; one whose window
 * had closed before stays missed.
 */
function episodeStatus(
  e: EpisodeFollowUp,
  window: FollowUpWindow,
  timepoint: string,
  today: IsoDate,
): FollowUpStatus {
  const status = followUpStatus(window, e.completed.has(timepoint), today);
  if (e.ended && status !== 'completed' && window.closes >= e.ended.date) return 'ended';
  return status;
}

/**
 * Each treatment day's windows, computed once: many joints share a treatment day, and the
 * calendar arithmetic dominated the worklist of a 100,000-patient registry.
 */
function windowCache(
  schedule: readonly TimePoint[],
): (treatmentDate: IsoDate) => readonly FollowUpWindow[] {
  const windows = new Map<string, FollowUpWindow[]>();
  return (treatmentDate) => {
    let forDay = windows.get(treatmentDate);
    if (!forDay) {
      forDay = schedule.map((tp) => followUpWindow(treatmentDate, tp));
      windows.set(treatmentDate, forDay);
    }
    return forDay;
  };
}

/**
 * Every episode × time point with its status on `today`, or only the rows `keep` accepts
 * (the clinic's filtered list, without building the rows it would throw away).
 */
export function worklist(
  episodes: readonly EpisodeFollowUp[],
  today: IsoDate,
  schedule: readonly TimePoint[] = DEFAULT_SCHEDULE,
  keep: (status: FollowUpStatus, timepoint: string) => boolean = () => true,
): WorklistRow[] {
  const windowsOf = windowCache(schedule);
  const rows: WorklistRow[] = [];
  for (const e of episodes) {
    const windows = windowsOf(e.treatmentDate);
    for (const [i, tp] of schedule.entries()) {
      const window = windows[i] as FollowUpWindow;
      const status = episodeStatus(e, window, tp.id, today);
      if (!keep(status, tp.id)) continue;
      rows.push({
        episodeId: e.episodeId,
        patientId: e.patientId,
        registryId: e.registryId,
        timepoint: tp.id,
        label: tp.label,
        window,
        status,
        invited: e.invited.has(tp.id),
        ...(status === 'ended' && e.ended ? { endedBecause: e.ended.reason } : {}),
      });
    }
  }
  return rows;
}

export interface FlowStep {
  timepoint: string;
  label: string;
  /** Joints whose window for this time point has opened by today. */
  reached: number;
  invited: number;
  completed: number;
  /** Window closed without an answer. */
  lost: number;
  /** completed / (reached − still open and unanswered): the share of decided cases answered. */
  completeness: number | null;
}

/**
 * CONSORT-style follow-up flow per time point: enrolled (treated joints) → reached → invited
 * → completed → lost. Completeness counts only joints whose window has closed or that answered,
 * so an open window does not count against the clinic.
 */
export function followUpFlow(
  episodes: readonly EpisodeFollowUp[],
  today: IsoDate,
  schedule: readonly TimePoint[] = DEFAULT_SCHEDULE,
): { enrolled: number; steps: FlowStep[] } {
  const windowsOf = windowCache(schedule);
  const counts: FlowCounts[] = schedule.map(() => ({
    reached: 0,
    invited: 0,
    completed: 0,
    lost: 0,
  }));
  for (const e of episodes) {
    const windows = windowsOf(e.treatmentDate);
    schedule.forEach((tp, i) => {
      const c = counts[i];
      const status = followUpStatus(windows[i] as FollowUpWindow, e.completed.has(tp.id), today);
      if (!c || status === 'upcoming') return;
      c.reached++;
      if (e.invited.has(tp.id)) c.invited++;
      if (status === 'completed') c.completed++;
      if (status === 'missed') c.lost++;
    });
  }
  return flowFromCounts(schedule, episodes.length, counts);
}

/** One time point's joints reached, invited, answered and lost, however they were counted. */
export interface FlowCounts {
  reached: number;
  invited: number;
  completed: number;
  lost: number;
}

/** The flow from its counts per time point (in schedule order). */
export function flowFromCounts(
  schedule: readonly TimePoint[],
  enrolled: number,
  counts: readonly FlowCounts[],
): { enrolled: number; steps: FlowStep[] } {
  const steps = schedule.map((tp, i) => {
    const c = counts[i] ?? { reached: 0, invited: 0, completed: 0, lost: 0 };
    const decided = c.completed + c.lost;
    return {
      timepoint: tp.id,
      label: tp.label,
      ...c,
      completeness: decided > 0 ? c.completed / decided : null,
    };
  });
  return { enrolled, steps };
}

/**
 * For one time point, the last treatment day whose window has opened by `today` and the last
 * whose window closed before it. A window moves forward with its treatment day, so the joints
 * reached (or lost) are exactly those treated up to that day: a range the database can count.
 */
export interface TreatmentDayBounds {
  timepoint: string;
  openedBy: IsoDate;
  /** The last treatment day whose target day passed before `today` (overdue from then on). */
  targetPassedBy: IsoDate;
  closedBy: IsoDate;
}

export function treatmentDayBounds(
  today: IsoDate,
  schedule: readonly TimePoint[] = DEFAULT_SCHEDULE,
): TreatmentDayBounds[] {
  return schedule.map((tp) => {
    // Treated more than windowBefore days after today, a window cannot have opened; treated
    // before `earliest`, it has closed (a month is at most 31 days).
    const months = 'months' in tp.offset ? tp.offset.months : 0;
    const days = 'days' in tp.offset ? tp.offset.days : 0;
    const earliest = -(Math.abs(months) * 31 + Math.abs(days) + tp.windowAfter + 2);
    const latest = tp.windowBefore + 1;
    const lastDay = (holds: (w: FollowUpWindow) => boolean) => {
      let lo = earliest; // holds
      let hi = latest; // does not hold
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (holds(followUpWindow(addDays(today, mid), tp))) lo = mid;
        else hi = mid;
      }
      return addDays(today, lo);
    };
    return {
      timepoint: tp.id,
      openedBy: lastDay((w) => w.opens <= today),
      targetPassedBy: lastDay((w) => w.target < today),
      closedBy: lastDay((w) => w.closes < today),
    };
  });
}

/**
 * The treatment days (after `after`, up to `upTo`; null where unbounded) and answer on which a
 * joint of a patient still followed up has `status` at one time point, on the day the bounds
 * were taken: completed when answered, whatever the day; otherwise upcoming, due, overdue or
 * missed by where the treatment day falls against the bounds (followUpStatus).
 */
export interface StatusWindow {
  timepoint: string;
  status: Exclude<FollowUpStatus, 'ended'>;
  after: IsoDate | null;
  upTo: IsoDate | null;
  answered: boolean;
}

export function statusWindows(
  bounds: readonly TreatmentDayBounds[],
  statuses: readonly FollowUpStatus[],
  timepoint?: string,
): StatusWindow[] {
  const windows: StatusWindow[] = [];
  for (const b of bounds) {
    if (timepoint && b.timepoint !== timepoint) continue;
    const ranges: [StatusWindow['status'], IsoDate | null, IsoDate | null][] = [
      ['upcoming', b.openedBy, null],
      ['due', b.targetPassedBy, b.openedBy],
      ['overdue', b.closedBy, b.targetPassedBy],
      ['missed', null, b.closedBy],
    ];
    if (statuses.includes('completed'))
      windows.push({
        timepoint: b.timepoint,
        status: 'completed',
        after: null,
        upTo: null,
        answered: true,
      });
    for (const [status, after, upTo] of ranges)
      if (statuses.includes(status) && (after === null || upTo === null || after < upTo))
        windows.push({ timepoint: b.timepoint, status, after, upTo, answered: false });
  }
  return windows;
}
