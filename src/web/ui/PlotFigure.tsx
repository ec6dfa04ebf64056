import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'react';

/**
 * An Observable Plot chart. Plot adds a <style> element to each chart; our CSP allows
 * stylesheets from 'self' only, so it is removed before the chart enters the page and the
 * same rules live in styles.css (`.chart`).
 */
export function PlotFigure({ options, label }: { options: Plot.PlotOptions; label: string }) {
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    const container = box.current;
    if (!container) return;
    const width = Math.max(300, Math.min(container.clientWidth || 640, 900));
    const chart = Plot.plot({ width, ...options, className: 'chart', ariaLabel: label });
    for (const style of chart.querySelectorAll('style')) style.remove();
    // Plot names its inner groups after their marks ("dot", "rule"); on a <g> without a role
    // ARIA forbids a label, and the figure's own label is what a screen reader needs.
    for (const g of chart.querySelectorAll('g[aria-label]')) g.removeAttribute('aria-label');
    container.replaceChildren(chart);
    return () => chart.remove();
  }, [options, label]);
  return <figure ref={box} className="chart-box" aria-label={label} />;
}
