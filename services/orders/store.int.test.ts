import { randomUUID } from 'node:crypto';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { createDatabase, type Database } from '../../platform/mysql.js';
import { pollUntil, startTestStack } from '../../test/harness.js';
import { OrderStore, type NewOrder } from './store.js';

// The order store against a real MariaDB primary (migrated by the stack, no services).
describe('order store', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let db: Database;
  let store: OrderStore;
  let other: Connection;

  beforeAll(async () => {
    stack = await startTestStack({
      replicas: { users: 0, inventory: 0, payments: 0, gateway: 0, orders: 0, analytics: 0 },
    });
    const { mysqlPrimary: primary, mysqlReplica: replica } = stack.state.infra;
    const cfg = { ...stack.state.mysql, database: 'orders', poolSize: 4, primary, replica };
    const logger = createLogger({ component: 'store-test', level: 'silent' });
    db = createDatabase(cfg, { logger }, { multipleStatements: true });
    store = new OrderStore(db, 'orders-test');
    other = await createConnection({ ...stack.state.mysql, ...primary, database: 'orders' });
  });
  afterAll(async () => {
    await other?.end();
    await db?.stop();
    await stack?.stop();
  });

  const newOrder = (orderId: string): NewOrder => ({
    orderId,
    userId: 'user-store',
    idempotencyKey: `key-${orderId}`,
    requestHash: 'hash',
    currency: 'EUR',
    totalMinor: 250,
    paymentToken: 'tok_ok',
    lines: [{ sku: 'kiwi', quantity: 1, unitPriceMinor: 250 }],
  });

  it('re-issues a transaction InnoDB rolled back as a deadlock victim, and commits it once', async () => {
    const orderId = randomUUID();
    // The other transaction is made the heavier one (InnoDB rolls back the lighter), then holds the
    // order line the insert will want.
    await other.query('BEGIN');
    await other.query('INSERT INTO saga_events (order_id, step, detail, instance) VALUES ?', [
      Array.from({ length: 50 }, (_, i) => [`weight-${i}`, 'weight', null, 'test']),
    ]);
    await other.query(
      'INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_minor) VALUES (?, 0, ?, 1, 1)',
      [orderId, 'kiwi'],
    );
    // The insert writes its orders row, then waits for that order line.
    const inserted = store.insert(newOrder(orderId), {
      instance: 'orders-test',
      token: 't',
      leaseMs: 30_000,
    });
    const waiting = await pollUntil(
      async () => {
        const [rows] = await other.query<RowDataPacket[]>(
          "SELECT COUNT(*) AS n FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'",
        );
        return Number(rows[0]!.n);
      },
      (n) => n === 1,
      10_000,
      // InnoDB refreshes its information_schema transaction tables at most every 100 ms, only
      // when they were not read within the last 100 ms: a faster poll reads the same stale copy.
      250,
    );
    expect(waiting).toBe(1);
    // Now the other wants the insert's orders row: a cycle. The insert is the victim; its retry waits
    // for the other's locks until the other rolls back, then commits.
    await other.query('SELECT * FROM orders WHERE order_id = ? FOR UPDATE', [orderId]);
    await other.query('ROLLBACK');
    await expect(inserted).resolves.toBeDefined();

    const [orders] = await other.query<RowDataPacket[]>('SELECT status FROM orders WHERE order_id = ?', [
      orderId,
    ]);
    expect(orders).toEqual([{ status: 'PENDING' }]);
    const [lines] = await other.query<RowDataPacket[]>('SELECT sku FROM order_lines WHERE order_id = ?', [
      orderId,
    ]);
    expect(lines).toEqual([{ sku: 'kiwi' }]);
    const [events] = await other.query<RowDataPacket[]>('SELECT step FROM saga_events WHERE order_id = ?', [
      orderId,
    ]);
    expect(events).toEqual([{ step: 'created' }]);
  });
});
