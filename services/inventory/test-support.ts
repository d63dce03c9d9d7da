import fs from 'node:fs';
import path from 'node:path';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryServiceService, ReserveOutcome } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { createClient } from '../../platform/grpc/client.js';
import { startTestStack } from '../../test/harness.js';
import type { StartedStack } from '../../stack/start.js';
import type { InventoryClient } from './client.js';
import type { LockStrategy } from './config.js';

export type { InventoryClient };

/** A test stack with only the inventory service, plus clients and a primary pool (tests only). */
export interface InventoryStack {
  stack: StartedStack & { dir: string };
  /** Round-robin over every instance. */
  client: InventoryClient;
  /** One client per instance, in instance order. */
  instances: InventoryClient[];
  names: string[];
  /** The inventory database on the primary (for audits). */
  db: Pool;
  /** The last lines of an instance's log (for failure messages). */
  log(name: string, lines?: number): string;
  stop(): Promise<void>;
}

/** Starts MariaDB, Redis, ZooKeeper and `instances` inventory processes with the given config. */
export async function startInventoryStack(opts: {
  instances: number;
  lockStrategy?: LockStrategy;
  inventory?: Record<string, unknown>;
  zookeeper?: Record<string, unknown>;
}): Promise<InventoryStack> {
  const stack = await startTestStack({
    replicas: { users: 0, payments: 0, gateway: 0, orders: 0, analytics: 0, inventory: opts.instances },
    lockStrategy: opts.lockStrategy ?? 'zk+db',
    serviceOverrides: {
      inventory: {
        inventory: opts.inventory ?? {},
        ...(opts.zookeeper ? { zookeeper: opts.zookeeper } : {}),
      },
    },
  });
  const comps = stack.state.components.filter((c) => c.service === 'inventory');
  const mk = (addresses: string[]) =>
    createClient(InventoryServiceService, { name: 'inventory', addresses, defaultDeadlineMs: 20_000 });
  const { host, port } = stack.state.infra.mysqlPrimary;
  const db = createPool({ host, port, ...stack.state.mysql, database: 'inventory', connectionLimit: 4 });
  const client = mk(comps.map((c) => c.endpoint));
  const instances = comps.map((c) => mk([c.endpoint]));
  return {
    stack,
    client,
    instances,
    names: comps.map((c) => c.name),
    db,
    log: (name, lines = 40) => {
      const file = path.join(stack.dir, 'logs', `${name}.log`);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
    },
    async stop() {
      for (const c of [client, ...instances]) c.close();
      await db.end().catch(() => undefined);
      await stack.stop();
    },
  };
}

/** Creates warehouses and SKUs, and receives `stock[sku][warehouse]` units. */
export async function setupCatalog(
  client: InventoryClient,
  stock: Record<string, Record<string, number>>,
): Promise<void> {
  const warehouses = [...new Set(Object.values(stock).flatMap((w) => Object.keys(w)))];
  await client.upsertWarehouses({ warehouses: warehouses.map((w) => ({ warehouseId: w, name: w })) });
  await client.upsertSkus({
    skus: Object.keys(stock).map((sku) => ({
      sku,
      name: sku,
      unitPrice: { amountMinor: 100, currency: 'EUR' },
    })),
  });
  for (const [sku, byWh] of Object.entries(stock)) {
    for (const [warehouseId, quantity] of Object.entries(byWh)) {
      if (quantity > 0)
        await client.restock({ sku, warehouseId, quantity, idempotencyKey: `setup:${sku}:${warehouseId}` });
    }
  }
}

/**
 * `buyers` concurrent Reserves of one unit of `sku`, spread over every instance; resolves to how
 * many were RESERVED.
 */
export async function rush(s: InventoryStack, sku: string, buyers: number): Promise<number> {
  const outcomes = await Promise.all(
    Array.from({ length: buyers }, (_, i) =>
      s.instances[i % s.instances.length]!.reserve({
        orderId: `${sku}-o${i}`,
        lines: [{ sku, quantity: 1 }],
        ttlSeconds: 0,
      }),
    ),
  );
  return outcomes.filter((o) => o.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED).length;
}

/** One safe configuration for {@link describeHotSkuRush}. */
export interface HotSkuCase {
  strategy: LockStrategy;
  batching: boolean;
  /** More of the inventory section, beside the batching switch. */
  inventory?: Record<string, unknown>;
}

/**
 * For each case: one hot SKU (20 units in two warehouses), three instances, 200 concurrent buyers;
 * exactly the stock is sold, never more, and the audit finds nothing.
 */
