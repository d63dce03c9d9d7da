import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateLine } from './allocation.js';

const wh = (warehouseId: string, available: number) => ({ warehouseId, available });

describe('allocateLine', () => {
  it('takes a whole line from the one warehouse with the most units when one can fill it', () => {
    expect(allocateLine([wh('a', 5), wh('b', 9), wh('c', 9)], 4)).toEqual([
      { warehouseId: 'b', quantity: 4 },
    ]);
  });

  it('splits by most stock first when no warehouse can fill the line', () => {
    expect(allocateLine([wh('a', 3), wh('b', 5), wh('c', 0), wh('d', 3)], 10)).toEqual([
      { warehouseId: 'b', quantity: 5 },
      { warehouseId: 'a', quantity: 3 },
      { warehouseId: 'd', quantity: 2 },
    ]);
  });

  it('returns null when all warehouses together hold too few', () => {
    expect(allocateLine([wh('a', 3), wh('b', 2)], 6)).toBeNull();
    expect(allocateLine([], 1)).toBeNull();
  });

  it('rejects a non-positive quantity', () => {
    expect(() => allocateLine([wh('a', 3)], 0)).toThrow(RangeError);
  });

  it('always allocates exactly the quantity from distinct warehouses within their stock, or nothing', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ warehouseId: fc.string({ minLength: 1, maxLength: 3 }), available: fc.nat(20) }),
          {
            selector: (l) => l.warehouseId,
            maxLength: 6,
          },
        ),
        fc.integer({ min: 1, max: 60 }),
        (levels, quantity) => {
          const total = levels.reduce((s, l) => s + l.available, 0);
          const takes = allocateLine(levels, quantity);
          if (total < quantity) return takes === null;
          if (!takes) return false;
          const byWh = new Map(levels.map((l) => [l.warehouseId, l.available]));
          return (
            takes.reduce((s, t) => s + t.quantity, 0) === quantity &&
            new Set(takes.map((t) => t.warehouseId)).size === takes.length &&
            takes.every((t) => t.quantity > 0 && t.quantity <= (byWh.get(t.warehouseId) ?? 0))
          );
        },
      ),
    );
  });
});
