import { Z_975 } from '../stats/distributions.ts';
import type { MetaAnalysis, StudyEffect } from '../stats/meta.ts';
import { escapeXml, formatNumber, linearScale, niceTicks } from './svg.ts';

export interface ForestPlotOptions {
  /** Axis title, e.g. "Mean difference in pain (0–10)". */
  effectLabel?: string;
  /** Words under the axis on each side of no effect, e.g. ["favours MSC", "favours control"]. */
  favours?: [string, string];
  title?: string;
}

const ROW = 22;
const FONT = 'system-ui, -apple-system, Segoe UI, sans-serif';

/**
 * A forest plot: each study's effect with its 95% CI (box area ∝ weight), the pooled
 * estimate as a diamond, and the 95% prediction interval as a line under it.
 */
export function forestPlotSvg(
  studies: readonly StudyEffect[],
  result: MetaAnalysis,
  options: ForestPlotOptions = {},
): string {
  const z = Z_975; // study CIs are normal-theory
  const rows = studies.map((s, i) => {
    const se = Math.sqrt(s.vi);
    return {
      label: s.study,
      yi: s.yi,
      lo: s.yi - z * se,
      hi: s.yi + z * se,
      weight: result.weights[i] ?? 0,
    };
  });
  const values = [0, ...rows.flatMap((r) => [r.lo, r.hi]), result.piLower, result.piUpper];
  const ticks = niceTicks(Math.min(...values), Math.max(...values));
  const domain: [number, number] = [ticks[0] as number, ticks[ticks.length - 1] as number];
  const labelWidth = Math.min(260, 40 + Math.max(...rows.map((r) => r.label.length), 12) * 7);
  const plotLeft = labelWidth;
  const plotWidth = 320;
  const textLeft = plotLeft + plotWidth + 16;
  const width = textLeft + 230;
  const top = options.title ? 48 : 28;
  const x = linearScale(domain, [plotLeft, plotLeft + plotWidth]);
  const pooledY = top + rows.length * ROW + ROW;
  const axisY = pooledY + ROW + 10;
  const height = axisY + (options.favours ? 64 : 48);
  const maxWeight = Math.max(...rows.map((r) => r.weight), 1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title ?? 'Forest plot')}" font-family="${FONT}" font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  if (options.title)
    out.push(
      `<text x="8" y="20" font-size="14" font-weight="600">${escapeXml(options.title)}</text>`,
    );
  out.push(
    `<text x="8" y="${top - 8}" font-weight="600">Study</text>`,
    `<text x="${textLeft}" y="${top - 8}" font-weight="600">Effect [95% CI]</text>`,
    `<text x="${width - 8}" y="${top - 8}" font-weight="600" text-anchor="end">Weight</text>`,
  );
  // The line of no effect.
  out.push(
    `<line x1="${x(0)}" y1="${top - 4}" x2="${x(0)}" y2="${axisY}" stroke="#888" stroke-dasharray="3 3"/>`,
  );
  rows.forEach((r, i) => {
    const y = top + i * ROW + ROW / 2;
    const side = 4 + 10 * Math.sqrt(r.weight / maxWeight);
    out.push(
      `<text x="8" y="${y + 4}">${escapeXml(r.label)}</text>`,
      `<line x1="${x(r.lo)}" y1="${y}" x2="${x(r.hi)}" y2="${y}" stroke="#222"/>`,
      `<rect x="${x(r.yi) - side / 2}" y="${y - side / 2}" width="${side}" height="${side}" fill="#1f4e79"/>`,
      `<text x="${textLeft}" y="${y + 4}">${formatNumber(r.yi)} [${formatNumber(r.lo)}, ${formatNumber(r.hi)}]</text>`,
      `<text x="${width - 8}" y="${y + 4}" text-anchor="end">${r.weight.toFixed(1)}%</text>`,
    );
  });
  const model =
    result.method === 'FE'
      ? 'Common effect'
      : `Random effects (${result.method}${result.ci === 'knha' ? ', HKSJ' : ''})`;
  const d = [
    [x(result.ciLower), pooledY],
    [x(result.estimate), pooledY - 7],
    [x(result.ciUpper), pooledY],
    [x(result.estimate), pooledY + 7],
  ]
    .map(([px, py]) => `${px},${py}`)
    .join(' ');
  out.push(
    `<text x="8" y="${pooledY + 4}" font-weight="600">${escapeXml(model)}</text>`,
    `<polygon points="${d}" fill="#c0504d"/>`,
    `<text x="${textLeft}" y="${pooledY + 4}" font-weight="600">${formatNumber(result.estimate)} [${formatNumber(result.ciLower)}, ${formatNumber(result.ciUpper)}]</text>`,
    `<text x="${width - 8}" y="${pooledY + 4}" text-anchor="end">100%</text>`,
  );
  if (result.method !== 'FE') {
    const py = pooledY + ROW * 0.8;
    out.push(
      `<line x1="${x(result.piLower)}" y1="${py}" x2="${x(result.piUpper)}" y2="${py}" stroke="#c0504d" stroke-width="2"/>`,
      `<text x="8" y="${py + 4}" fill="#555">Prediction interval</text>`,
      `<text x="${textLeft}" y="${py + 4}" fill="#555">[${formatNumber(result.piLower)}, ${formatNumber(result.piUpper)}]</text>`,
    );
  }
  out.push(
    `<line x1="${plotLeft}" y1="${axisY}" x2="${plotLeft + plotWidth}" y2="${axisY}" stroke="#222"/>`,
  );
  for (const t of ticks) {
    out.push(
      `<line x1="${x(t)}" y1="${axisY}" x2="${x(t)}" y2="${axisY + 4}" stroke="#222"/>`,
      `<text class="tick" x="${x(t)}" y="${axisY + 16}" text-anchor="middle">${formatNumber(t, Number.isInteger(t) ? 0 : 1)}</text>`,
    );
  }
  if (options.effectLabel)
    out.push(
      `<text x="${plotLeft + plotWidth / 2}" y="${axisY + 32}" text-anchor="middle">${escapeXml(options.effectLabel)}</text>`,
    );
  if (options.favours) {
    out.push(
      `<text x="${x(0) - 6}" y="${axisY + 50}" text-anchor="end" fill="#555">← ${escapeXml(options.favours[0])}</text>`,
      `<text x="${x(0) + 6}" y="${axisY + 50}" fill="#555">${escapeXml(options.favours[1])} →</text>`,
    );
  }
  out.push(
    `<text x="8" y="${height - 6}" fill="#555">Heterogeneity: τ² = ${formatNumber(result.tau2, 3)}, I² = ${result.i2.toFixed(0)}%, Q = ${formatNumber(result.q)} (p ${escapeXml(formatP(result.qPvalue))})</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`;
}
