import { OPERATIONS, type OpName } from './schema.js';

/**
 * A threshold such as "p99<200ms", "place-order.p95<=300ms", "errors<1%", "dropped<1%",
 * "confirmed>0" or "throughput>=100". Latency metrics take ms or s; rates take %; counts and
 * per-second figures are plain numbers.
 */
export interface Threshold {
  expr: string;
  /** Restricts the metric to one operation; undefined = every operation. */
  op?: OpName;
  metric: ThresholdMetric;
  /** For percentiles: 50, 90, 95, 99, 99.9. */
  percentile?: number;
  comparator: '<' | '<=' | '>' | '>=';
  /** In ms for latencies, 0..1 for rates, plain for counts and per-second figures. */
  value: number;
}

export type ThresholdMetric =
  'percentile' | 'max' | 'mean' | 'errors' | 'dropped' | 'confirmed' | 'throughput';

const RE =
  /^\s*(?:([a-z-]+)\.)?(p\d+(?:\.\d+)?|max|mean|errors|dropped|confirmed|throughput)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

/** Parses a threshold; throws an Error whose message says what is wrong with it. */
export function parseThreshold(expr: string): Threshold {
  const m = RE.exec(expr);
  if (!m) {
    throw new Error(
      `threshold "${expr}" is not of the form [operation.]metric<value, e.g. p99<200ms, place-order.p95<300ms, errors<1%, confirmed>0`,
    );
  }
  const [, opText, metricText = '', comparator, numText = '0', unit] = m;
  if (opText !== undefined && !(OPERATIONS as readonly string[]).includes(opText)) {
    throw new Error(`threshold "${expr}": unknown operation "${opText}" (one of ${OPERATIONS.join(', ')})`);
  }
  const n = Number(numText);
  const base = { expr, op: opText as OpName | undefined, comparator: comparator as Threshold['comparator'] };
  if (metricText.startsWith('p') || metricText === 'max' || metricText === 'mean') {
    if (unit === '%') throw new Error(`threshold "${expr}": a latency takes ms or s, not %`);
    const value = unit === 's' ? n * 1000 : n;
    if (metricText.startsWith('p')) {
      const percentile = Number(metricText.slice(1));
      if (!(percentile > 0 && percentile <= 100))
        throw new Error(`threshold "${expr}": percentile must be in (0, 100]`);
      return { ...base, metric: 'percentile', percentile, value };
    }
    return { ...base, metric: metricText as 'max' | 'mean', value };
  }
  if (metricText === 'errors' || metricText === 'dropped') {
    if (unit !== '%')
      throw new Error(`threshold "${expr}": ${metricText} is a rate: write it with %, e.g. ${metricText}<1%`);
    return { ...base, metric: metricText, value: n / 100 };
  }
  if (unit) throw new Error(`threshold "${expr}": ${metricText} is a plain number (no unit)`);
  return { ...base, metric: metricText as 'confirmed' | 'throughput', value: n };
}

/** Compares an observed value with a threshold. */
export function holds(t: Threshold, actual: number): boolean {
  switch (t.comparator) {
    case '<':
      return actual < t.value;
    case '<=':
      return actual <= t.value;
    case '>':
      return actual > t.value;
    case '>=':
      return actual >= t.value;
  }
}
