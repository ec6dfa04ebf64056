/**
 * One of the patient's own scores over time, against where they started: loaded by the
 * survey's thank-you page only, since Observable Plot is larger than the rest of the survey.
 */
import * as Plot from '@observablehq/plot';
import type { OwnTrajectory } from '../../core/analytics/own-trajectory.ts';
import type { MessageKey } from '../../core/i18n/en.ts';
import type { Translate } from '../../core/i18n/translate.ts';
import { scaleTitle } from '../../core/instruments/patient-wording.ts';
import { h, s } from './dom.ts';
import { monthTicks } from './survey-screens.ts';

const SCORE_COLOR = '#0b5cad';
const START_COLOR = '#5a6472';
const MCID_COLOR = '#1a7f37';
let charts = 0;

/**
 * A dashed level across the chart; its name is in the key below, never on the lines. Marks are
 * hidden from screen readers (Plot names each group by its kind, "rule"); the sentence under
 * the chart says the same in words.
 */
function level(value: number | null, color: string, dashes: string): Plot.Markish[] {
  return value === null
    ? []
    : [Plot.ruleY([value], { stroke: color, strokeDasharray: dashes, ariaHidden: 'true' })];
}

/** A short sample of a line for the key, drawn as the chart draws it. */
function swatch(color: string, dashes?: string, dot?: boolean): SVGElement {
  return s(
    'svg',
    { width: 28, height: 12, 'aria-hidden': 'true' },
    s('line', {
      x1: 1,
      x2: 27,
      y1: 6,
      y2: 6,
      stroke: color,
      'stroke-width': 2,
      'stroke-dasharray': dashes,
    }),
    dot && s('circle', { cx: 14, cy: 6, r: 4, fill: color }),
  );
}

function options(trajectory: OwnTrajectory, t: Translate): Plot.PlotOptions {
  const ticks = monthTicks(trajectory.points.at(-1)?.months ?? 0);
  return {
    height: 200,
    marginLeft: 36,
    marginRight: 16,
    marginBottom: 40,
    x: {
      label: t('chart.monthsAxis'),
      labelAnchor: 'center',
      labelArrow: 'none',
      domain: [0, ticks.at(-1) ?? 1],
      ticks,
      tickFormat: 'd',
      grid: true,
    },
    y: { label: null, domain: trajectory.range, grid: true, ticks: 5 },
    marks: [
      ...level(trajectory.baseline, START_COLOR, '5,4'),
      ...level(trajectory.mcidLine, MCID_COLOR, '2,3'),
      Plot.lineY(trajectory.points, {
        x: 'months',
        y: 'value',
        stroke: SCORE_COLOR,
        strokeWidth: 2,
        ariaHidden: 'true',
      }),
      Plot.dot(trajectory.points, {
        x: 'months',
        y: 'value',
        fill: SCORE_COLOR,
        r: 4,
        ariaHidden: 'true',
      }),
    ],
  };
}

/**
 * Draws the chart into its figure once the figure is on the page (Plot needs its width). Plot
 * adds a <style> element; our CSP allows stylesheets from 'self' only, so it is removed and the
 * same rules live in styles.css (`.chart`). Plot's mark group labels ("dot", "rule") are
 * removed too (the figure's own label is what a reader needs); the axes keep theirs.
 */
function draw(figure: HTMLElement, trajectory: OwnTrajectory, label: string, t: Translate) {
  const width = Math.max(300, Math.min(figure.clientWidth || 640, 900));
  const chart = Plot.plot({
    width,
    ...options(trajectory, t),
    className: 'chart',
    ariaLabel: label,
  });
  for (const style of chart.querySelectorAll('style')) style.remove();
  for (const g of chart.querySelectorAll('g[aria-label]:not([aria-label*="axis"])'))
    g.removeAttribute('aria-label');
  figure.replaceChildren(chart);
}

function formatScore(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The chart's section: title, scale, figure, key and the latest score in words. */
export function ownTrajectoryChart(trajectory: OwnTrajectory, t: Translate): HTMLElement {
  const title = scaleTitle(t, trajectory.instrumentId, trajectory.scale, trajectory.name);
  const headingId = `own-chart-${++charts}`;
  const label = t('chart.overTime', { title: title.toLowerCase() });
  const last = trajectory.points.at(-1);
  const [low, high] = trajectory.range;
  const figure = h('figure', { class: 'chart-box', 'aria-label': label });
  const section = h(
    'section',
    { class: 'own-chart', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title),
    h(
      'p',
      { class: 'muted own-chart-scale' },
      t('chart.scored', { low, high, higherIsBetter: trajectory.higherIsBetter }),
    ),
    figure,
    h(
      'ul',
      { class: 'own-chart-key' },
      h('li', null, swatch(SCORE_COLOR, undefined, true), ` ${t('chart.key.scores')}`),
      trajectory.baseline !== null &&
        h('li', null, swatch(START_COLOR, '5,4'), ` ${t('chart.key.start')}`),
      trajectory.mcidLine !== null &&
        h('li', null, swatch(MCID_COLOR, '2,3'), ` ${t('chart.key.mcid')}`),
    ),
    last &&
      trajectory.baseline !== null &&
      last.timepoint !== 'baseline' &&
      h(
        'p',
        null,
        t('chart.latest', {
          when: t(`timepoint.${last.timepoint}` as MessageKey),
          value: formatScore(last.value),
          baseline: formatScore(trajectory.baseline),
        }),
      ),
  );
  // Drawn on the next frame, when the section is in the page and the figure has its width.
  requestAnimationFrame(() => draw(figure, trajectory, label, t));
  return section;
}
