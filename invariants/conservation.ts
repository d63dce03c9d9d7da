import type { RowDataPacket } from 'mysql2/promise';
import { result, type Checker } from './checker.js';
import type { Violation } from './types.js';

const COLUMNS = ['available', 'reserved', 'sold', 'received', 'adjusted'] as const;

/**
 * Conservation, audited from the movement ledger: for every SKU and warehouse, each stock counter
 * equals the sum of its ledger deltas; received + adjusted = available + reserved + sold; and the
 * reserved and sold counters equal the units of HELD and COMMITTED reservations.
 */
export const conservation: Checker = {
  name: 'conservation',
  description: 'received = available + reserved + sold (+ adjusted), and every counter equals its ledger sum',
  async check(ctx) {
    const [rows] = await ctx.primary.query<RowDataPacket[]>(`
      SELECT s.sku, s.warehouse_id, s.available, s.reserved, s.sold, s.received, s.adjusted,
             COALESCE(m.available, 0) AS l_available, COALESCE(m.reserved, 0) AS l_reserved,
             COALESCE(m.sold, 0) AS l_sold, COALESCE(m.received, 0) AS l_received,
             COALESCE(m.adjusted, 0) AS l_adjusted,
             COALESCE(h.held, 0) AS r_held, COALESCE(h.committed, 0) AS r_committed
        FROM inventory.stock s
        LEFT JOIN (SELECT sku, warehouse_id, SUM(d_available) AS available, SUM(d_reserved) AS reserved,
                          SUM(d_sold) AS sold, SUM(d_received) AS received, SUM(d_adjusted) AS adjusted
                     FROM inventory.movements GROUP BY sku, warehouse_id) m
               ON m.sku = s.sku AND m.warehouse_id = s.warehouse_id
        LEFT JOIN (SELECT rl.sku, rl.warehouse_id,
                          SUM(CASE WHEN r.state = 'HELD' THEN rl.quantity ELSE 0 END) AS held,
                          SUM(CASE WHEN r.state = 'COMMITTED' THEN rl.quantity ELSE 0 END) AS committed
                     FROM inventory.reservation_lines rl
                     JOIN inventory.reservations r ON r.order_id = rl.order_id
                    GROUP BY rl.sku, rl.warehouse_id) h
               ON h.sku = s.sku AND h.warehouse_id = s.warehouse_id`);
    const violations: Violation[] = [];
    for (const r of rows) {
      const subject = `sku ${r.sku} @ ${r.warehouse_id}`;
      for (const c of COLUMNS) {
        if (Number(r[c]) !== Number(r[`l_${c}`])) {
          violations.push({ subject, expected: `${c} = ledger sum ${r[`l_${c}`]}`, found: `${c} = ${r[c]}` });
        }
      }
      const left = Number(r.received) + Number(r.adjusted);
      const right = Number(r.available) + Number(r.reserved) + Number(r.sold);
      if (left !== right) {
        violations.push({
          subject,
          expected: `received + adjusted (${left}) = available + reserved + sold`,
          found: `${right}`,
        });
      }
      if (Number(r.reserved) !== Number(r.r_held)) {
        violations.push({
          subject,
          expected: `reserved = ${r.r_held} units in HELD reservations`,
          found: `reserved = ${r.reserved}`,
        });
      }
      if (Number(r.sold) !== Number(r.r_committed)) {
        violations.push({
          subject,
          expected: `sold = ${r.r_committed} units in COMMITTED reservations`,
          found: `sold = ${r.sold}`,
        });
      }
    }
    const [orphans] = await ctx.primary.query<RowDataPacket[]>(`
      SELECT m.sku, m.warehouse_id, COUNT(*) AS n FROM inventory.movements m
        LEFT JOIN inventory.stock s ON s.sku = m.sku AND s.warehouse_id = m.warehouse_id
       WHERE s.sku IS NULL GROUP BY m.sku, m.warehouse_id`);
    for (const o of orphans) {
      violations.push({
        subject: `sku ${o.sku} @ ${o.warehouse_id}`,
        expected: 'a stock row for every ledger entry',
        found: `${o.n} movements and no stock row`,
      });
    }
    return result(rows.length, violations);
  },
};
