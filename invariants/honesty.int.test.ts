import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../cli/experiment.js';
import { createLogger } from '../platform/logger.js';
import { createClient } from '../platform/grpc/client.js';
import { InventoryServiceService } from '../proto/gen/ecom/inventory/v1/inventory.js';
import { parseScenario } from '../scenarios/load.js';
import type { RunReport } from '../scenarios/report.js';
import { signaturePayload, SIGNATURE_HEADER } from '../services/gateway/signature.js';
import { startTestStack } from '../test/harness.js';
import { runCheckers, type Checker } from './checker.js';
import { checkContextFor } from './context.js';
import { conservation } from './conservation.js';
import { convergence } from './convergence.js';
import { exactlyOncePayment } from './exactly-once-payment.js';
import { CHECKERS } from './index.js';
import { noLostAck } from './no-lost-ack.js';
import { noOversell } from './no-oversell.js';
import { rateLimit } from './rate-limit.js';

/**
 * Checkers that can fail: for each invariant, inject exactly the violation it targets into a real
 * stack and assert the checker reports it (and that it passes before the injection).
 */
const logger = createLogger({ component: 'test', level: 'silent' });

const scenario = parseScenario(
  {
    name: 'honesty',
    catalogue: { skus: 2, warehouses: 2, stockPerSku: 30 },
    users: { count: 20 },
    popularity: { kind: 'uniform' },
    payments: { decline: 0.2 },
    mix: { 'place-order': 1 },
    executor: { type: 'constant-arrival-rate', rate: 20, duration: '3s' },
  },
  'honesty',
);

describe('every checker catches the violation it targets (default lock strategy)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let report: RunReport;
  let db: Pool;

  const check = async (checker: Checker) => {
    const ctx = await checkContextFor(await stack.control.state(), report.historyFile);
    try {
      return (await runCheckers([checker], ctx)).invariants[0]!;
    } finally {
      await ctx.primary.end();
    }
  };

  beforeAll(async () => {
    stack = await startTestStack({ replicas: { analytics: 0 } });
    report = await runExperiment({ state: stack.state, scenario, seed: 1, verify: true, logger });
    db = createPool({ ...stack.state.infra.mysqlPrimary, ...stack.state.mysql, connectionLimit: 2 });
  });
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  it('passes every invariant on an honest run', () => {
    expect(report.orders.confirmed).toBeGreaterThan(0);
    expect(report.invariants?.invariants.map((i) => [i.name, i.ok])).toEqual(
      CHECKERS.map((c) => [c.name, true]),
    );
  });

  it('conservation: a stock counter changed behind the ledger’s back', async () => {
    const [[row]] = await db.query<RowDataPacket[]>('SELECT sku, warehouse_id FROM inventory.stock LIMIT 1');
    await db.query(
      // Units that appear without a receipt in the ledger (the row's own identity, a CHECK, still holds).
      'UPDATE inventory.stock SET available = available + 5, received = received + 5 WHERE sku = ? AND warehouse_id = ?',
      [row!.sku, row!.warehouse_id],
    );
    try {
      const r = await check(conservation);
      expect(r.ok).toBe(false);
      expect(
        r.violations.some(
          (v) => v.subject === `sku ${row!.sku} @ ${row!.warehouse_id}` && /available/.test(v.expected),
        ),
      ).toBe(true);
    } finally {
      await db.query(
        'UPDATE inventory.stock SET available = available - 5, received = received - 5 WHERE sku = ? AND warehouse_id = ?',
        [row!.sku, row!.warehouse_id],
      );
    }
    expect((await check(conservation)).ok).toBe(true);
  });

  it('exactly-once-payment: a second capture at the gateway for a confirmed order', async () => {
    const [[order]] = await db.query<RowDataPacket[]>(
      "SELECT order_id, total_minor, currency FROM orders.orders WHERE status = 'CONFIRMED' LIMIT 1",
    );
    const gateway = stack.state.components.find((c) => c.service === 'gateway')!;
    const secret = (
      JSON.parse(readFileSync(join(stack.dir, 'config', 'gateway-1.json'), 'utf8')) as {
        gateway: { signingSecret: string };
      }
    ).gateway.signingSecret;
    const body = JSON.stringify({
      amount_minor: Number(order!.total_minor),
      currency: order!.currency,
      payment_token: 'tok_ok',
      capture: true,
      metadata: { order_id: order!.order_id },
    });
    const key = `forced-${randomUUID()}`;
    const t = Date.now();
    const sig = createHmac('sha256', secret)
      .update(signaturePayload({ t, method: 'POST', path: '/v1/charges', idempotencyKey: key, body }))
      .digest('hex');
    const res = await fetch(`${gateway.metrics!.replace(/\/metrics$/, '')}/v1/charges`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        [SIGNATURE_HEADER]: `t=${t},v1=${sig}`,
      },
      body,
    });
    expect(res.status).toBe(200);
    const r = await check(exactlyOncePayment);
    expect(r.ok).toBe(false);
    expect(r.violations).toContainEqual(
      expect.objectContaining({
        subject: `order ${order!.order_id} (CONFIRMED)`,
        found: expect.stringMatching(/^2 captured charges/),
      }),
    );
  });

  it('no-lost-ack: an acknowledged order deleted behind the system’s back', async () => {
    const confirmed = (await check(noLostAck)).checked;
    expect(confirmed).toBeGreaterThan(0);
    const [[order]] = await db.query<RowDataPacket[]>(
      "SELECT order_id FROM orders.orders WHERE status = 'CONFIRMED' ORDER BY created_at DESC LIMIT 1",
    );
    await db.query('DELETE FROM orders.orders WHERE order_id = ?', [order!.order_id]);
    const r = await check(noLostAck);
    expect(r.ok).toBe(false);
    expect(r.violations).toContainEqual(
      expect.objectContaining({
        found: 'no such order',
        subject: expect.stringContaining(String(order!.order_id)),
      }),
    );
  });

  it('convergence: a reservation left held past its expiry', async () => {
    const inventory = stack.state.components.find((c) => c.service === 'inventory')!;
    const client = createClient(InventoryServiceService, {
      name: 'inventory',
      addresses: [inventory.endpoint],
      defaultDeadlineMs: 10_000,
    });
    const [[stock]] = await db.query<RowDataPacket[]>(
      'SELECT sku FROM inventory.stock WHERE available > 0 LIMIT 1',
    );
    const orderId = `stuck-${randomUUID()}`;
    await client.reserve({ orderId, lines: [{ sku: String(stock!.sku), quantity: 1 }], ttlSeconds: 3600 });
    client.close();
    // No instance left to sweep it, then its expiry moved into the past.
    await stack.control.stop(inventory.name);
    try {
      await db.query(
        'UPDATE inventory.reservations SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1 HOUR WHERE order_id = ?',
        [orderId],
      );
      const r = await check(convergence);
      expect(r.ok).toBe(false);
      expect(r.violations).toContainEqual(
        expect.objectContaining({
          subject: `reservation of order ${orderId}`,
          expected: 'released once expired',
        }),
      );
    } finally {
      await stack.control.start(inventory.name);
    }
  });

  it('rate-limit: more requests admitted than the limit allows', async () => {
    const ctx = await checkContextFor(await stack.control.state(), report.historyFile);
    try {
      const honest = (await runCheckers([rateLimit], ctx)).invariants[0]!;
      expect(honest.ok).toBe(true);
      expect(honest.checked).toBeGreaterThan(0);
      // The same history judged against a limit of 1 order per user per minute: this run broke it.
      const strict = { orders: { orders: { rateLimit: { perUser: { points: 1, durationSeconds: 60 } } } } };
      const r = (await runCheckers([rateLimit], { ...ctx, serviceConfig: strict })).invariants[0]!;
      expect(r.ok).toBe(false);
      expect(r.violations[0]?.subject).toMatch(/^PlaceOrder per user /);
    } finally {
      await ctx.primary.end();
    }
  });
});

