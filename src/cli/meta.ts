import { writeFileSync } from 'node:fs';
import { forestPlotSvg, formatP } from '../core/plots/forest.ts';
import { funnelPlotSvg } from '../core/plots/funnel.ts';
import { formatNumber } from '../core/plots/svg.ts';
import { analyseStudiesCsv, type StudiesAnalysis } from '../core/stats/analysis.ts';
import { Z_975 } from '../core/stats/distributions.ts';
import { INPUT_MEASURES, type InputMeasure } from '../core/stats/input.ts';
import {
  CI_METHODS,
  type CiMethod,
  META_RESULT_KEYS,
  TAU2_METHODS,
  type Tau2Method,
} from '../core/stats/meta.ts';
import { readInputFile } from './files.ts';
import { parseOptions, UsageError } from './usage.ts';

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!match) throw new UsageError(`--${name} is one of ${allowed.join(', ')}, not '${value}'`);
  return match;
}

export async function metaCommand(args: string[]): Promise<number> {
  const parsed = parseOptions(
    args,
    {
      measure: { type: 'string' },
      method: { type: 'string' },
      ci: { type: 'string' },
      format: { type: 'string' },
      plot: { type: 'string' },
      funnel: { type: 'string' },
    },
    true,
  );
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) throw new UsageError('give one CSV file');
  const measure = oneOf<InputMeasure>(parsed.values.measure, INPUT_MEASURES, 'measure');
  const method = oneOf<Tau2Method>(parsed.values.method, TAU2_METHODS, 'method') ?? 'REML';
  const ci = oneOf<CiMethod>(parsed.values.ci, CI_METHODS, 'ci') ?? 'z';
  const format = oneOf(parsed.values.format, ['json', 'text'] as const, 'format') ?? 'text';

  const text = readInputFile('meta', file);
  if (text === undefined) return 1;
  const outcome = analyseStudiesCsv(text, { method, ci, ...(measure ? { measure } : {}) });
  if (!outcome.ok) {
    for (const p of outcome.problems)
      console.error(
        p.row > 0
          ? `${file}: row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`
          : `stemtrack meta: ${p.message}`,
      );
    console.error(`stemtrack meta: ${outcome.problems.length} problem(s); nothing was computed.`);
    return 1;
  }
  const { analysis } = outcome;
  const result = analysis.result;
  const effectLabel = {
    MD: 'Mean difference',
    SMD: "Standardised mean difference (Hedges' g)",
    GEN: 'Effect size',
  }[analysis.measure];
  if (parsed.values.plot)
    writeFileSync(parsed.values.plot, forestPlotSvg(analysis.studies, result, { effectLabel }));
  if (parsed.values.funnel)
    writeFileSync(parsed.values.funnel, funnelPlotSvg(analysis.studies, result, { effectLabel }));

  if (format === 'json') {
    process.stdout.write(
      `${JSON.stringify(Object.fromEntries(META_RESULT_KEYS.map((key) => [key, result[key]])), null, 2)}\n`,
    );
    return 0;
  }
  process.stdout.write(textReport(analysis));
  return 0;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

function textReport({ studies, measure, result, egger, subgroups: sub }: StudiesAnalysis): string {
  const z = Z_975;
  const interval = (lo: number, hi: number) => `[${formatNumber(lo, 3)}, ${formatNumber(hi, 3)}]`;
  const model =
    result.method === 'FE'
      ? 'Common-effect model'
      : `Random-effects model (tau² by ${result.method}${result.ci === 'knha' ? ', Hartung–Knapp–Sidik–Jonkman CI' : ''})`;
  const rows = [
    ['Study', measure === 'GEN' ? 'Effect' : measure, '95% CI', 'Weight'],
    ...studies.map((s, i) => [
      s.study,
      formatNumber(s.yi, 3),
      interval(s.yi - z * Math.sqrt(s.vi), s.yi + z * Math.sqrt(s.vi)),
      `${(result.weights[i] ?? 0).toFixed(1)}%`,
    ]),
    ['Pooled', formatNumber(result.estimate, 3), interval(result.ciLower, result.ciUpper), '100%'],
  ];
  const lines = [
    `${model}, k = ${result.k}`,
    '',
    table(rows),
    '',
    `Estimate ${formatNumber(result.estimate, 4)} (SE ${formatNumber(result.se, 4)}), 95% CI ${interval(result.ciLower, result.ciUpper)}`,
  ];
  if (result.method !== 'FE')
    lines.push(`95% prediction interval ${interval(result.piLower, result.piUpper)}`);
  lines.push(
    `Heterogeneity: tau² = ${formatNumber(result.tau2, 4)}, I² = ${result.i2.toFixed(1)}%, Q = ${formatNumber(result.q, 2)} on ${result.k - 1} df (p ${formatP(result.qPvalue)})`,
  );
  if (egger) {
    lines.push(
      `Egger's regression test for funnel asymmetry: z = ${formatNumber(egger.z, 2)}, p ${formatP(egger.p)}`,
    );
  } else lines.push("Egger's test needs at least 3 studies.");
  if (sub) {
    lines.push('', 'Subgroups', '');
    lines.push(
      table([
        ['Subgroup', 'k', 'Estimate', '95% CI', 'I²'],
        ...sub.groups.map((g) => [
          g.name,
          String(g.result.k),
          formatNumber(g.result.estimate, 3),
          interval(g.result.ciLower, g.result.ciUpper),
          `${g.result.i2.toFixed(0)}%`,
        ]),
      ]),
    );
    lines.push(
      '',
      `Test of subgroup differences: Q = ${formatNumber(sub.qBetween, 2)} on ${sub.df} df (p ${formatP(sub.pBetween)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}
