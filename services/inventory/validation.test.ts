import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../platform/errors.js';
import { MAX_LINE_QUANTITY, MAX_LINES, requireId, validateLines, validateTtl } from './validation.js';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgument) return err.field;
    throw err;
  }
  throw new Error('expected InvalidArgument');
}

describe('validation', () => {
  it('accepts ids of up to 64 characters of [A-Za-z0-9._:-] and names the field otherwise', () => {
    expect(requireId('Ab9._:-', 'order_id')).toBe('Ab9._:-');
    expect(requireId('x'.repeat(64), 'order_id')).toHaveLength(64);
    expect(fieldOf(() => requireId('x'.repeat(65), 'order_id'))).toBe('order_id');
    expect(fieldOf(() => requireId('a/b', 'sku'))).toBe('sku');
    expect(fieldOf(() => requireId('', 'sku'))).toBe('sku');
    expect(fieldOf(() => requireId('é', 'sku'))).toBe('sku');
  });

  it('bounds lines: 1..50, quantities 1..10,000, no duplicate SKUs', () => {
    const ok = Array.from({ length: MAX_LINES }, (_, i) => ({ sku: `s${i}`, quantity: MAX_LINE_QUANTITY }));
    expect(validateLines(ok)).toHaveLength(MAX_LINES);
    expect(fieldOf(() => validateLines([]))).toBe('lines');
    expect(fieldOf(() => validateLines([...ok, { sku: 'x', quantity: 1 }]))).toBe('lines');
    expect(fieldOf(() => validateLines([{ sku: 'a', quantity: 0 }]))).toBe('lines[0].quantity');
    expect(fieldOf(() => validateLines([{ sku: 'a', quantity: 10_001 }]))).toBe('lines[0].quantity');
    expect(fieldOf(() => validateLines([{ sku: 'a', quantity: 1.5 }]))).toBe('lines[0].quantity');
    expect(
      fieldOf(() =>
        validateLines([
          { sku: 'a', quantity: 1 },
          { sku: 'a', quantity: 2 },
        ]),
      ),
    ).toBe('lines[1].sku');
  });

  it('bounds the TTL to a day', () => {
    expect(validateTtl(0)).toBe(0);
    expect(validateTtl(86_400)).toBe(86_400);
    expect(fieldOf(() => validateTtl(-1))).toBe('ttl_seconds');
    expect(fieldOf(() => validateTtl(86_401))).toBe('ttl_seconds');
  });
});
