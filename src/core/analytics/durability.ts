import { DAYS_PER_MONTH, daysBetween, type IsoDate } from '../registry/dates.ts';
import {
  type KaplanMeierStep,
  kaplanMeier,
  numbersAtRisk,
  type TimeToEvent,
} from '../stats/survival.ts';

/** What the registry knows of one treated joint for time-to-event analyses. */
export interface EpisodeHistory {
  episodeId: string;
  treatmentDate: IsoDate;
  /** Last day the patient was heard from (an answer or a report). */
  lastContact: IsoDate | null;
  events: { kind: string; date: IsoDate }[];
}

/**
 * Months from treatment to the first `kind` event, or censored at the last contact: the
 * input of a Kaplan–Meier curve (e.g. survival free of joint replacement). Joints never
 * heard from after treatment are left out, as they add no time at risk.
 */
export function timeToEvent(histories: readonly EpisodeHistory[], kind: string): TimeToEvent[] {
  return histories.flatMap((h): TimeToEvent[] => {
    const event = h.events
      .filter((e) => e.kind === kind && e.date >= h.treatmentDate)
      .sort((a, b) => (a.date < b.date ? -1 : 1))[0];
    if (event)
      return [{ time: daysBetween(h.treatmentDate, event.date) / DAYS_PER_MONTH, event: true }];
    if (!h.lastContact || h.lastContact <= h.treatmentDate) return [];
    return [{ time: daysBetween(h.treatmentDate, h.lastContact) / DAYS_PER_MONTH, event: false }];
  });
}

export interface DurabilityCurve {
  kind: string;
  joints: number;
  events: number;
  steps: KaplanMeierStep[];
  /** Numbers at risk at 0, 6, 12, 24, 36, 48 and 60 months, for the risk table. */
  atRisk: { month: number; n: number }[];
}

export const RISK_TABLE_MONTHS = [0, 6, 12, 24, 36, 48, 60] as const;

export function durabilityCurve(
  histories: readonly EpisodeHistory[],
  kind: string,
): DurabilityCurve {
  return durabilityCurveOf(kind, timeToEvent(histories, kind));
}

/**
 * Days from treatment to the first `kind` event or to the last contact, as the database
 * counts them (joints per day and outcome): the same observations as `timeToEvent`.
 */
export interface TimeToEventCount {
  kind: string;
  days: number;
  event: boolean;
  joints: number;
}

/** The curve from counted observations (see `TimeToEventCount`). */
export function durabilityCurveFromCounts(
  counts: readonly TimeToEventCount[],
  kind: string,
): DurabilityCurve {
  return durabilityCurveOf(
    kind,
    counts
      .filter((c) => c.kind === kind)
      .map((c) => ({ time: c.days / DAYS_PER_MONTH, event: c.event, count: c.joints })),
  );
}

function durabilityCurveOf(kind: string, observations: readonly TimeToEvent[]): DurabilityCurve {
  const atRisk = numbersAtRisk(observations, RISK_TABLE_MONTHS);
  return {
    kind,
    joints: observations.reduce((n, o) => n + (o.count ?? 1), 0),
    events: observations.reduce((n, o) => (o.event ? n + (o.count ?? 1) : n), 0),
    steps: kaplanMeier(observations),
    atRisk: RISK_TABLE_MONTHS.map((month, i) => ({ month, n: atRisk[i] ?? 0 })),
  };
}
