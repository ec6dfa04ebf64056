import { instrumentById, isKnownInstrument } from '../instruments/library.ts';
import { DEFAULT_SCHEDULE, monthsAfterTreatment } from '../schedule/timepoints.ts';

export interface OwnTrajectory {
  instrumentId: string;
  scale: string;
  name: string;
  higherIsBetter: boolean;
  range: [number, number];
  /** The first score at baseline, the line the patient compares against; null without one. */
  baseline: number | null;
  /** The scale's published MCID (definition file), when it has one. */
  mcid: number | null;
  /**
   * The score a minimal important improvement from baseline reaches: baseline ± MCID in the
   * better direction; null without a baseline or an MCID, or when it lies beyond the scale.
   */
  mcidLine: number | null;
  points: { timepoint: string; label: string; months: number; value: number }[];
}

/**
 * One patient's scores for one joint, per scale and time point (first answer at each), for
 * the chart shown after they submit: their own line against their own starting point.
 */
export function ownTrajectories(
  rows: readonly { timepoint: string; instrumentId: string; scale: string; value: number }[],
): OwnTrajectory[] {
  const out = new Map<string, OwnTrajectory>();
  for (const r of rows) {
    if (!isKnownInstrument(r.instrumentId)) continue;
    const def = instrumentById(r.instrumentId);
    const scale = def.scales.find((s) => s.id === r.scale);
    const tp = DEFAULT_SCHEDULE.find((t) => t.id === r.timepoint);
    if (!scale || !tp) continue;
    const key = `${r.instrumentId}|${r.scale}`;
    let t = out.get(key);
    if (!t) {
      t = {
        instrumentId: r.instrumentId,
        scale: r.scale,
        name: `${def.shortName} ${scale.name}`,
        higherIsBetter: scale.higherIsBetter,
        range: scale.range,
        baseline: null,
        mcid: scale.interpretation?.mcid?.value ?? null,
        mcidLine: null,
        points: [],
      };
      out.set(key, t);
    }
    if (t.points.some((p) => p.timepoint === r.timepoint)) continue;
    t.points.push({
      timepoint: r.timepoint,
      label: tp.label,
      months: monthsAfterTreatment(tp),
      value: r.value,
    });
    if (r.timepoint === 'baseline') t.baseline = r.value;
  }
  for (const t of out.values()) {
    t.points.sort((a, b) => a.months - b.months);
    if (t.baseline === null || t.mcid === null) continue;
    const line = t.higherIsBetter ? t.baseline + t.mcid : t.baseline - t.mcid;
    t.mcidLine = line >= t.range[0] && line <= t.range[1] ? line : null;
  }
  return [...out.values()];
}
