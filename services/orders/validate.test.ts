import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../platform/errors.js';
import type { PlaceOrderRequest } from '../../proto/gen/ecom/orders/v1/orders.js';
import { checkOrderId, validatePlaceOrder } from './validate.js';

const good: PlaceOrderRequest = {
  idempotencyKey: 'k-1',
  userId: '',
  lines: [{ sku: 'sku-1', quantity: 2 }],
  paymentToken: 'tok_ok',
  currency: '',
};

function fieldOf(req: Partial<PlaceOrderRequest>): string | undefined {
  try {
    validatePlaceOrder({ ...good, ...req });
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgument);
    return (err as InvalidArgument).field;
  }
}

describe('PlaceOrder validation', () => {
  it('accepts a well-formed request and hashes what the order is', () => {
    const v = validatePlaceOrder(good);
    expect(v).toMatchObject({ idempotencyKey: 'k-1', lines: [{ sku: 'sku-1', quantity: 2 }] });
    expect(validatePlaceOrder({ ...good, idempotencyKey: 'other' }).requestHash).toBe(v.requestHash);
    expect(validatePlaceOrder({ ...good, paymentToken: 'tok_x' }).requestHash).not.toBe(v.requestHash);
  });

  it('names the bad field', () => {
    expect(fieldOf({ idempotencyKey: '' })).toBe('idempotency_key');
    expect(fieldOf({ idempotencyKey: 'x'.repeat(129) })).toBe('idempotency_key');
    expect(fieldOf({ userId: 'a b' })).toBe('user_id');
    expect(fieldOf({ lines: [] })).toBe('lines');
    expect(fieldOf({ lines: Array.from({ length: 51 }, (_, i) => ({ sku: `s${i}`, quantity: 1 })) })).toBe(
      'lines',
    );
    expect(
      fieldOf({
        lines: [
          { sku: 'a', quantity: 1 },
          { sku: 'a', quantity: 1 },
        ],
      }),
    ).toBe('lines[1].sku');
    expect(fieldOf({ lines: [{ sku: 'a', quantity: 0 }] })).toBe('lines[0].quantity');
    expect(fieldOf({ lines: [{ sku: 'a', quantity: 10_001 }] })).toBe('lines[0].quantity');
    expect(fieldOf({ lines: [{ sku: 'a/b', quantity: 1 }] })).toBe('lines[0].sku');
    expect(fieldOf({ lines: [{ sku: 'x'.repeat(65), quantity: 1 }] })).toBe('lines[0].sku');
    expect(fieldOf({ paymentToken: '' })).toBe('payment_token');
    expect(fieldOf({ currency: 'eur' })).toBe('currency');
    expect(fieldOf({ currency: 'EURO' })).toBe('currency');
    expect(fieldOf({ lines: [{ sku: 'a', quantity: 10_000 }], currency: 'USD' })).toBeUndefined();
  });

  it('rejects anything malformed with InvalidArgument, never another error', () => {
    const line = fc.record({ sku: fc.string({ maxLength: 70 }), quantity: fc.integer() });
    fc.assert(
      fc.property(
        fc.record({
          idempotencyKey: fc.string({ maxLength: 140 }),
          userId: fc.string({ maxLength: 140 }),
          lines: fc.array(line, { maxLength: 55 }),
          paymentToken: fc.string({ maxLength: 270 }),
          currency: fc.string({ maxLength: 4 }),
        }),
        (req) => {
          try {
            validatePlaceOrder(req);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidArgument);
          }
        },
      ),
    );
  });

  it('accepts only order ids this service hands out', () => {
    expect(checkOrderId('order_id', '0b7c2a1e-8f3d-4c55-9a0e-2f1d3c4b5a69')).toBeTruthy();
    expect(() => checkOrderId('order_id', '')).toThrow(/order_id: must not be empty/);
    expect(() => checkOrderId('order_id', 'DROP TABLE')).toThrow(InvalidArgument);
  });
});
