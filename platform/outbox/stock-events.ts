import { newEvent, type EventOf } from './events.js';

/** A stock row as inventory reads and writes it (only the fields stock events need). */
export interface StockRowLike {
  sku: string;
  warehouseId: string;
  available: number;
}

/** Options of {@link stockEvents}. */
export interface StockEventOptions {
  /** stock.low when a SKU's total available falls below this (and stays above 0); >= 1. */
  lowThreshold: number;
  /** The instance recording the change, e.g. "inventory-1". */
  source: string;
  now: Date;
}

/**
 * The stock.low / stock.out events of one inventory transaction, from the stock rows it read
 * (`before`: every row of every SKU it touched) and the rows it changed (`changed`: final values).
 * Per SKU, over all warehouses: stock.out when available goes from > 0 to 0; stock.low when it
 * crosses from >= lowThreshold to below it (and above 0). Pure; insert the result with
 * `outbox.statement(events)` in the same transaction.
 */
export function stockEvents(
  before: readonly StockRowLike[],
  changed: readonly StockRowLike[],
  opts: StockEventOptions,
): (EventOf<'stock.low'> | EventOf<'stock.out'>)[] {
  if (!Number.isInteger(opts.lowThreshold) || opts.lowThreshold < 1) {
    throw new Error(`stockEvents: lowThreshold must be an integer >= 1, got ${opts.lowThreshold}`);
  }
  const key = (r: StockRowLike) => `${r.sku}\u0000${r.warehouseId}`;
  const after = new Map(before.map((r) => [key(r), r]));
  for (const r of changed) after.set(key(r), r);
  const total = (rows: Iterable<StockRowLike>) => {
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(r.sku, (sums.get(r.sku) ?? 0) + r.available);
    return sums;
  };
  const was = total(before);
  const now = total(after.values());
  const events: (EventOf<'stock.low'> | EventOf<'stock.out'>)[] = [];
  const meta = { source: opts.source, occurredAt: opts.now };
  for (const sku of [...new Set(changed.map((r) => r.sku))].sort()) {
    const from = was.get(sku) ?? 0;
    const to = now.get(sku) ?? 0;
    if (to >= from) continue;
    if (to <= 0 && from > 0) events.push(newEvent('stock.out', { sku }, meta));
    else if (to > 0 && to < opts.lowThreshold && from >= opts.lowThreshold) {
      events.push(newEvent('stock.low', { sku, available: to, threshold: opts.lowThreshold }, meta));
    }
  }
  return events;
}