export function describeHotSkuRush(cases: HotSkuCase[]): void {
  const STOCK = 20;
  const BUYERS = 200;
  for (const { strategy, batching, inventory } of cases) {
    describe(`lock strategy ${strategy}, batching ${batching ? 'on' : 'off'}`, () => {
      let s: InventoryStack;
      beforeAll(async () => {
        s = await startInventoryStack({
          instances: 3,
          lockStrategy: strategy,
          inventory: { ...inventory, batching: { enabled: batching } },
        });
        await setupCatalog(s.client, { hot: { 'wh-1': STOCK / 2, 'wh-2': STOCK / 2 } });
      });
      afterAll(async () => {
        await s?.stop();
      });

      it('sells exactly the stock of a hot SKU, never more', async () => {
        expect(await rush(s, 'hot', BUYERS)).toBe(STOCK);
        const stock = await s.client.getStock({ sku: 'hot', warehouseId: '', consistent: true });
        expect(stock.levels.map((l) => [l.available, l.reserved])).toEqual([
          [0, STOCK / 2],
          [0, STOCK / 2],
        ]);
        expect(await auditInventory(s.db)).toEqual([]);
      });
    });
  }
}

/** One broken rule found by {@link auditInventory}. */
export type AuditProblem = string;

/**
 * Checks the stored state against the ledger and the reservations (what the invariant checkers
 * will do): per (sku, warehouse) the stock row equals the sums of its movements, conserves units,
 * is never negative, and reserved / sold equal the HELD / COMMITTED reservation lines.
 */
export async function auditInventory(db: Pool): Promise<AuditProblem[]> {
  const problems: AuditProblem[] = [];
  const [rows] = await db.query<RowDataPacket[]>(`
    SELECT s.sku, s.warehouse_id, s.available, s.reserved, s.sold, s.received, s.adjusted,
           COALESCE(m.a, 0) AS m_available, COALESCE(m.r, 0) AS m_reserved, COALESCE(m.s, 0) AS m_sold,
           COALESCE(m.rc, 0) AS m_received, COALESCE(m.ad, 0) AS m_adjusted,
           COALESCE(h.q, 0) AS held, COALESCE(c.q, 0) AS committed
      FROM stock s
      LEFT JOIN (SELECT sku, warehouse_id, SUM(d_available) a, SUM(d_reserved) r, SUM(d_sold) s,
                        SUM(d_received) rc, SUM(d_adjusted) ad FROM movements GROUP BY sku, warehouse_id) m
        ON m.sku = s.sku AND m.warehouse_id = s.warehouse_id
      LEFT JOIN (SELECT l.sku, l.warehouse_id, SUM(l.quantity) q FROM reservation_lines l
                   JOIN reservations r ON r.order_id = l.order_id AND r.state = 'HELD' GROUP BY l.sku, l.warehouse_id) h
        ON h.sku = s.sku AND h.warehouse_id = s.warehouse_id
      LEFT JOIN (SELECT l.sku, l.warehouse_id, SUM(l.quantity) q FROM reservation_lines l
                   JOIN reservations r ON r.order_id = l.order_id AND r.state = 'COMMITTED' GROUP BY l.sku, l.warehouse_id) c
        ON c.sku = s.sku AND c.warehouse_id = s.warehouse_id`);
  for (const r of rows) {
    const at = `${r.sku}/${r.warehouse_id}`;
    const n = (k: string) => Number(r[k]);
    for (const col of ['available', 'reserved', 'sold', 'received', 'adjusted']) {
      if (n(col) !== n(`m_${col}`))
        problems.push(`${at}: stock.${col}=${n(col)} but ledger sums to ${n(`m_${col}`)}`);
    }
    if (n('available') + n('reserved') + n('sold') !== n('received') + n('adjusted')) {
      problems.push(`${at}: available+reserved+sold != received+adjusted`);
    }
    if (n('available') < 0 || n('reserved') < 0 || n('sold') < 0) problems.push(`${at}: negative stock`);
    if (n('held') !== n('reserved'))
      problems.push(`${at}: HELD lines ${n('held')} != stock.reserved ${n('reserved')}`);
    if (n('committed') !== n('sold'))
      problems.push(`${at}: COMMITTED lines ${n('committed')} != stock.sold ${n('sold')}`);
    if (n('held') + n('committed') > n('received') + n('adjusted')) {
      problems.push(
        `${at}: OVERSOLD: ${n('held') + n('committed')} units reserved or sold of ${n('received') + n('adjusted')}`,
      );
    }
  }
  const [unbalanced] = await db.query<RowDataPacket[]>(
    'SELECT id FROM movements WHERE d_available + d_reserved + d_sold <> d_received + d_adjusted LIMIT 5',
  );
  for (const u of unbalanced) problems.push(`movement ${u.id} does not conserve units`);
  return problems;
}

/** Polls `fn` until it returns a value other than undefined (or throws after timeoutMs). */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A metric value scraped from an instance's /metrics endpoint (sum over label sets matching `labels`). */
export async function scrapeMetric(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(3_000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}
