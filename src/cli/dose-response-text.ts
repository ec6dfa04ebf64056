import type { doseResponseReport } from '../app/analytics/dose-response.ts';
import { DOSE_OUTCOMES } from '../core/analytics/dose-response.ts';
import { formatValue } from '../core/plots/svg.ts';
import { timePointById } from '../core/schedule/timepoints.ts';
import type { Coefficient } from '../core/stats/regression.ts';

const f = (x: number) => formatValue(x, 1);
const withCi = (c: Coefficient) => `${f(c.estimate)} [${f(c.lower)}, ${f(c.upper)}]`;
const p = (c: Coefficient) => (c.p < 0.001 ? 'p < 0.001' : `p = ${c.p.toFixed(3)}`);

/** The dose–response section of `stemtrack report`: curves as their slope, or why none. */
export function doseResponseText(report: Awaited<ReturnType<typeof doseResponseReport>>): string {
  const when = timePointById(report.timepoint)?.label ?? report.timepoint;
  const lines = [
    `Dose–response (change from baseline to ${when}, points; positive = better)`,
    report.note,
    `Which dose: ${report.dosing.rule} Joints with more than one injection in it: ${report.dosing.seriesJoints}.`,
    '',
  ];
  const outcomeLabel = (id: string) => DOSE_OUTCOMES.find((o) => o.id === id)?.label ?? id;
  for (const c of report.curves) {
    const head = `  ${c.productClass}, ${outcomeLabel(c.outcome)}:`;
    if (c.status === 'fitted')
      lines.push(
        `${head} ${c.joints} joints; per doubling of the dose (${c.unit}) ${withCi(c.perDoubling)}, ${p(c.perDoubling)}, at the same baseline score (linear in log dose, adjusted for baseline).`,
      );
    else lines.push(`${head} ${c.message}`);
  }
  lines.push('', 'Products compared (adjusted for baseline score, KL grade, age, sex and BMI)');
  for (const c of report.comparisons) {
    const head = `  ${outcomeLabel(c.outcome)}:`;
    if (c.status !== 'fitted') {
      lines.push(`${head} ${c.message}`);
      continue;
    }
    lines.push(
      `${head} ${c.joints} joints (${c.excluded} left out: no age or BMI, or a product with too few joints); difference in mean change against ${c.reference}:`,
    );
    for (const d of c.differences)
      lines.push(`    ${d.term.replace(/^product /, '')}: ${withCi(d)}, ${p(d)}`);
  }
  lines.push(
    `Curves need at least ${report.minJointsForCurve} joints with a dose and both scores; 95% CIs from ordinary least squares (checked against R lm).`,
  );
  return `${lines.join('\n')}\n`;
}
