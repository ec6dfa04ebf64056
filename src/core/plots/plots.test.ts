import { describe, expect, it } from 'vitest';
import { metaAnalysis } from '../stats/meta.ts';
import { forestPlotSvg } from './forest.ts';
import { funnelPlotSvg } from './funnel.ts';

const studies = [
  { study: 'Smith & Jones <2019>', yi: -1.2, vi: 0.09 },
  { study: 'Lee 2020', yi: -0.4, vi: 0.04 },
  { study: 'Park 2021', yi: 0.1, vi: 0.16 },
];

/** Every piece of text between tags is free of raw markup characters. */
function textIsEscaped(svg: string): boolean {
  return [...svg.matchAll(/>([^<]*)</g)].every(([, text]) => !/[<>]|&(?!#\d+;)/.test(text ?? ''));
}

describe('forest and funnel plots', () => {
  const result = metaAnalysis(studies, { method: 'DL' });

  it('draws a row per study with its CI and weight, the pooled diamond and the prediction interval', () => {
    const svg = forestPlotSvg(studies, result, { favours: ['favours MSC', 'favours control'] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Smith &#38; Jones &#60;2019&#62;');
    expect(svg.match(/<rect x=/g)).toHaveLength(3);
    expect(svg).toContain('<polygon');
    expect(svg).toContain('Prediction interval');
    for (const w of result.weights) expect(svg).toContain(`${w.toFixed(1)}%`);
    expect(svg).toContain('← favours MSC');
    expect(textIsEscaped(svg)).toBe(true);
  });

  it('omits the prediction interval for a common-effect model', () => {
    const fe = metaAnalysis(studies, { method: 'FE' });
    const svg = forestPlotSvg(studies, fe);
    expect(svg).toContain('Common effect');
    expect(svg).not.toContain('Prediction interval');
  });

  it('places one point per study in the funnel, each with a tooltip', () => {
    const svg = funnelPlotSvg(studies, result);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('<title>Lee 2020: −0.40 (SE 0.200)</title>');
    expect(textIsEscaped(svg)).toBe(true);
  });
});
