import type { RowDataPacket } from 'mysql2/promise';
import { result, type Checker } from './checker.js';
import type { Violation } from './types.js';

interface Money {
  captures: number;
  kept: number;
  charges: string[];
}

/**
 * Exactly-once money, judged from the gateway's ledger (the ground truth of money moved):
 * every CONFIRMED order has exactly one captured charge and keeps exactly its total; every
 * REJECTED or CANCELLED order keeps nothing (what was charged was refunded); no money is kept for
 * an order that does not exist. PENDING orders are left to the convergence checker.
 */
export const exactlyOncePayment: Checker = {
  name: 'exactly-once-payment',
  description: 'one capture per confirmed order, refunds for the rest, no capture without an order',
  async check(ctx) {
    const [orders] = await ctx.primary.query<RowDataPacket[]>(
      'SELECT order_id, status, total_minor, currency FROM orders.orders',
    );
    const [charges] = await ctx.primary.query<RowDataPacket[]>(
      "SELECT charge_id, order_id, status, captured_minor, refunded_minor FROM gateway.charges WHERE status = 'captured'",
    );
    const money = new Map<string, Money>();
    for (const c of charges) {
      const key = String(c.order_id ?? '');
      const m = money.get(key) ?? { captures: 0, kept: 0, charges: [] };
      m.captures += 1;
      m.kept += Number(c.captured_minor) - Number(c.refunded_minor);
      m.charges.push(String(c.charge_id));
      money.set(key, m);
    }
    const violations: Violation[] = [];
    const known = new Set<string>();
    let pending = 0;
    for (const o of orders) {
      const id = String(o.order_id);
      known.add(id);
      const m = money.get(id) ?? { captures: 0, kept: 0, charges: [] };
      const subject = `order ${id} (${o.status})`;
      const total = Number(o.total_minor);
      if (o.status === 'CONFIRMED') {
        if (m.captures !== 1) {
          violations.push({
            subject,
            expected: 'exactly one captured charge',
            found: `${m.captures} captured charges [${m.charges.join(', ')}]`,
          });
        } else if (m.kept !== total) {
          violations.push({ subject, expected: `${total} ${o.currency} kept`, found: `${m.kept} kept` });
        }
      } else if (o.status === 'REJECTED' || o.status === 'CANCELLED') {
        if (m.kept !== 0)
          violations.push({
            subject,
            expected: 'nothing kept (refunded in full)',
            found: `${m.kept} kept by ${m.charges.join(', ')}`,
          });
      } else pending += 1;
    }
    for (const [orderId, m] of money) {
      if (!known.has(orderId) && m.kept !== 0) {
        violations.push({
          subject: `charge ${m.charges.join(', ')}`,
          expected: 'money kept only for an existing order',
          found: `${m.kept} kept for unknown order "${orderId}"`,
        });
      }
    }
    return result(
      orders.length,
      violations,
      pending > 0 ? [`${pending} orders still PENDING: judged by convergence`] : undefined,
    );
  },
};
