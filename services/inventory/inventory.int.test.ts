import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReservationState, ReserveOutcome } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { createInventoryClient } from './client.js';
import { seedCatalog } from './seed.js';
import {
  auditInventory,
  eventually,
  scrapeMetric,
  setupCatalog,
  startInventoryStack,
  type InventoryStack,
} from './test-support.js';

let s: InventoryStack;

beforeAll(async () => {
  s = await startInventoryStack({ instances: 3, inventory: { sweeper: { intervalMs: 200 } } });
  await setupCatalog(s.client, {
    'sku-a': { 'wh-1': 10, 'wh-2': 4 },
    'sku-b': { 'wh-1': 5 },
    'sku-hot': { 'wh-1': 15, 'wh-2': 15 },
    'sku-t': { 'wh-1': 8, 'wh-2': 0 },
    'sku-x': { 'wh-1': 6 },
    'sku-m': { 'wh-1': 4 },
    'sku-c': { 'wh-1': 12 },
  });
});
afterAll(async () => {
  await s?.stop();
});

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

const line = (sku: string, quantity: number) => ({ sku, quantity });
const reserve = (orderId: string, lines: { sku: string; quantity: number }[], ttlSeconds = 0) =>
  s.client.reserve({ orderId, lines, ttlSeconds });

