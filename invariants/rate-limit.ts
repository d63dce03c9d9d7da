import type { Operation } from '../scenarios/history.js';
import { noHistory, result, type Checker } from './checker.js';
import type { Violation } from './types.js';

/** A limit as the checker needs it: which operations count, by which key, how many per window. */
export interface LimitSpec {
  label: string;
  f: Operation['f'];
  key(op: Operation): string | undefined;
  points: number;
  durationMs: number;
}

/**
 * Limits hold: no key got more requests through than its limit allows. The limiter uses fixed
 * windows that start at a key's first request, so any interval as long as the window overlaps at
 * most two windows: at most 2 × points requests can get through in it. The server saw each
 * request somewhere between its invocation and its completion, so a set of requests is only
 * certainly inside one interval when all of those spans fit in it — that is what is counted.
 * "Through" means definitely admitted: ok, or refused for another reason than RESOURCE_EXHAUSTED;
 * ambiguous (info) requests are not counted. Requests during windows where the limiter's store was
 * down (fail-open limiters) are excluded.
 */
export function checkLimits(
  operations: Operation[],
  limits: LimitSpec[],
  excluded: { from: number; to: number }[] = [],
) {
  const violations: Violation[] = [];
  let checked = 0;
  for (const limit of limits) {
    const byKey = new Map<string, { a: number; b: number }[]>();
    for (const op of operations) {
      const c = op.completion;
      if (op.f !== limit.f || !c) continue;
      const through = c.type === 'ok' || (c.type === 'fail' && c.value.code !== 'RESOURCE_EXHAUSTED');
      if (!through) continue;
      const a = op.invoke.t;
      const b = c.t;
      if (excluded.some((w) => b >= w.from && a <= w.to)) continue;
      const key = limit.key(op);
      if (key === undefined) continue;
      checked += 1;
      const list = byKey.get(key) ?? [];
      list.push({ a, b });
      byKey.set(key, list);
    }
    const cap = 2 * limit.points;
    for (const [key, spans] of byKey) {
      spans.sort((x, y) => x.a - y.a);
      let worst = 0;
      let at = 0;
      for (let i = 0; i < spans.length; i++) {
        const end = spans[i]!.a + limit.durationMs;
        let n = 0;
        for (let j = i; j < spans.length && spans[j]!.a <= end; j++) if (spans[j]!.b <= end) n += 1;
        if (n > worst) {
          worst = n;
          at = spans[i]!.a;
        }
      }
      if (worst > cap) {
        violations.push({
          subject: `${limit.label} ${key}`,
          expected: `≤ ${cap} admitted in any ${limit.durationMs} ms (limit ${limit.points} per window, fixed windows)`,
          found: `${worst} admitted in the ${limit.durationMs} ms from t=${(at / 1000).toFixed(3)} s`,
        });
      }
    }
  }
  return { checked, violations };
}

/** The limits the stack enforces on what the load runner does: PlaceOrder per user. */
function limitsOf(serviceConfig: Record<string, Record<string, unknown>>): LimitSpec[] {
  const orders = serviceConfig.orders as
    { orders?: { rateLimit?: { perUser?: { points: number; durationSeconds: number } | null } } } | undefined;
  const perUser = orders?.orders?.rateLimit?.perUser;
  if (!perUser) return [];
  return [
    {
      label: 'PlaceOrder per user',
      f: 'place-order',
      key: (op) => (typeof op.invoke.value.userId === 'string' ? op.invoke.value.userId : undefined),
      points: perUser.points,
      durationMs: perUser.durationSeconds * 1000,
    },
  ];
}

export const rateLimit: Checker = {
  name: 'rate-limit',
  description: 'no user got more requests through than the rate limit allows',
  async check(ctx) {
    if (!ctx.history) return noHistory();
    const limits = limitsOf(ctx.serviceConfig);
    if (limits.length === 0)
      return { ok: 'unknown', checked: 0, violations: [], notes: ['no PlaceOrder limit configured'] };
    // The PlaceOrder limiter fails open: while Redis was down the limit was knowingly not enforced.
    const excluded = (ctx.faultWindows ?? [])
      .filter((w) => w.kind === 'redis-down')
      .map((w) => ({ from: w.fromSeconds * 1000, to: w.toSeconds * 1000 + 1_000 }));
    const { checked, violations } = checkLimits(ctx.history.operations, limits, excluded);
    return result(
      checked,
      violations,
      excluded.length > 0
        ? [`${excluded.length} Redis-down windows excluded (fail-open limiter)`]
        : undefined,
    );
  },
};
