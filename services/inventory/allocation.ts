/** Available units of one SKU in one warehouse. */
export interface WarehouseAvailability {
  warehouseId: string;
  available: number;
}

/** Units of one line taken from one warehouse. */
export interface Take {
  warehouseId: string;
  quantity: number;
}

/**
 * The allocation policy of one order line:
 * 1. If some warehouse can fill the whole line, take it all from one: the one with the most
 *    available units (ties: the smallest warehouse id), so a single shipment suffices and large
 *    stocks drain first.
 * 2. Otherwise split it: take from warehouses in order of most available units (ties: smallest id)
 *    until the line is filled.
 * 3. If all warehouses together hold fewer units than asked, the line cannot be filled: null.
 *
 * Pure and deterministic (same input, same allocation).
 */
export function allocateLine(levels: readonly WarehouseAvailability[], quantity: number): Take[] | null {
  if (quantity <= 0) throw new RangeError(`allocateLine: quantity must be positive, got ${quantity}`);
  const ranked = levels
    .filter((l) => l.available > 0)
    .sort((a, b) => b.available - a.available || compareIds(a.warehouseId, b.warehouseId));
  const single = ranked[0];
  if (!single) return null;
  if (single.available >= quantity) return [{ warehouseId: single.warehouseId, quantity }];
  const takes: Take[] = [];
  let left = quantity;
  for (const level of ranked) {
    const q = Math.min(level.available, left);
    takes.push({ warehouseId: level.warehouseId, quantity: q });
    left -= q;
    if (left === 0) return takes;
  }
  return null;
}

/** Plain code-unit order, independent of locale (the same order SQL's binary collation gives). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