describe('inventory service (zk+db, 3 instances)', () => {
  it('rejects bad input with INVALID_ARGUMENT naming the field, and keeps serving', async () => {
    const bad: [() => Promise<unknown>, string][] = [
      [() => reserve('', [line('sku-a', 1)]), 'order_id: is required'],
      [() => reserve('x'.repeat(65), [line('sku-a', 1)]), 'order_id: is 65 characters'],
      [() => reserve('bad id', [line('sku-a', 1)]), 'order_id: may only hold'],
      [() => reserve('v-1', []), 'lines: at least one'],
      [
        () =>
          reserve(
            'v-1',
            Array.from({ length: 51 }, (_, i) => line(`s${i}`, 1)),
          ),
        'lines: has 51 lines',
      ],
      [() => reserve('v-1', [line('sku-a', 0)]), 'lines[0].quantity'],
      [() => reserve('v-1', [line('sku-a', -3)]), 'lines[0].quantity'],
      [() => reserve('v-1', [line('sku-a', 10_001)]), 'lines[0].quantity'],
      [() => reserve('v-1', [line('sku-a', 1), line('sku-a', 2)]), 'lines[1].sku: duplicate SKU'],
      [() => reserve('v-1', [line('sku-a', 1), line('nope', 2)]), 'lines[1].sku: unknown SKU nope'],
      [() => reserve('v-1', [line('sku-a', 1)], -1), 'ttl_seconds'],
      [() => reserve('v-1', [line('sku-a', 1)], 86_401), 'ttl_seconds'],
      [
        () => s.client.restock({ sku: 'sku-a', warehouseId: 'wh-1', quantity: 0, idempotencyKey: '' }),
        'quantity',
      ],
      [
        () => s.client.restock({ sku: 'sku-a', warehouseId: 'wh-9', quantity: 1, idempotencyKey: '' }),
        'warehouse_id: unknown',
      ],
      [
        () => s.client.restock({ sku: 'zzz', warehouseId: 'wh-1', quantity: 1, idempotencyKey: '' }),
        'sku: unknown SKU',
      ],
      [
        () =>
          s.client.adjust({ sku: 'sku-a', warehouseId: 'wh-1', delta: 0, reason: '', idempotencyKey: '' }),
        'delta',
      ],
      [
        () =>
          s.client.transfer({
            sku: 'sku-a',
            fromWarehouseId: 'wh-1',
            toWarehouseId: 'wh-1',
            quantity: 1,
            idempotencyKey: '',
          }),
        'to_warehouse_id',
      ],
      [
        () => s.client.listStock({ page: { pageSize: 10, pageToken: 'garbage!' }, warehouseId: '' }),
        'page.page_token',
      ],
      [
        () => s.client.listStock({ page: { pageSize: 1_001, pageToken: '' }, warehouseId: '' }),
        'page.page_size',
      ],
      [() => s.client.getStock({ sku: '', warehouseId: '', consistent: false }), 'sku: is required'],
    ];
    for (const [call, field] of bad) {
      const err = await failure(call());
      expect.soft(err.code, `${field}: ${err.details}`).toBe(Status.INVALID_ARGUMENT);
      expect.soft(err.details).toContain(field);
    }
    expect((await failure(s.client.commit({ orderId: 'never' }))).code).toBe(Status.NOT_FOUND);
    expect((await failure(s.client.getReservation({ orderId: 'never' }))).code).toBe(Status.NOT_FOUND);
    const level = await s.client.getStock({ sku: 'sku-a', warehouseId: '', consistent: true });
    expect(level.totalAvailable).toBe(14);
  });

  it('reserves all or nothing, across warehouses by the policy, idempotently per order', async () => {
    const short = await reserve('o-short', [line('sku-a', 2), line('sku-b', 6)]);
    expect(short.outcome).toBe(ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK);
    expect(short.shortages).toEqual([{ sku: 'sku-b', requested: 6, available: 5 }]);

    const r1 = await reserve('o-1', [line('sku-a', 12), line('sku-b', 1)]);
    expect(r1.outcome).toBe(ReserveOutcome.RESERVE_OUTCOME_RESERVED);
    // No warehouse holds 12: split, largest stock first.
    expect(r1.reservation?.allocations).toEqual([
      { sku: 'sku-a', warehouseId: 'wh-1', quantity: 10 },
      { sku: 'sku-a', warehouseId: 'wh-2', quantity: 2 },
      { sku: 'sku-b', warehouseId: 'wh-1', quantity: 1 },
    ]);
    const again = await reserve('o-1', [line('sku-b', 1), line('sku-a', 12)]);
    expect(again.reservation).toEqual(r1.reservation);
    const clash = await failure(reserve('o-1', [line('sku-a', 1)]));
    expect(clash.code).toBe(Status.ALREADY_EXISTS);

    // Duplicates racing on every instance at once: one reservation, stock taken once.
    const dups = await Promise.all(
      s.instances.flatMap((c) =>
        [1, 2, 3].map(() => c.reserve({ orderId: 'o-2', lines: [line('sku-x', 2)], ttlSeconds: 0 })),
      ),
    );
    for (const d of dups) expect(d.reservation).toEqual(dups[0]!.reservation);
    const x = await s.client.getStock({ sku: 'sku-x', warehouseId: '', consistent: true });
    expect(x.levels[0]).toMatchObject({ available: 4, reserved: 2 });
  });

  it('commits and releases idempotently, and refuses the other transition', async () => {
    const commits = await Promise.all(s.instances.map((c) => c.commit({ orderId: 'o-1' })));
    for (const c of commits) expect(c.reservation?.state).toBe(ReservationState.RESERVATION_STATE_COMMITTED);
    const noRelease = await failure(s.client.release({ orderId: 'o-1', reason: 'changed mind' }));
    expect(noRelease.code).toBe(Status.FAILED_PRECONDITION);

    const releases = await Promise.all(
      s.instances.map((c) => c.release({ orderId: 'o-2', reason: 'payment failed' })),
    );
    for (const r of releases) expect(r.reservation?.state).toBe(ReservationState.RESERVATION_STATE_RELEASED);
    expect((await failure(s.client.commit({ orderId: 'o-2' }))).code).toBe(Status.FAILED_PRECONDITION);

    const a = await s.client.getStock({ sku: 'sku-a', warehouseId: '', consistent: true });
    expect(a.levels.map((l) => [l.available, l.reserved, l.sold])).toEqual([
      [0, 0, 10],
      [2, 0, 2],
    ]);
    expect(
      (await s.client.getStock({ sku: 'sku-x', warehouseId: '', consistent: true })).totalAvailable,
    ).toBe(6);
  });

  it('applies restock, adjust and transfer once per idempotency key, never below zero', async () => {
    const req = { sku: 'sku-t', warehouseId: 'wh-1', quantity: 5, idempotencyKey: 'rk-1' };
    const [r1, r2] = await Promise.all([s.instances[0]!.restock(req), s.instances[1]!.restock(req)]);
    expect(r1.level).toEqual(r2.level);
    expect(r1.level).toMatchObject({ available: 13, received: 13 });
    expect((await failure(s.client.restock({ ...req, quantity: 6 }))).code).toBe(Status.ALREADY_EXISTS);

    const tooMuch = await failure(
      s.client.adjust({ sku: 'sku-t', warehouseId: 'wh-1', delta: -14, reason: 'x', idempotencyKey: '' }),
    );
    expect(tooMuch.code).toBe(Status.FAILED_PRECONDITION);
    const adj = await s.client.adjust({
      sku: 'sku-t',
      warehouseId: 'wh-1',
      delta: -3,
      reason: 'broken',
      idempotencyKey: 'ak-1',
    });
    expect(adj.level).toMatchObject({ available: 10, received: 10 });

    const t = {
      sku: 'sku-t',
      fromWarehouseId: 'wh-1',
      toWarehouseId: 'wh-2',
      quantity: 4,
      idempotencyKey: 'tk-1',
    };
    const moved = await s.client.transfer(t);
    expect(moved.from).toMatchObject({ available: 6, received: 6 });
    expect(moved.to).toMatchObject({ available: 4, received: 4 });
    expect((await s.client.transfer(t)).to).toMatchObject({ available: 4 });
    expect((await failure(s.client.transfer({ ...t, idempotencyKey: 'tk-2', quantity: 7 }))).code).toBe(
      Status.FAILED_PRECONDITION,
    );
  });

  it('serves GetStock from the replica unless consistent, and pages ListStock over every row once', async () => {
    const primary = await s.client.getStock({ sku: 'sku-t', warehouseId: 'wh-2', consistent: true });
    await eventually(
      async () => {
        const replica = await s.client.getStock({ sku: 'sku-t', warehouseId: 'wh-2', consistent: false });
        return JSON.stringify(replica) === JSON.stringify(primary) ? true : undefined;
      },
      10_000,
      'the replica to catch up',
    );
    await eventually(
      async () => {
        const seen: string[] = [];
        let pageToken = '';
        do {
          const page = await s.client.listStock({ page: { pageSize: 3, pageToken }, warehouseId: '' });
          seen.push(...page.levels.map((l) => `${l.sku}/${l.warehouseId}`));
          pageToken = page.nextPageToken;
        } while (pageToken);
        const [rows] = await s.db.query('SELECT COUNT(*) AS n FROM stock');
        const n = Number((rows as { n: number }[])[0]!.n);
        return seen.length === n && new Set(seen).size === n ? true : undefined;
      },
      10_000,
      'ListStock to list every stock row once',
    );
  });

  it('expires reservations after their TTL on the leader, and then refuses Commit', async () => {
    const r = await reserve('o-ttl', [line('sku-b', 2)], 1);
    expect(r.reservation?.state).toBe(ReservationState.RESERVATION_STATE_HELD);
    const expired = await eventually(
      async () => {
        const g = await s.client.getReservation({ orderId: 'o-ttl' });
        return g.reservation?.state === ReservationState.RESERVATION_STATE_EXPIRED
          ? g.reservation
          : undefined;
      },
      10_000,
      'the sweeper to expire o-ttl',
    );
    expect(expired.allocations).toEqual(r.reservation?.allocations);
    expect((await failure(s.client.commit({ orderId: 'o-ttl' }))).code).toBe(Status.FAILED_PRECONDITION);
    const rel = await s.client.release({ orderId: 'o-ttl', reason: '' });
    expect(rel.reservation?.state).toBe(ReservationState.RESERVATION_STATE_EXPIRED);
    const b = await s.client.getStock({ sku: 'sku-b', warehouseId: '', consistent: true });
    expect(b.levels[0]).toMatchObject({ available: 4, reserved: 0, sold: 1 });
    const leaders = await Promise.all(
      s.stack.state.components
        .filter((c) => c.service === 'inventory')
        .map((c) => scrapeMetric(c.metrics!, 'ecom_inventory_leader')),
    );
    expect(leaders.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('sells exactly the stock of a hot SKU under concurrent reservations from every instance', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        s.instances[i % 3]!.reserve({ orderId: `hot-${i}`, lines: [line('sku-hot', 1)], ttlSeconds: 0 }),
      ),
    );
    const reserved = outcomes.filter((o) => o.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED).length;
    expect(reserved).toBe(30);
    const hot = await s.client.getStock({ sku: 'sku-hot', warehouseId: '', consistent: true });
    expect(hot.levels.map((l) => [l.available, l.reserved])).toEqual([
      [0, 15],
      [0, 15],
    ]);
    const batches = await scrapeMetric(
      s.stack.state.components.find((c) => c.name === 'inventory-1')!.metrics!,
      'ecom_inventory_batch_size_count',
    );
    expect(batches).toBeGreaterThan(0);
  });

  it('answers ReserveMany request by request, exactly as Reserve would, in request order', async () => {
    const many = (requests: { orderId: string; lines: { sku: string; quantity: number }[] }[]) =>
      s.client.reserveMany({ requests: requests.map((r) => ({ ...r, ttlSeconds: 0 })) });
    const first = await many([
      { orderId: 'm-1', lines: [line('sku-m', 3)] },
      { orderId: '', lines: [line('sku-m', 1)] },
      { orderId: 'm-2', lines: [line('nope', 1)] },
      { orderId: 'm-3', lines: [line('sku-m', 2)] },
    ]);
    const [ok, noId, unknown, short] = first.results.map((r) => r.result);
    expect(ok).toMatchObject({
      $case: 'response',
      value: { outcome: ReserveOutcome.RESERVE_OUTCOME_RESERVED },
    });
    expect(noId).toMatchObject({
      $case: 'error',
      value: {
        code: Status.INVALID_ARGUMENT,
        message: 'order_id: is required',
        trailers: { field: 'order_id' },
      },
    });
    expect(unknown).toMatchObject({ $case: 'error', value: { code: Status.INVALID_ARGUMENT } });
    expect(short).toMatchObject({
      $case: 'response',
      value: {
        outcome: ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK,
        shortages: [{ sku: 'sku-m', requested: 2, available: 1 }],
      },
    });
    // A replay inside a later ReserveMany returns the first allocation and takes nothing more.
    const again = await many([{ orderId: 'm-1', lines: [line('sku-m', 3)] }]);
    expect(again.results[0]?.result).toEqual(ok);
    expect(
      (await s.client.getStock({ sku: 'sku-m', warehouseId: '', consistent: true })).totalAvailable,
    ).toBe(1);
    for (const requests of [
      [],
      Array.from({ length: 1_001 }, (_, i) => ({ orderId: `m-x${i}`, lines: [] })),
    ]) {
      const err = await failure(many(requests));
      expect([err.code, err.details]).toEqual([
        Status.INVALID_ARGUMENT,
        expect.stringMatching(/^requests: /),
      ]);
    }
  });

  it('sells exactly the stock through a client coalescing concurrent Reserves into ReserveMany', async () => {
    const batches: number[] = [];
    const client = createInventoryClient({
      name: 'inventory',
      addresses: s.stack.state.components.filter((c) => c.service === 'inventory').map((c) => c.endpoint),
      defaultDeadlineMs: 20_000,
      coalesceReserves: 16,
      onBatch: (n) => batches.push(n),
    });
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) =>
          client.reserve({
            orderId: i === 50 ? '' : `c-${i}`,
            lines: [line('sku-c', 1)],
            ttlSeconds: 0,
          }),
        ),
      );
      const reserved = outcomes.filter(
        (o) => o.status === 'fulfilled' && o.value.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED,
      );
      expect(reserved).toHaveLength(12);
      // The bad request failed on its own, as its own call, and took nobody down with it.
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([
        { status: 'rejected', reason: expect.objectContaining({ code: Status.INVALID_ARGUMENT }) },
      ]);
      expect(batches.length).toBeGreaterThan(0);
      expect(Math.max(...batches)).toBeLessThanOrEqual(16);
      expect(batches.reduce((a, b) => a + b, 0)).toBe(100);
      expect(await auditInventory(s.db)).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('seeds idempotently and keeps the ledger consistent with the stock', async () => {
    const opts = { skus: 20, warehouses: 2, stock: 7 };
    await seedCatalog(s.client, opts);
    await seedCatalog(s.client, opts);
    const [rows] = await s.db.query(
      "SELECT COUNT(*) AS n, SUM(available) AS a FROM stock WHERE sku LIKE 'sku-0000%'",
    );
    expect((rows as { n: number; a: string }[]).map((r) => [Number(r.n), Number(r.a)])).toEqual([[40, 280]]);
    expect(await auditInventory(s.db)).toEqual([]);
  });
});