describe('no-oversell catches the deliberately unsafe lock strategy', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports the oversell `--lock-strategy none` causes under contention', async () => {
    stack = await startTestStack({
      lockStrategy: 'none',
      replicas: { inventory: 3, orders: 0, payments: 0, gateway: 0, users: 0, analytics: 0 },
      serviceOverrides: { inventory: { inventory: { batching: { enabled: false } } } },
    });
    const addresses = stack.state.components.filter((c) => c.service === 'inventory').map((c) => c.endpoint);
    const client = createClient(InventoryServiceService, {
      name: 'inventory',
      addresses,
      defaultDeadlineMs: 20_000,
    });
    await client.upsertWarehouses({ warehouses: [{ warehouseId: 'wh-01', name: 'one' }] });
    await client.upsertSkus({
      skus: [{ sku: 'hot', name: 'hot', unitPrice: { amountMinor: 100, currency: 'EUR' } }],
    });
    await client.restock({ sku: 'hot', warehouseId: 'wh-01', quantity: 20, idempotencyKey: 'r1' });
    await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) =>
        client.reserve({ orderId: `o-${i}`, lines: [{ sku: 'hot', quantity: 1 }], ttlSeconds: 3600 }),
      ),
    );
    client.close();
    const ctx = await checkContextFor(stack.state);
    try {
      const r = (await runCheckers([noOversell], ctx)).invariants[0]!;
      expect(r.ok).toBe(false);
      expect(r.violations[0]).toMatchObject({
        subject: 'sku hot @ wh-01',
        expected: 'held + sold ≤ 20 units received',
      });
    } finally {
      await ctx.primary.end();
    }
  });
});
