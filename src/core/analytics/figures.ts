import type { KaplanMeierStep } from '../stats/survival.ts';
import { formatCsv } from '../tabular/csv.ts';
import { RISK_TABLE_MONTHS } from './durability.ts';
import type { OutcomeAtTimepoint } from './outcomes.ts';
import type { ProductSafety } from './safety.ts';

/**
 * The report's headline figures as one long table, so a researcher (and `reproduce.R`) can put
 * each beside the same figure recomputed from the export's CSVs.
 */
export interface HeadlineFigure {
  /** outcome-level, outcome-change, trajectory, survival or safety. */
  section: string;
  /** What the figure is about: instrument|scale|timepoint, curve|month, product|measure… */
  subject: string;
  statistic: string;
  value: number;
}

export interface FigureSources {
  outcomes: readonly OutcomeAtTimepoint[];
  trajectories: readonly {
    instrumentId: string;
    scale: string;
    model: {
      fit: {
        fixed: { term: string; estimate: number; stdError: number }[];
        sigma: number;
        tau: number;
      };
    } | null;
  }[];
  durability: Record<string, { kind: string; steps: KaplanMeierStep[] } | unknown>;
  safety: readonly ProductSafety[];
}

/** The Kaplan–Meier step in force at `month` (the last one at or before it). */
function stepAt(steps: readonly KaplanMeierStep[], month: number): KaplanMeierStep | undefined {
  let found: KaplanMeierStep | undefined;
  for (const s of steps) if (s.time <= month) found = s;
  return found;
}

const isCurve = (v: unknown): v is { kind: string; steps: KaplanMeierStep[] } =>
  typeof v === 'object' && v !== null && 'kind' in v && 'steps' in v;

/** Every headline figure of a report, finite values only. */
export function headlineFigures(report: FigureSources): HeadlineFigure[] {
  const out: HeadlineFigure[] = [];
  const add = (section: string, subject: string, statistic: string, value: number | null) => {
    if (value !== null && Number.isFinite(value)) out.push({ section, subject, statistic, value });
  };
  for (const o of report.outcomes) {
    const subject = `${o.instrumentId}|${o.scale}|${o.timepoint}`;
    add('outcome-level', subject, 'n', o.level.n);
    add('outcome-level', subject, 'mean', o.level.mean);
    add('outcome-level', subject, 'ci_lower', o.level.ciLower);
    add('outcome-level', subject, 'ci_upper', o.level.ciUpper);
    if (!o.change) continue;
    add('outcome-change', subject, 'n', o.change.n);
    add('outcome-change', subject, 'mean', o.change.mean);
    add('outcome-change', subject, 'ci_lower', o.change.ciLower);
    add('outcome-change', subject, 'ci_upper', o.change.ciUpper);
  }
  for (const t of report.trajectories) {
    if (!t.model) continue;
    const scale = `${t.instrumentId}|${t.scale}`;
    for (const f of t.model.fit.fixed) {
      add('trajectory', `${scale}|${f.term}`, 'estimate', f.estimate);
      add('trajectory', `${scale}|${f.term}`, 'std_error', f.stdError);
    }
    add('trajectory', `${scale}|`, 'sigma', t.model.fit.sigma);
    add('trajectory', `${scale}|`, 'tau', t.model.fit.tau);
  }
  for (const curve of Object.values(report.durability)) {
    if (!isCurve(curve) || curve.steps.length === 0) continue;
    const last = curve.steps[curve.steps.length - 1] as KaplanMeierStep;
    for (const month of RISK_TABLE_MONTHS) {
      const step = month > 0 && month <= last.time ? stepAt(curve.steps, month) : undefined;
      if (!step) continue;
      add('survival', `${curve.kind}|${month}`, 'surv', step.surv);
      add('survival', `${curve.kind}|${month}`, 'lower', step.lower);
      add('survival', `${curve.kind}|${month}`, 'upper', step.upper);
    }
  }
  for (const p of report.safety) {
    for (const [measure, share] of [
      ['any', p.anyEvent],
      ['serious', p.serious],
      ['related', p.related],
    ] as const) {
      const subject = `${p.productClass}|${measure}`;
      add('safety', subject, 'treatments', p.treatments);
      add('safety', subject, 'count', share.count);
      add('safety', subject, 'lower', share.lower);
      add('safety', subject, 'upper', share.upper);
    }
  }
  return out;
}

/** The figures as CSV, every value to the full precision a double holds. */
export function figuresCsv(figures: readonly HeadlineFigure[]): string {
  return formatCsv(
    ['section', 'subject', 'statistic', 'value'],
    figures.map((f) => [f.section, f.subject, f.statistic, String(f.value)]),
  );
}
