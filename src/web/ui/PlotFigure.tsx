import * as Plot from '@observablehq/plot';
import { useEffect, useRef, useState } from 'react';

/** Below this width a chart is "narrow": fewer ticks, shorter labels (a phone is 360 px). */
export const NARROW = 560;

/**
 * An Observable Plot chart drawn at its container's width (measured with a ResizeObserver),
 * so its text stays at the size styles.css gives it (12 px) instead of shrinking with the
 * chart on a phone. `options` may be a function of that width, to ask for fewer ticks or
 * shorter labels when narrow; x ticks are thinned to one per 80 px unless the chart says.
 *
 * Plot adds a <style> element to each chart; our CSP allows stylesheets from 'self' only, so
 * it is removed before the chart enters the page and the same rules live in styles.css.
 */
export function PlotFigure({
  options,
  label,
}: {
  options: Plot.PlotOptions | ((width: number) => Plot.PlotOptions);
  label: string;
}) {
  const box = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const container = box.current;
    if (!container) return;
    // Whole pixels, so a scrollbar's coming and going does not redraw the chart forever.
    const measure = () => setWidth(Math.floor(container.getBoundingClientRect().width));
    measure();
    const watcher = new ResizeObserver(measure);
    watcher.observe(container);
    return () => watcher.disconnect();
  }, []);
  useEffect(() => {
    const container = box.current;
    if (!container || width === 0) return;
    const w = Math.max(260, Math.min(width, 900));
    const given = typeof options === 'function' ? options(w) : options;
    const x = given.x;
    const thinned =
      w < NARROW && x?.ticks === undefined && x?.axis !== null
        ? { ...given, x: { ...x, ticks: Math.max(3, Math.floor(w / 80)) } }
        : given;
    const chart = Plot.plot({ width: w, ...thinned, className: 'chart', ariaLabel: label });
    for (const style of chart.querySelectorAll('style')) style.remove();
    // Plot names its inner groups after their marks ("dot", "x-axis tick label"); on a <g>
    // without a role ARIA forbids a label, and the figure's own label is what a screen reader
    // needs. The name stays as data-mark, for the tests that check tick labels never overlap.
    for (const g of chart.querySelectorAll('g[aria-label]')) {
      g.setAttribute('data-mark', g.getAttribute('aria-label') ?? '');
      g.removeAttribute('aria-label');
    }
    container.replaceChildren(chart);
    return () => chart.remove();
  }, [options, label, width]);
  return <figure ref={box} className="chart-box" aria-label={label} />;
}
