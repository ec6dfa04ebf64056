import { formatValue } from '../../core/plots/svg.ts';

export { formatValue };

export function formatInterval(lower: number | null, upper: number | null, decimals = 2): string {
  if (lower === null || upper === null) return 'no interval';
  return `95% CI ${formatValue(lower, decimals)} to ${formatValue(upper, decimals)}`;
}
