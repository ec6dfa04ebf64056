/** A number for people: fixed decimals and a real minus sign. */
export function formatValue(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toFixed(decimals).replace(/^-/, '−');
}

export function formatInterval(lower: number | null, upper: number | null, decimals = 2): string {
  if (lower === null || upper === null) return 'no interval';
  return `95% CI ${formatValue(lower, decimals)} to ${formatValue(upper, decimals)}`;
}
