/** 1234567 → "1,234,567" (fixed separators, independent of the machine's locale). */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A plain figure with up to `digits` decimals, thousands separated. */
export function fmtNum(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return '–';
  if (Number.isInteger(n)) return fmtInt(n);
  const fixed = Math.abs(n)
    .toFixed(digits)
    .replace(/\.?0+$/, '');
  const [whole = '0', frac] = fixed.split('.');
  return (n < 0 ? '-' : '') + fmtInt(Number(whole)) + (frac ? '.' + frac : '');
}

/** Milliseconds with precision that suits the magnitude: 0.42 ms, 12.3 ms, 250 ms. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0;
  return `${fmtNum(Number(ms.toFixed(digits)), digits)} ms`;
}

/** 0.0123 → "1.23%". */
export function fmtPct(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${fmtNum(Number((ratio * 100).toFixed(2)), 2)}%`;
}

/** 75 → "1m 15s". */
export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${fmtNum(s, 1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest === 0 ? `${m}m` : `${m}m ${rest}s`;
}
