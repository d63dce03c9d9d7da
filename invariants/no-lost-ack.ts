import type { RowDataPacket } from 'mysql2/promise';
import { noHistory, result, type Checker } from './checker.js';
import type { Violation } from './types.js';

/**
 * No lost acknowledgements: every order a client saw CONFIRMED exists and is still CONFIRMED —
 * or CANCELLED, when the history shows a cancel of it that succeeded (or whose outcome is unknown).
 * Without a history there is nothing to judge: the result is unknown, never a pass.
 */
export const noLostAck: Checker = {
  name: 'no-lost-ack',
  description: 'every order the client saw confirmed exists, confirmed',
  async check(ctx) {
    if (!ctx.history) return noHistory();
    const acked = new Map<string, number>();
    const cancels = new Map<string, 'ok' | 'maybe'>();
    for (const op of ctx.history.operations) {
      const c = op.completion;
      if (op.f === 'place-order' && c?.type === 'ok' && c.value.status === 'CONFIRMED')
        acked.set(String(c.value.orderId), op.id);
      if (op.f === 'cancel-order' && c && c.type !== 'fail') {
        const id = String(op.invoke.value.orderId);
        if (c.type === 'ok' || !cancels.has(id)) cancels.set(id, c.type === 'ok' ? 'ok' : 'maybe');
      }
    }
    const violations: Violation[] = [];
    const ids = [...acked.keys()];
    const status = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 1_000) {
      const [rows] = await ctx.primary.query<RowDataPacket[]>(
        'SELECT order_id, status FROM orders.orders WHERE order_id IN (?)',
        [ids.slice(i, i + 1_000)],
      );
      for (const r of rows) status.set(String(r.order_id), String(r.status));
    }
    for (const [id, opId] of acked) {
      const found = status.get(id);
      const cancel = cancels.get(id);
      const allowed =
        cancel === 'ok' ? ['CANCELLED'] : cancel === 'maybe' ? ['CONFIRMED', 'CANCELLED'] : ['CONFIRMED'];
      if (!found || !allowed.includes(found)) {
        violations.push({
          subject: `order ${id} (history op ${opId})`,
          expected: allowed.join(' or '),
          found: found ?? 'no such order',
        });
      }
    }
    return result(acked.size, violations);
  },
};
