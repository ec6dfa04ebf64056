/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "Nice" axis ticks (steps of 1, 2 or 5 × 10ⁿ) from at or below min to at or above max. */
export function niceTicks(min: number, max: number, target = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  for (let i = first; i <= last; i++) ticks.push(i === 0 ? 0 : Number((i * step).toPrecision(12)));
  return ticks;
}

/** Formats a number for a plot or table: fixed decimals, a real minus sign. */
export function formatNumber(value: number, decimals = 2): string {
  return value
    .toFixed(decimals)
    .replace(/^-(?=\d)/, '−')
    .replace(/^−0(\.0+)?$/, '0$1');
}

/** formatNumber, or '–' where there is no value (no SD from one score, say). */
export function formatValue(value: number | null | undefined, decimals = 2): string {
  return value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : formatNumber(value, decimals);
}

export function linearScale(domain: [number, number], range: [number, number]) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  return (value: number) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}
