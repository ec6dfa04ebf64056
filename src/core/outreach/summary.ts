import type { FlowStep } from '../schedule/worklist.ts';
import { MODES, type Mode } from './modes.ts';

export interface OutreachInput {
  byChannel: readonly { timepoint: string; channels: string; links: number; completed: number }[];
  byMode: readonly { timepoint: string; mode: string; completed: number }[];
  afterMessage: readonly {
    message: string;
    channel: string;
    step: number;
    reached: number;
    answeredBefore: number;
  }[];
}

export interface OutreachTimepoint {
  timepoint: string;
  label: string;
  /** Joints answered or whose window closed: completeness's denominator (as the flow's). */
  decided: number;
  completed: number;
  completeness: number | null;
  /** Answers in each mode, and their share of `decided`: the modes add up to completeness. */
  byMode: { mode: Mode; completed: number; share: number | null }[];
  /** Links by the channels they were sent on before any answer ("email+sms", "none"…). */
  byChannel: { channels: string; links: number; completed: number; share: number | null }[];
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * Completeness per time point split by mode of administration and by the channels a link
 * went out on, and the share of links answered after each message before the next one.
 */
export function outreachSummary(steps: readonly FlowStep[], counts: OutreachInput) {
  const timepoints: OutreachTimepoint[] = steps
    .filter((s) => s.reached > 0)
    .map((s) => {
      const decided = s.completed + s.lost;
      return {
        timepoint: s.timepoint,
        label: s.label,
        decided,
        completed: s.completed,
        completeness: s.completeness,
        byMode: MODES.map((mode) => {
          const completed =
            counts.byMode.find((m) => m.timepoint === s.timepoint && m.mode === mode)?.completed ??
            0;
          return { mode, completed, share: ratio(completed, decided) };
        }),
        byChannel: counts.byChannel
          .filter((c) => c.timepoint === s.timepoint)
          .map((c) => ({
            channels: c.channels,
            links: c.links,
            completed: c.completed,
            share: ratio(c.completed, c.links),
          })),
      };
    });
  const afterEachMessage = counts.afterMessage.map((m) => ({
    message: m.message,
    reached: m.reached,
    answeredBefore: m.answeredBefore,
    rate: ratio(m.answeredBefore, m.reached),
  }));
  return { timepoints, afterEachMessage };
}
export type OutreachSummary = ReturnType<typeof outreachSummary>;
