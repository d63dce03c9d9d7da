import { z } from 'zod';

/** A duration such as "500ms", "10s", "2m" (k6's notation), parsed to milliseconds. */
export const Duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return v;
    ctx.addIssue({ code: 'custom', message: 'a duration in ms must be a non-negative number' });
    return z.NEVER;
  }
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration like 500ms, 10s, 2m or 1h` });
    return z.NEVER;
  }
  return ms;
});

/** "1.5s" → 1500; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) return null;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/** 1500 → "1.5s", 120000 → "2m" (k6 notation, for exports and summaries). */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
