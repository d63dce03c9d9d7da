import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlreadyExists, FailedPrecondition, NotFound } from '../../platform/errors.js';
import { applyOps, type BatchState } from './apply.js';
import type { Op, ReservationRecord, StockRow } from './ops.js';

const now = new Date('2030-01-01T00:00:00Z');
const row = (
  sku: string,
  warehouseId: string,
  available: number,
  extra: Partial<StockRow> = {},
): StockRow => ({
  sku,
  warehouseId,
  available,
  reserved: 0,
  sold: 0,
  received: available,
  adjusted: 0,
  ...extra,
});
const state = (stock: StockRow[], reservations: ReservationRecord[] = []): BatchState => ({
  now,
  stock,
  reservations,
  idempotency: [],
});
const reserve = (orderId: string, lines: [string, number][], ttlSeconds = 60): Op => ({
  kind: 'reserve',
  orderId,
  lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
  ttlSeconds,
});
const held = (
  orderId: string,
  lines: [string, string, number][],
  expiresAt = new Date(now.getTime() + 1_000),
): ReservationRecord => ({
  orderId,
  state: 'HELD',
  expiresAt,
  reason: null,
  createdAt: now,
  updatedAt: now,
  lines: lines.map(([sku, warehouseId, quantity]) => ({ sku, warehouseId, quantity })),
});

