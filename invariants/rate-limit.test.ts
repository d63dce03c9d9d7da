import { describe, expect, it } from 'vitest';
import type { Operation } from '../scenarios/history.js';
import { checkLimits, type LimitSpec } from './rate-limit.js';

let id = 0;
function op(userId: string, t: number, type: 'ok' | 'fail' | 'info' = 'ok', code?: string): Operation {
  id += 1;
  return {
    id,
    process: id,
    f: 'place-order',
    invoke: { type: 'invoke', id, process: id, f: 'place-order', t, intended: t, value: { userId } },
    completion: {
      type,
      id,
      process: id,
      f: 'place-order',
      t: t + 5,
      latencyMs: 5,
      value: code ? { code } : { status: 'CONFIRMED' },
    },
  };
}

const limit: LimitSpec = {
  label: 'PlaceOrder per user',
  f: 'place-order',
  key: (o) => String(o.invoke.value.userId),
  points: 5,
  durationMs: 1_000,
};

describe('rate-limit checker', () => {
  it('passes a history that respects the limit (10 admitted in any second at most = 2 windows)', () => {
    const ops = [
      ...Array.from({ length: 5 }, (_, i) => op('u1', 900 + i * 10)),
      ...Array.from({ length: 5 }, (_, i) => op('u1', 1_100 + i * 10)),
    ];
    expect(checkLimits(ops, [limit]).violations).toEqual([]);
  });

  it('catches a user who got more through than two windows allow', () => {
    const ops = Array.from({ length: 11 }, (_, i) => op('u2', 100 + i * 20));
    const { violations } = checkLimits(ops, [limit]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      subject: 'PlaceOrder per user u2',
      found: expect.stringMatching(/^11 admitted/),
    });
  });

  it('does not count rate-limited or ambiguous requests, nor requests in excluded windows', () => {
    const ops = [
      ...Array.from({ length: 10 }, (_, i) => op('u3', 100 + i)),
      ...Array.from({ length: 20 }, (_, i) => op('u3', 200 + i, 'fail', 'RESOURCE_EXHAUSTED')),
      ...Array.from({ length: 20 }, (_, i) => op('u3', 300 + i, 'info', 'DEADLINE_EXCEEDED')),
    ];
    expect(checkLimits(ops, [limit]).violations).toEqual([]);
    const flood = Array.from({ length: 30 }, (_, i) => op('u4', 5_000 + i));
    expect(checkLimits(flood, [limit], [{ from: 4_000, to: 6_000 }]).violations).toEqual([]);
    expect(checkLimits(flood, [limit]).violations).toHaveLength(1);
  });
});
