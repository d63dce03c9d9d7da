import { describe, expect, it } from 'vitest';
import { BehaviourControl, BehaviourError, NORMAL_BEHAVIOUR } from './behaviour.js';
import { seededRandom } from './random.js';

const control = (now = () => 0) => new BehaviourControl(NORMAL_BEHAVIOUR, seededRandom(42), now);
const frequency = (roll: () => boolean, n = 20_000) =>
  Array.from({ length: n }, roll).filter(Boolean).length / n;

describe('BehaviourControl', () => {
  it('merges a patch over the current behaviour and resets to the initial one', () => {
    const b = control();
    b.patch({ declineRate: 0.5 });
    b.patch({ latencyMs: { p99: 100 } });
    expect(b.view()).toMatchObject({ declineRate: 0.5, latencyMs: { p50: 0, p99: 100 } });
    expect(b.reset()).toEqual({ ...NORMAL_BEHAVIOUR, burst: null });
  });

  it('rejects bad changes naming the field and keeps the behaviour', () => {
    const b = control();
    const field = (patch: unknown) => {
      try {
        b.patch(patch);
        return undefined;
      } catch (err) {
        expect(err).toBeInstanceOf(BehaviourError);
        return (err as BehaviourError).field;
      }
    };
    expect(field({ errorRate: 1.5 })).toBe('errorRate');
    expect(field({ timeoutRate: -0.1 })).toBe('timeoutRate');
    expect(field({ latencyMs: { p50: 20 } })).toBe('latencyMs.p99');
    expect(field({ latencyMs: { p50: 'x' } })).toBe('latencyMs.p50');
    expect(field({ burst: { errorRate: 1 } })).toBe('burst.forMs');
    expect(field({ nope: 1 })).toBe('nope');
    expect(field([])).toBe('(body)');
    expect(b.view()).toEqual({ ...NORMAL_BEHAVIOUR, burst: null });
  });

  it('rolls each knob at its rate (seeded, so replayable)', () => {
    const b = control();
    b.patch({ declineRate: 0.3, errorRate: 0.1, errorAfterCommitRate: 0.5, timeoutRate: 0 });
    expect(frequency(() => b.decline())).toBeCloseTo(0.3, 1);
    expect(frequency(() => b.errorBefore())).toBeCloseTo(0.1, 1);
    expect(frequency(() => b.errorAfterCommit())).toBeCloseTo(0.5, 1);
    expect(frequency(() => b.timeout())).toBe(0);
    const again = control();
    again.patch({ declineRate: 0.3 });
    const fresh = control();
    fresh.patch({ declineRate: 0.3 });
    expect(Array.from({ length: 50 }, () => again.decline())).toEqual(
      Array.from({ length: 50 }, () => fresh.decline()),
    );
  });

  it('raises the error rate during a burst only', () => {
    let t = 1_000;
    const b = control(() => t);
    b.patch({ burst: { errorRate: 1, forMs: 500 } });
    expect(b.errorBefore()).toBe(true);
    expect(b.view().burst).toEqual({ errorRate: 1, forMs: 500, remainingMs: 500 });
    t += 499;
    expect(b.errorBefore()).toBe(true);
    t += 1;
    expect(b.errorBefore()).toBe(false);
    expect(b.view().burst).toBeNull();
  });

  it('samples latency with the configured median and 99th percentile', () => {
    const b = control();
    b.patch({ latencyMs: { p50: 20, p99: 100 } });
    const xs = Array.from({ length: 20_000 }, () => b.latencyMs()).sort((x, y) => x - y);
    expect(xs[10_000]!).toBeGreaterThan(18);
    expect(xs[10_000]!).toBeLessThan(22);
    expect(xs[19_800]!).toBeGreaterThan(85);
    expect(xs[19_800]!).toBeLessThan(115);
    b.patch({ latencyMs: { p50: 0, p99: 0 } });
    expect(b.latencyMs()).toBe(0);
  });
});
