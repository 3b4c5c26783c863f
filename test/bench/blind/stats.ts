/** Mean and worst decile over seeds: the decile is the 10th percentile of a higher-is-better figure. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The value a tenth of the runs are worse than (nearest rank); `higherIsBetter` picks the tail. */
export function worstDecile(xs: readonly number[], higherIsBetter: boolean): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => (higherIsBetter ? a - b : b - a));
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.1) - 1)] as number;
}

export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : '–';
}