describe('applyOps', () => {
  it('fills reservations one after another; one that cannot be filled changes nothing', () => {
    const out = applyOps(
      [
        reserve('o1', [['a', 3]]),
        reserve('o2', [
          ['a', 1],
          ['b', 5],
        ]),
        reserve('o3', [['a', 2]]),
        reserve('o4', [['a', 1]]),
      ],
      state([row('a', 'w1', 5), row('b', 'w1', 4)]),
    );
    expect(out.results.map((r) => r.kind)).toEqual([
      'reservation',
      'out_of_stock',
      'reservation',
      'out_of_stock',
    ]);
    expect(out.results[1]).toEqual({
      kind: 'out_of_stock',
      shortages: [{ sku: 'b', requested: 5, available: 4 }],
    });
    expect(out.results[3]).toEqual({
      kind: 'out_of_stock',
      shortages: [{ sku: 'a', requested: 1, available: 0 }],
    });
    expect(out.stock).toEqual([row('a', 'w1', 0, { reserved: 5, received: 5 })]);
    expect(out.newReservations.map((r) => r.orderId)).toEqual(['o1', 'o3']);
    expect(out.movements).toHaveLength(2);
  });

  it('replays an existing order, and refuses the same order id with other lines', () => {
    const existing = held('o1', [['a', 'w1', 2]]);
    const out = applyOps(
      [reserve('o1', [['a', 2]]), reserve('o1', [['a', 3]])],
      state([row('a', 'w1', 5)], [existing]),
    );
    expect(out.results[0]).toMatchObject({
      kind: 'reservation',
      replay: true,
      reservation: { orderId: 'o1' },
    });
    expect(out.results[1]).toMatchObject({ kind: 'error', error: expect.any(AlreadyExists) });
    expect(out.stock).toEqual([]);
  });

  it('commits and releases once; the other transition is refused; unknown orders are NotFound', () => {
    const st = state([row('a', 'w1', 3, { reserved: 2, received: 5 })], [held('o1', [['a', 'w1', 2]])]);
    const out = applyOps(
      [
        { kind: 'commit', orderId: 'o1', skus: ['a'] },
        { kind: 'commit', orderId: 'o1', skus: ['a'] },
        { kind: 'release', orderId: 'o1', reason: 'x', skus: ['a'] },
        { kind: 'release', orderId: 'nope', reason: '', skus: ['a'] },
      ],
      st,
    );
    expect(out.results[0]).toMatchObject({
      kind: 'reservation',
      replay: false,
      reservation: { state: 'COMMITTED' },
    });
    expect(out.results[1]).toMatchObject({ kind: 'reservation', replay: true });
    expect(out.results[2]).toMatchObject({ kind: 'error', error: expect.any(FailedPrecondition) });
    expect(out.results[3]).toMatchObject({ kind: 'error', error: expect.any(NotFound) });
    expect(out.stock).toEqual([row('a', 'w1', 3, { reserved: 0, sold: 2, received: 5 })]);
    expect(out.changedReservations.map((r) => r.state)).toEqual(['COMMITTED']);
  });

  it('expires a reservation past its TTL, and a late commit fails but still returns the units', () => {
    const past = new Date(now.getTime() - 1);
    const st = state(
      [row('a', 'w1', 0, { reserved: 4, received: 4 })],
      [held('o1', [['a', 'w1', 1]], past), held('o2', [['a', 'w1', 3]], past)],
    );
    const out = applyOps(
      [
        { kind: 'expire', orderId: 'o1', skus: ['a'] },
        { kind: 'commit', orderId: 'o2', skus: ['a'] },
        { kind: 'release', orderId: 'o2', reason: '', skus: ['a'] },
      ],
      st,
    );
    expect(out.results[0]).toMatchObject({ kind: 'reservation', reservation: { state: 'EXPIRED' } });
    expect(out.results[1]).toMatchObject({ kind: 'error', error: expect.any(FailedPrecondition) });
    expect(out.results[2]).toMatchObject({
      kind: 'reservation',
      replay: true,
      reservation: { state: 'EXPIRED' },
    });
    expect(out.stock).toEqual([row('a', 'w1', 4, { received: 4 })]);
    expect(out.movements.map((m) => m.kind)).toEqual(['expire', 'expire']);
  });

  it('does not expire a reservation whose TTL has not passed', () => {
    const out = applyOps(
      [{ kind: 'expire', orderId: 'o1', skus: ['a'] }],
      state([], [held('o1', [['a', 'w1', 1]])]),
    );
    expect(out.results).toEqual([{ kind: 'noop' }]);
  });

  it('applies keyed stock changes once per key and refuses a key reused for another request', () => {
    const receive = (quantity: number): Op => ({
      kind: 'receive',
      sku: 'a',
      warehouseId: 'w1',
      quantity,
      idempotencyKey: 'k1',
    });
    const out = applyOps(
      [
        receive(5),
        receive(5),
        receive(6),
        { kind: 'adjust', sku: 'a', warehouseId: 'w1', delta: -9, reason: '', idempotencyKey: '' },
        {
          kind: 'transfer',
          sku: 'a',
          fromWarehouseId: 'w1',
          toWarehouseId: 'w2',
          quantity: 7,
          idempotencyKey: 't1',
        },
      ],
      state([row('a', 'w1', 3)]),
    );
    expect(
      out.results.map((r) => (r.kind === 'stock' ? `stock${r.replay ? ' replay' : ''}` : r.kind)),
    ).toEqual(['stock', 'stock replay', 'error', 'error', 'stock']);
    expect(out.stock).toEqual([row('a', 'w1', 1, { received: 1 }), row('a', 'w2', 7)]);
    expect(out.newKeys.map((k) => k.key)).toEqual(['k1', 't1']);
  });

  it('conserves units in every row and every movement, whatever the ops', () => {
    const skus = ['a', 'b'];
    const whs = ['w1', 'w2'];
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('reserve' as const),
        orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4'),
        lines: fc.uniqueArray(
          fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 1, max: 6 }) }),
          {
            selector: (l) => l.sku,
            minLength: 1,
            maxLength: 2,
          },
        ),
        ttlSeconds: fc.constantFrom(-1, 60),
      }),
      fc.record({
        kind: fc.constantFrom('commit' as const, 'expire' as const),
        orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4'),
        skus: fc.constant(skus),
      }),
      fc.record({
        kind: fc.constant('release' as const),
        orderId: fc.constantFrom('o1', 'o2', 'o3'),
        reason: fc.constant(''),
        skus: fc.constant(skus),
      }),
      fc.record({
        kind: fc.constant('adjust' as const),
        sku: fc.constantFrom(...skus),
        warehouseId: fc.constantFrom(...whs),
        delta: fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0),
        reason: fc.constant(''),
        idempotencyKey: fc.constant(''),
      }),
      fc.record({
        kind: fc.constant('transfer' as const),
        sku: fc.constantFrom(...skus),
        fromWarehouseId: fc.constant('w1'),
        toWarehouseId: fc.constant('w2'),
        quantity: fc.integer({ min: 1, max: 5 }),
        idempotencyKey: fc.constantFrom('', 't1', 't2'),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 25 }),
        fc.array(fc.nat(8), { minLength: 4, maxLength: 4 }),
        (ops, amounts) => {
          const stock = skus.flatMap((sku, i) => whs.map((w, j) => row(sku, w, amounts[i * 2 + j]!)));
          const out = applyOps(ops, state(stock));
          const before = new Map(stock.map((r) => [`${r.sku}/${r.warehouseId}`, r]));
          for (const m of out.movements) {
            expect(m.dAvailable + m.dReserved + m.dSold).toBe(m.dReceived + m.dAdjusted);
          }
          for (const r of out.stock) {
            expect(r.available + r.reserved + r.sold).toBe(r.received + r.adjusted);
            expect(Math.min(r.available, r.reserved, r.sold, r.received + r.adjusted)).toBeGreaterThanOrEqual(
              0,
            );
            const b = before.get(`${r.sku}/${r.warehouseId}`) ?? row(r.sku, r.warehouseId, 0);
            const ms = out.movements.filter((m) => m.sku === r.sku && m.warehouseId === r.warehouseId);
            expect(ms.reduce((s, m) => s + m.dAvailable, b.available)).toBe(r.available);
            expect(ms.reduce((s, m) => s + m.dReserved, b.reserved)).toBe(r.reserved);
          }
          const held = [...out.newReservations, ...out.changedReservations].filter((r) => r.state === 'HELD');
          const heldUnits = held.flatMap((r) => r.lines).reduce((s, l) => s + l.quantity, 0);
          const reserved = out.stock.reduce((s, r) => s + r.reserved, 0);
          expect(heldUnits).toBe(reserved);
        },
      ),
    );
  });
});
