import { describe, expect, it } from 'vitest';
import { DomainEvent, EVENT_TYPES, newEvent, parseEvent } from './events.js';
import { outbox } from './outbox.js';
import { stockEvents } from './stock-events.js';

const order = {
  orderId: 'o-1',
  userId: 'u-1',
  currency: 'EUR',
  totalMinor: 700,
  lines: [{ sku: 'a', quantity: 2, unitPriceMinor: 350 }],
};

describe('domain events', () => {
  it('builds a valid envelope with a fresh id and the time it happened', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const e = newEvent('order.placed', order, { source: 'orders-1', occurredAt: at });
    expect(e).toMatchObject({
      type: 'order.placed',
      source: 'orders-1',
      occurredAt: at.toISOString(),
      data: order,
    });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(newEvent('order.placed', order, { source: 'x' }).id).not.toBe(e.id);
  });

  it('refuses malformed data when the event is built (inside the publisher, not at the consumer)', () => {
    expect(() => newEvent('order.placed', { ...order, currency: 'euro' }, { source: 'o' })).toThrow(
      /currency/,
    );
    expect(() =>
      newEvent(
        'payment.failed',
        { paymentId: 'p', orderId: 'o', amountMinor: -1, currency: 'EUR', status: 'FAILED', reason: '' },
        { source: 'p' },
      ),
    ).toThrow(/amountMinor/);
    expect(() => newEvent('stock.low', { sku: 's', available: 1, threshold: 0 }, { source: 'i' })).toThrow(
      /threshold/,
    );
  });

  it('round-trips every type through JSON, and parseEvent names what is wrong with bad input', () => {
    const samples: DomainEvent[] = [
      newEvent('order.placed', order, { source: 's' }),
      newEvent('order.confirmed', order, { source: 's' }),
      newEvent('order.rejected', { ...order, reason: 'OUT_OF_STOCK' }, { source: 's' }),
      newEvent('order.cancelled', { ...order, wasConfirmed: true }, { source: 's' }),
      newEvent('stock.low', { sku: 'a', available: 3, threshold: 10 }, { source: 's' }),
      newEvent('stock.out', { sku: 'a' }, { source: 's' }),
      newEvent(
        'payment.captured',
        { paymentId: 'p', orderId: 'o', amountMinor: 1, currency: 'EUR' },
        { source: 's' },
      ),
      newEvent(
        'payment.failed',
        {
          paymentId: 'p',
          orderId: 'o',
          amountMinor: 1,
          currency: 'EUR',
          status: 'DECLINED',
          reason: 'card_declined',
        },
        { source: 's' },
      ),
      newEvent(
        'payment.refunded',
        { paymentId: 'p', orderId: 'o', amountMinor: 1, currency: 'EUR', refundId: 'r' },
        { source: 's' },
      ),
    ];
    expect(samples.map((e) => e.type).sort()).toEqual([...EVENT_TYPES].sort());
    for (const e of samples) expect(parseEvent(JSON.stringify(e))).toEqual({ ok: true, event: e });
    expect(parseEvent('{nope')).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(parseEvent(JSON.stringify({ ...samples[0], type: 'order.teleported' }))).toMatchObject({
      ok: false,
    });
    expect(parseEvent(JSON.stringify({ ...samples[0], id: 'x' }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^id:/),
    });
  });
});

describe('outbox', () => {
  it('inserts all events of a call in one statement on the given connection', async () => {
    const calls: { sql: string; values: unknown }[] = [];
    const conn = { query: async (sql: string, values?: unknown) => void calls.push({ sql, values }) };
    const a = newEvent('stock.out', { sku: 'a' }, { source: 'i' });
    const b = newEvent('stock.out', { sku: 'b' }, { source: 'i' });
    await outbox.add(conn, a, b);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.sql).toBe('INSERT INTO outbox (event_id, type, payload) VALUES ?');
    expect(calls[0]!.values).toEqual([
      [
        [a.id, 'stock.out', JSON.stringify(a)],
        [b.id, 'stock.out', JSON.stringify(b)],
      ],
    ]);
    await outbox.add(conn);
    expect(calls).toHaveLength(1);
    expect(outbox.statement([])).toBeUndefined();
  });

  it('refuses an event that does not validate', () => {
    const bad = { ...newEvent('stock.out', { sku: 'a' }, { source: 'i' }), data: { sku: '' } } as DomainEvent;
    expect(() => outbox.statement([bad])).toThrow(/sku/);
  });
});

describe('stock events (for inventory)', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const opts = { lowThreshold: 10, source: 'inventory-1', now };
  const row = (sku: string, warehouseId: string, available: number) => ({ sku, warehouseId, available });

  it('stock.out when a SKU reaches 0 over all warehouses, stock.low when it falls below the threshold', () => {
    const before = [row('a', 'w1', 3), row('a', 'w2', 2), row('b', 'w1', 12), row('c', 'w1', 50)];
    const changed = [row('a', 'w1', 0), row('a', 'w2', 0), row('b', 'w1', 9), row('c', 'w1', 40)];
    const events = stockEvents(before, changed, opts);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['stock.out', { sku: 'a' }],
      ['stock.low', { sku: 'b', available: 9, threshold: 10 }],
    ]);
    expect(events.every((e) => e.occurredAt === now.toISOString() && e.source === 'inventory-1')).toBe(true);
  });

  it('says nothing when stock only moves within a band, rises, or one warehouse of several empties', () => {
    expect(stockEvents([row('a', 'w1', 5)], [row('a', 'w1', 4)], opts)).toEqual([]);
    expect(stockEvents([row('a', 'w1', 0)], [row('a', 'w1', 20)], opts)).toEqual([]);
    expect(stockEvents([row('a', 'w1', 5), row('a', 'w2', 30)], [row('a', 'w1', 0)], opts)).toEqual([]);
    expect(() => stockEvents([], [], { ...opts, lowThreshold: 0 })).toThrow(/lowThreshold/);
  });

  it('goes straight to stock.out (not also low) when a big order empties a well-stocked SKU', () => {
    expect(stockEvents([row('a', 'w1', 40)], [row('a', 'w1', 0)], opts).map((e) => e.type)).toEqual([
      'stock.out',
    ]);
  });
});
