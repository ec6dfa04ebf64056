import type { outcomeReport } from '../app/report.ts';
import { instrumentById, isKnownInstrument } from '../core/instruments/library.ts';
import { formatValue } from '../core/plots/svg.ts';
import { timePointById } from '../core/schedule/timepoints.ts';
import type { MeanWithCi } from '../core/stats/descriptive.ts';

const f = (x: number | null | undefined) => formatValue(x, 1);
const ci = (m: MeanWithCi | null) =>
  m && m.ciLower !== null ? `[${f(m.ciLower)}, ${f(m.ciUpper)}]` : '';

/** The report as a readable table, one block per questionnaire scale. */
export function reportText(report: Awaited<ReturnType<typeof outcomeReport>>): string {
  const lines = [`${report.joints} treated joints with scores.`, ''];
  // The report lists scales in the instruments' own order already.
  const scales = [...new Set(report.outcomes.map((o) => `${o.instrumentId}|${o.scale}`))];
  for (const key of scales) {
    const [instrumentId, scale] = key.split('|') as [string, string];
    const def = isKnownInstrument(instrumentId) ? instrumentById(instrumentId) : undefined;
    const name = def
      ? `${def.shortName} ${def.scales.find((s) => s.id === scale)?.name ?? scale}`
      : `${instrumentId} ${scale}`;
    lines.push(name);
    const model = report.trajectories.find(
      (t) => t.instrumentId === instrumentId && t.scale === scale,
    )?.model;
    const modelled = (timepoint: string) =>
      model?.timepoints.find((t) => t.timepoint === timepoint);
    const rows = [
      [
        'Time point',
        'n',
        'Mean (SD)',
        '95% CI',
        'n paired',
        'Change',
        '95% CI',
        'Model change',
        '95% CI',
      ],
      ...report.outcomes
        .filter((o) => o.instrumentId === instrumentId && o.scale === scale)
        .map((o) => [
          timePointById(o.timepoint)?.label ?? o.timepoint,
          String(o.level.n),
          `${f(o.level.mean)} (${f(o.level.sd)})`,
          ci(o.level),
          o.change ? String(o.change.n) : '',
          o.change ? f(o.change.mean) : '',
          ci(o.change),
          f(modelled(o.timepoint)?.change?.estimate),
          modelled(o.timepoint)?.change
            ? `[${f(modelled(o.timepoint)?.change?.lower)}, ${f(modelled(o.timepoint)?.change?.upper)}]`
            : '',
        ]),
    ];
    const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
    for (const r of rows)
      lines.push(
        `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')}`,
      );
    lines.push('');
  }
  lines.push(
    'Model change: linear mixed model (score ~ time point, random intercept per joint, REML), which keeps joints that missed visits.',
    'Changes are before–after, without a control group: not treatment effects.',
  );
  return `${lines.join('\n')}\n`;
}
