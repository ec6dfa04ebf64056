import type { IsoDate } from '../registry/dates.ts';
import {
  DEFAULT_SCHEDULE,
  type FollowUpWindow,
  followUpWindow,
  type TimePoint,
} from './timepoints.ts';

/**
 * Where one treated joint stands at one time point on a given day:
 * upcoming (window not yet open), due (open, target not passed), overdue (target passed,
 * window still open), completed (answered, in or out of window) or missed (window closed
 * without an answer).
 */
export type FollowUpStatus = 'upcoming' | 'due' | 'overdue' | 'completed' | 'missed';

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

/** Every episode × time point with its status on `today`. */
export function worklist(
  episodes: readonly EpisodeFollowUp[],
  today: IsoDate,
  schedule: readonly TimePoint[] = DEFAULT_SCHEDULE,
): WorklistRow[] {
  // Many joints share a treatment day: compute each day's windows once (calendar arithmetic
  // dominated the worklist of a 100,000-patient registry).
  const windows = new Map<string, FollowUpWindow>();
  const windowOf = (treatmentDate: IsoDate, tp: TimePoint) => {
    const key = `${treatmentDate}|${tp.id}`;
    let window = windows.get(key);
    if (!window) {
      window = followUpWindow(treatmentDate, tp);
      windows.set(key, window);
    }
    return window;
  };
  return episodes.flatMap((e) =>
    schedule.map((tp) => {
      const window = windowOf(e.treatmentDate, tp);
      return {
        episodeId: e.episodeId,
        patientId: e.patientId,
        registryId: e.registryId,
        timepoint: tp.id,
        label: tp.label,
        window,
        status: followUpStatus(window, e.completed.has(tp.id), today),
        invited: e.invited.has(tp.id),
      };
    }),
  );
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
  rows: readonly WorklistRow[] = worklist(episodes, today, schedule),
): { enrolled: number; steps: FlowStep[] } {
  const counts = new Map(
    schedule.map((tp) => [tp.id, { reached: 0, invited: 0, completed: 0, lost: 0 }]),
  );
  for (const r of rows) {
    const c = counts.get(r.timepoint);
    if (!c || r.status === 'upcoming') continue;
    c.reached++;
    if (r.invited) c.invited++;
    if (r.status === 'completed') c.completed++;
    if (r.status === 'missed') c.lost++;
  }
  const steps = schedule.map((tp) => {
    const c = counts.get(tp.id) ?? { reached: 0, invited: 0, completed: 0, lost: 0 };
    const decided = c.completed + c.lost;
    return {
      timepoint: tp.id,
      label: tp.label,
      ...c,
      completeness: decided > 0 ? c.completed / decided : null,
    };
  });
  return { enrolled: episodes.length, steps };
}
