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
  return episodes.flatMap((e) =>
    schedule.map((tp) => {
      const window = followUpWindow(e.treatmentDate, tp);
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
): { enrolled: number; steps: FlowStep[] } {
  const rows = worklist(episodes, today, schedule);
  const steps = schedule.map((tp) => {
    const at = rows.filter((r) => r.timepoint === tp.id);
    const reached = at.filter((r) => r.status !== 'upcoming').length;
    const completed = at.filter((r) => r.status === 'completed').length;
    const lost = at.filter((r) => r.status === 'missed').length;
    const decided = completed + lost;
    return {
      timepoint: tp.id,
      label: tp.label,
      reached,
      invited: at.filter((r) => r.invited && r.status !== 'upcoming').length,
      completed,
      lost,
      completeness: decided > 0 ? completed / decided : null,
    };
  });
  return { enrolled: episodes.length, steps };
}
