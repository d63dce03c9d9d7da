import type { RowDataPacket } from 'mysql2/promise';
import { result, type Checker } from './checker.js';
import type { Violation } from './types.js';

/**
 * No oversell: for every SKU and warehouse, the units promised to orders (held and sold, counted
 * from the reservations themselves, not from the stock counters a lost update could corrupt)
 * never exceed the units that came in (receipts, transfers and adjustments, from the ledger); no
 * stock counter is negative. And from the history: the units of orders the clients saw CONFIRMED
 * never exceed what came in for that SKU.
 */
export const noOversell: Checker = {
  name: 'no-oversell',
  description: 'units held + sold never exceed units received; stock never negative',
  async check(ctx) {
    const [rows] = await ctx.primary.query<RowDataPacket[]>(`
      SELECT s.sku, s.warehouse_id, s.available, s.reserved, s.sold,
             COALESCE(m.came_in, 0) AS came_in,
             COALESCE(l.promised, 0) AS promised
        FROM inventory.stock s
        LEFT JOIN (SELECT sku, warehouse_id, SUM(d_received + d_adjusted) AS came_in
                     FROM inventory.movements GROUP BY sku, warehouse_id) m
               ON m.sku = s.sku AND m.warehouse_id = s.warehouse_id
        LEFT JOIN (SELECT rl.sku, rl.warehouse_id, SUM(rl.quantity) AS promised
                     FROM inventory.reservation_lines rl
                     JOIN inventory.reservations r ON r.order_id = rl.order_id
                    WHERE r.state IN ('HELD', 'COMMITTED')
                    GROUP BY rl.sku, rl.warehouse_id) l
               ON l.sku = s.sku AND l.warehouse_id = s.warehouse_id`);
    const violations: Violation[] = [];
    const cameInBySku = new Map<string, number>();
    for (const r of rows) {
      const subject = `sku ${r.sku} @ ${r.warehouse_id}`;
      const cameIn = Number(r.came_in);
      cameInBySku.set(r.sku, (cameInBySku.get(r.sku) ?? 0) + cameIn);
      if (Number(r.promised) > cameIn) {
        violations.push({
          subject,
          expected: `held + sold ≤ ${cameIn} units received`,
          found: `${r.promised} units held or sold`,
        });
      }
      for (const col of ['available', 'reserved', 'sold'] as const) {
        if (Number(r[col]) < 0)
          violations.push({ subject, expected: `${col} ≥ 0`, found: `${col} = ${r[col]}` });
      }
    }
    let checked = rows.length;
    if (ctx.history) {
      const confirmed = new Map<string, number>();
      for (const op of ctx.history.operations) {
        if (
          op.f !== 'place-order' ||
          op.completion?.type !== 'ok' ||
          op.completion.value.status !== 'CONFIRMED'
        )
          continue;
        for (const line of (op.invoke.value.lines as { sku: string; quantity: number }[] | undefined) ?? []) {
          confirmed.set(line.sku, (confirmed.get(line.sku) ?? 0) + line.quantity);
        }
      }
      for (const [sku, units] of confirmed) {
        checked += 1;
        const cameIn = cameInBySku.get(sku) ?? 0;
        if (units > cameIn) {
          violations.push({
            subject: `sku ${sku}`,
            expected: `confirmed units ≤ ${cameIn} received`,
            found: `${units} units in orders the clients saw confirmed`,
          });
        }
      }
    }
    return result(checked, violations);
  },
};
