import { Z_975 } from '../stats/distributions.ts';
import type { MetaAnalysis, StudyEffect } from '../stats/meta.ts';
import { escapeXml, formatNumber, linearScale, niceTicks } from './svg.ts';

/**
 * A funnel plot: each study's effect against its standard error (0 at the top), with the
 * pooled estimate and the pseudo-95% region estimate ± 1.96·SE that studies would fill
 * without heterogeneity or small-study effects.
 */
export function funnelPlotSvg(
  studies: readonly StudyEffect[],
  result: MetaAnalysis,
  options: { effectLabel?: string; title?: string } = {},
): string {
  const z = Z_975;
  const ses = studies.map((s) => Math.sqrt(s.vi));
  const maxSe = Math.max(...ses) * 1.1;
  const xs = [
    ...studies.map((s) => s.yi),
    result.estimate - z * maxSe,
    result.estimate + z * maxSe,
  ];
  const xTicks = niceTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = niceTicks(0, maxSe, 4);
  const yMax = Math.max(maxSe, yTicks[yTicks.length - 1] as number);
  const left = 64;
  const top = options.title ? 40 : 16;
  const plotWidth = 360;
  const plotHeight = 260;
  const width = left + plotWidth + 24;
  const height = top + plotHeight + 56;
  const x = linearScale(
    [xTicks[0] as number, xTicks[xTicks.length - 1] as number],
    [left, left + plotWidth],
  );
  const y = linearScale([0, yMax], [top, top + plotHeight]);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title ?? 'Funnel plot')}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
  ];
  if (options.title)
    out.push(
      `<text x="8" y="20" font-size="14" font-weight="600">${escapeXml(options.title)}</text>`,
    );
  const funnel = [
    [x(result.estimate - z * yMax), y(yMax)],
    [x(result.estimate), y(0)],
    [x(result.estimate + z * yMax), y(yMax)],
  ]
    .map(([px, py]) => `${px},${py}`)
    .join(' ');
  out.push(
    `<polygon points="${funnel}" fill="#eef3f8" stroke="#9ab" stroke-dasharray="4 3"/>`,
    `<line x1="${x(result.estimate)}" y1="${y(0)}" x2="${x(result.estimate)}" y2="${y(yMax)}" stroke="#c0504d"/>`,
  );
  studies.forEach((s, i) => {
    out.push(
      `<circle cx="${x(s.yi)}" cy="${y(ses[i] as number)}" r="4" fill="#1f4e79"><title>${escapeXml(s.study)}: ${formatNumber(s.yi)} (SE ${formatNumber(ses[i] as number, 3)})</title></circle>`,
    );
  });
  const bottom = top + plotHeight;
  out.push(
    `<line x1="${left}" y1="${bottom}" x2="${left + plotWidth}" y2="${bottom}" stroke="#222"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#222"/>`,
  );
  for (const t of xTicks)
    out.push(
      `<text class="tick" x="${x(t)}" y="${bottom + 16}" text-anchor="middle">${formatNumber(t, Number.isInteger(t) ? 0 : 1)}</text>`,
    );
  for (const t of yTicks)
    out.push(
      `<text class="tick y" x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${formatNumber(t, 2)}</text>`,
    );
  out.push(
    `<text x="${left + plotWidth / 2}" y="${bottom + 34}" text-anchor="middle">${escapeXml(options.effectLabel ?? 'Effect size')}</text>`,
    `<text x="14" y="${top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plotHeight / 2})">Standard error</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
