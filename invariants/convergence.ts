import type { RowDataPacket } from 'mysql2/promise';
import { result, type Checker } from './checker.js';
import type { Violation } from './types.js';

/** Slack for clocks and the expiry sweeper's interval before a held reservation counts as stuck. */
const EXPIRY_GRACE_MS = 10_000;

/**
 * Convergence, after load and faults stopped: every order is terminal, every payment settled, no
 * reservation is held past its expiry, and each terminal order's reservation agrees with it
 * (CONFIRMED → committed; REJECTED or CANCELLED → not held).
 */
export const convergence: Checker = {
  name: 'convergence',
  description: 'every order terminal, every payment settled, no reservation held past its expiry',
  async check(ctx) {
    const now = ctx.now().getTime();
    const violations: Violation[] = [];
    const [orders] = await ctx.primary.query<RowDataPacket[]>(
      'SELECT order_id, status, saga_step, created_at FROM orders.orders',
    );
    const orderStatus = new Map<string, string>();
    for (const o of orders) {
      orderStatus.set(String(o.order_id), String(o.status));
      if (o.status === 'PENDING') {
        const age = Math.round((now - new Date(o.created_at as Date).getTime()) / 1000);
        violations.push({
          subject: `order ${o.order_id}`,
          expected: 'a terminal status',
          found: `PENDING at step ${o.saga_step} for ${age} s`,
        });
      }
    }
    const [payments] = await ctx.primary.query<RowDataPacket[]>(
      "SELECT payment_id, order_id FROM payments.payments WHERE status = 'PENDING'",
    );
    for (const p of payments)
      violations.push({
        subject: `payment ${p.payment_id} (order ${p.order_id})`,
        expected: 'settled',
        found: 'PENDING',
      });
    const [refunds] = await ctx.primary.query<RowDataPacket[]>(
      "SELECT refund_id, payment_id FROM payments.refunds WHERE status = 'PENDING'",
    );
    for (const r of refunds)
      violations.push({
        subject: `refund ${r.refund_id} (payment ${r.payment_id})`,
        expected: 'settled',
        found: 'PENDING',
      });
    const [reservations] = await ctx.primary.query<RowDataPacket[]>(
      'SELECT order_id, state, expires_at FROM inventory.reservations',
    );
    for (const r of reservations) {
      const subject = `reservation of order ${r.order_id}`;
      if (r.state === 'HELD' && new Date(r.expires_at as Date).getTime() < now - EXPIRY_GRACE_MS) {
        violations.push({
          subject,
          expected: 'released once expired',
          found: `HELD, expired at ${new Date(r.expires_at as Date).toISOString()}`,
        });
      }
      const o = orderStatus.get(String(r.order_id));
      if (o === 'CONFIRMED' && r.state !== 'COMMITTED')
        violations.push({ subject, expected: 'COMMITTED (order CONFIRMED)', found: String(r.state) });
      if ((o === 'REJECTED' || o === 'CANCELLED') && r.state === 'HELD')
        violations.push({ subject, expected: `not HELD (order ${o})`, found: 'HELD' });
    }
    return result(orders.length + payments.length + refunds.length + reservations.length, violations);
  },
};
