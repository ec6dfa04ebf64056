import { allInstruments } from '../instruments/library.ts';
import {
  type GroupSummary,
  type MeanWithCi,
  meanWithCi,
  meanWithCiFromSummary,
  poolSummaries,
} from '../stats/descriptive.ts';
import {
  type Trajectory,
  trajectoryFromPatterns,
  trajectoryModel,
  type VisitPattern,
} from '../stats/mixed.ts';

/**
 * Scales in the instruments' own order (NRS, then KOOS Pain, Symptoms, ADL, Sport/Rec, QOL…),
 * unknown ones last by name; every report lists them the same way.
 */
export function byInstrumentOrder(keys: Iterable<string>): string[] {
  const instruments = allInstruments();
  const rank = (key: string) => {
    const [instrumentId, scale] = key.split('|') as [string, string];
    const i = instruments.findIndex((d) => d.id === instrumentId);
    const j = instruments[i]?.scales.findIndex((sc) => sc.id === scale) ?? -1;
    return i < 0 || j < 0 ? Number.MAX_SAFE_INTEGER : i * 1000 + j;
  };
  return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

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
  const scales = byInstrumentOrder(unique.map((r) => `${r.instrumentId}|${r.scale}`));
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
    // As trajectoriesFromPatterns: no baseline, no change from baseline to model.
    const hasBaseline = list.some((r) => r.timepoint === timepointOrder[0]);
    return {
      instrumentId,
      scale,
      model: hasBaseline ? trajectoryModel(observations, timepointOrder) : null,
    };
  });
}

/** n, mean and sample SD of one site's scores (or changes) at one scale and time point. */
export interface SiteSummaryRow extends GroupSummary {
  siteId: string;
  instrumentId: string;
  scale: string;
  timepoint: string;
}

/** One site's joints seen at exactly these time points of a scale, summarised for the mixed model. */
export interface SitePatternRow extends VisitPattern {
  siteId: string;
  instrumentId: string;
  scale: string;
}

const scaleKey = (r: { instrumentId: string; scale: string }) => `${r.instrumentId}|${r.scale}`;

/**
 * The same numbers as `summariseOutcomes`, from per-site summaries (n, mean, SD) of levels and
 * paired changes, pooled over the sites given; in time-point order within each scale.
 */
export function outcomesFromSummaries(
  levels: readonly SiteSummaryRow[],
  changes: readonly SiteSummaryRow[],
  timepointOrder: readonly string[],
): OutcomeAtTimepoint[] {
  const pooled = (rows: readonly SiteSummaryRow[]) => {
    const parts = new Map<string, SiteSummaryRow[]>();
    for (const r of rows) {
      const key = `${scaleKey(r)}|${r.timepoint}`;
      parts.set(key, [...(parts.get(key) ?? []), r]);
    }
    return parts;
  };
  const levelParts = pooled(levels);
  const changeParts = pooled(changes);
  const scales = byInstrumentOrder(levels.map(scaleKey));
  const out: OutcomeAtTimepoint[] = [];
  for (const key of scales) {
    const [instrumentId, scale] = key.split('|') as [string, string];
    for (const timepoint of timepointOrder) {
      const level = poolSummaries(levelParts.get(`${key}|${timepoint}`) ?? []);
      if (!level) continue;
      const change = poolSummaries(changeParts.get(`${key}|${timepoint}`) ?? []);
      out.push({
        instrumentId,
        scale,
        timepoint,
        level: meanWithCiFromSummary(level.n, level.mean, level.sd),
        change: change ? meanWithCiFromSummary(change.n, change.mean, change.sd) : null,
      });
    }
  }
  return out;
}

/** Trajectory models from per-site visit patterns, pooled over the sites given. */
export function trajectoriesFromPatterns(
  patterns: readonly SitePatternRow[],
  timepointOrder: readonly string[],
): ScaleTrajectory[] {
  const byScale = new Map<string, Map<string, VisitPattern>>();
  for (const p of patterns) {
    const forScale = byScale.get(scaleKey(p)) ?? new Map<string, VisitPattern>();
    const key = p.timepoints.join('|');
    const seen = forScale.get(key);
    if (!seen) {
      forScale.set(key, {
        timepoints: p.timepoints,
        joints: p.joints,
        sumAt: { ...p.sumAt },
        sumOfSquaredJointSums: p.sumOfSquaredJointSums,
        sumOfSquares: p.sumOfSquares,
      });
    } else {
      seen.joints += p.joints;
      seen.sumOfSquaredJointSums += p.sumOfSquaredJointSums;
      seen.sumOfSquares += p.sumOfSquares;
      for (const [tp, sum] of Object.entries(p.sumAt)) seen.sumAt[tp] = (seen.sumAt[tp] ?? 0) + sum;
    }
    byScale.set(scaleKey(p), forScale);
  }
  return [...byScale.entries()].map(([key, forScale]) => {
    const [instrumentId, scale] = key.split('|') as [string, string];
    const visits = [...forScale.values()];
    // A scale never asked at baseline (satisfaction with a result) has no change from
    // baseline to model: its first time point would silently stand in for it.
    const hasBaseline = visits.some((v) => v.timepoints.includes(timepointOrder[0] ?? ''));
    return {
      instrumentId,
      scale,
      model: hasBaseline ? trajectoryFromPatterns(visits, timepointOrder) : null,
    };
  });
}
