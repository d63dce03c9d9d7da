import { describe, expect, it } from 'vitest';
import { holds, parseThreshold } from './thresholds.js';

describe('thresholds', () => {
  it('parses latency, rate and count thresholds', () => {
    expect(parseThreshold('p99<200ms')).toMatchObject({
      metric: 'percentile',
      percentile: 99,
      comparator: '<',
      value: 200,
    });
    expect(parseThreshold('place-order.p95<=0.3s')).toMatchObject({
      op: 'place-order',
      percentile: 95,
      comparator: '<=',
      value: 300,
    });
    expect(parseThreshold('errors<1%')).toMatchObject({ metric: 'errors', value: 0.01 });
    expect(parseThreshold('confirmed>0')).toMatchObject({ metric: 'confirmed', comparator: '>', value: 0 });
    expect(parseThreshold('p99.9 < 1s')).toMatchObject({ percentile: 99.9, value: 1000 });
  });

  it('explains what is wrong with a bad threshold', () => {
    expect(() => parseThreshold('p99 under 200')).toThrow(/not of the form/);
    expect(() => parseThreshold('checkout.p99<200ms')).toThrow(/unknown operation "checkout"/);
    expect(() => parseThreshold('errors<1')).toThrow(/write it with %/);
    expect(() => parseThreshold('p99<5%')).toThrow(/ms or s, not %/);
    expect(() => parseThreshold('confirmed>5ms')).toThrow(/plain number/);
  });

  it('compares', () => {
    const t = parseThreshold('p99<200ms');
    expect(holds(t, 199.9)).toBe(true);
    expect(holds(t, 200)).toBe(false);
    expect(holds(parseThreshold('confirmed>=10'), 10)).toBe(true);
  });
});
