import { describe, expect, it } from 'vitest';
import { arrivalSchedule } from './arrivals.js';
import { Executor } from './schema.js';

const times = (s: ReturnType<typeof arrivalSchedule>) =>
  Array.from({ length: s.total }, (_, i) => s.timeOf(i));

describe('arrival schedules (k6 semantics)', () => {
  it('constant-arrival-rate spaces `rate` arrivals per second evenly', () => {
    const s = arrivalSchedule(Executor.parse({ type: 'constant-arrival-rate', rate: 50, duration: '10s' }));
    expect(s.total).toBe(500);
    const t = times(s);
    expect(t[0]).toBe(0);
    expect(t[1]).toBeCloseTo(20, 6);
    expect(t[499]).toBeCloseTo(9_980, 6);
    expect(s.timeOf(500)).toBe(Infinity);
  });

  it('ramping-arrival-rate integrates the linear ramp of each stage', () => {
    // 0 → 100/s over 10 s (500 arrivals), then 100/s for 5 s (500), then 100 → 0 over 10 s (500).
    const s = arrivalSchedule(
      Executor.parse({
        type: 'ramping-arrival-rate',
        startRate: 0,
        stages: [
          { target: 100, duration: '10s' },
          { target: 100, duration: '5s' },
          { target: 0, duration: '10s' },
        ],
      }),
    );
    expect(s.total).toBe(1_500);
    const t = times(s);
    // Half of the first stage's arrivals come in its last ~29% (rate grows linearly).
    expect(t[250]).toBeCloseTo(Math.sqrt(250 / 5) * 1000, 3);
    expect(t.filter((x) => x < 10_000)).toHaveLength(500);
    expect(t.filter((x) => x >= 10_000 && x < 15_000)).toHaveLength(500);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
    expect(t[t.length - 1]!).toBeLessThan(25_000);
  });

  it('refuses the closed model', () => {
    expect(() => arrivalSchedule(Executor.parse({ type: 'constant-vus', vus: 2, duration: '1s' }))).toThrow(
      /closed model/,
    );
  });
});
