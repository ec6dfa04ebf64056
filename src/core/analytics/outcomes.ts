import { type MeanWithCi, meanWithCi } from '../stats/descriptive.ts';
import { type Trajectory, trajectoryModel } from '../stats/mixed.ts';

/** One stored scale score of one treated joint at one time point. */
export interface ScoreRow {
  episodeId: string;
  timepoint: string;
  instrumentId: string;
  scale: string;
  value: number;
  /** The registry (site) the joint belongs to; used by benchmarking. */
  siteId?: string;
}

export interface OutcomeAtTimepoint {
  instrumentId: string;
  scale: string;
  timepoint: string;
  /** Scores at this time point: n, mean, SD and the 95% t-interval of the mean. */
  level: MeanWithCi;
  /** Change from baseline in joints scored at both; null at baseline or with none paired. */
  change: MeanWithCi | null;
}

/**
 * Per instrument scale and time point: the mean score and the mean within-joint change from
 * baseline, each with its 95% CI. A joint scored twice at a time point counts once (first score).
 */
export function summariseOutcomes(
  rows: readonly ScoreRow[],
  timepointOrder: readonly string[],
): OutcomeAtTimepoint[] {
  const first = new Map<string, ScoreRow>();
  for (const r of rows) {
    const key = `${r.instrumentId}|${r.scale}|${r.timepoint}|${r.episodeId}`;
    if (!first.has(key)) first.set(key, r);
  }
  const unique = [...first.values()];
  const scales = [...new Set(unique.map((r) => `${r.instrumentId}|${r.scale}`))];
  const out: OutcomeAtTimepoint[] = [];
  for (const key of scales) {
    const [instrumentId, scale] = key.split('|') as [string, string];
    const ofScale = unique.filter((r) => r.instrumentId === instrumentId && r.scale === scale);
    const baseline = new Map(
      ofScale.filter((r) => r.timepoint === 'baseline').map((r) => [r.episodeId, r.value]),
    );
    for (const timepoint of timepointOrder) {
      const at = ofScale.filter((r) => r.timepoint === timepoint);
      const level = meanWithCi(at.map((r) => r.value));
      if (!level) continue;
      const changes = at.flatMap((r) => {
        const b = baseline.get(r.episodeId);
        return timepoint !== 'baseline' && b !== undefined ? [r.value - b] : [];
      });
      out.push({ instrumentId, scale, timepoint, level, change: meanWithCi(changes) });
    }
  }
  return out;
}

export interface ScaleTrajectory {
  instrumentId: string;
  scale: string;
  /** Random-intercept model per joint; null when the data cannot carry it. */
  model: Trajectory | null;
}

/**
 * Per instrument scale, the model-based trajectory over the time points: a linear mixed
 * model (score ~ time point, random intercept per joint), so joints that missed visits
 * still inform the estimates instead of being dropped as in a paired analysis.
 */
export function modelTrajectories(
  rows: readonly ScoreRow[],
  timepointOrder: readonly string[],
): ScaleTrajectory[] {
  const byScale = new Map<string, ScoreRow[]>();
  const seen = new Set<string>();
  for (const r of rows) {
    const visit = `${r.instrumentId}|${r.scale}|${r.timepoint}|${r.episodeId}`;
    if (seen.has(visit)) continue; // one score per joint and time point, as above
    seen.add(visit);
    const key = `${r.instrumentId}|${r.scale}`;
    const list = byScale.get(key) ?? [];
    list.push(r);
    byScale.set(key, list);
  }
  return [...byScale.entries()].map(([key, list]) => {
    const [instrumentId, scale] = key.split('|') as [string, string];
    const observations = list.map((r) => ({
      group: r.episodeId,
      timepoint: r.timepoint,
      value: r.value,
    }));
    return { instrumentId, scale, model: trajectoryModel(observations, timepointOrder) };
  });
}
