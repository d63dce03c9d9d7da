import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../platform/errors.js';
import type { ChargeRequest } from '../../proto/gen/ecom/payments/v1/payments.js';
import { validateCharge, validateGet, validateRefund } from './validate.js';

const charge: ChargeRequest = {
  idempotencyKey: 'k',
  orderId: 'o',
  userId: 'u',
  amount: { amountMinor: 100, currency: 'EUR' },
  paymentToken: 'tok_ok',
};
const field = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgument);
    return (err as InvalidArgument).field;
  }
  return undefined;
};

describe('validateCharge', () => {
  it('accepts a good request', () => {
    expect(validateCharge(charge)).toEqual({
      idempotencyKey: 'k',
      orderId: 'o',
      userId: 'u',
      amountMinor: 100,
      currency: 'EUR',
      paymentToken: 'tok_ok',
    });
  });

  it('names the bad field', () => {
    expect(field(() => validateCharge({ ...charge, idempotencyKey: '' }))).toBe('idempotency_key');
    expect(field(() => validateCharge({ ...charge, idempotencyKey: 'x'.repeat(256) }))).toBe(
      'idempotency_key',
    );
    expect(field(() => validateCharge({ ...charge, userId: '  ' }))).toBe('user_id');
    expect(field(() => validateCharge({ ...charge, amount: undefined }))).toBe('amount');
    expect(field(() => validateCharge({ ...charge, amount: { amountMinor: 0, currency: 'EUR' } }))).toBe(
      'amount.amount_minor',
    );
    expect(field(() => validateCharge({ ...charge, amount: { amountMinor: 1e13, currency: 'EUR' } }))).toBe(
      'amount.amount_minor',
    );
    expect(field(() => validateCharge({ ...charge, amount: { amountMinor: 1, currency: 'EURO' } }))).toBe(
      'amount.currency',
    );
    expect(field(() => validateCharge({ ...charge, paymentToken: '' }))).toBe('payment_token');
    expect(field(() => validateCharge({ ...charge, paymentToken: 'tok_a b' }))).toBe('payment_token');
  });
});

describe('validateRefund', () => {
  it('treats an unset or zero amount as the whole remainder', () => {
    const r = { paymentId: 'p', idempotencyKey: 'k', amount: undefined, reason: '' };
    expect(validateRefund(r)).toEqual({
      paymentId: 'p',
      idempotencyKey: 'k',
      amountMinor: 0,
      currency: undefined,
      reason: undefined,
    });
    expect(validateRefund({ ...r, amount: { amountMinor: 0, currency: '' } }).amountMinor).toBe(0);
    expect(validateRefund({ ...r, amount: { amountMinor: 5, currency: 'EUR' }, reason: 'x' })).toMatchObject({
      amountMinor: 5,
      currency: 'EUR',
      reason: 'x',
    });
  });

  it('names the bad field', () => {
    const r = { paymentId: 'p', idempotencyKey: 'k', amount: undefined, reason: '' };
    expect(field(() => validateRefund({ ...r, paymentId: '' }))).toBe('payment_id');
    expect(field(() => validateRefund({ ...r, amount: { amountMinor: -1, currency: 'EUR' } }))).toBe(
      'amount.amount_minor',
    );
    expect(field(() => validateRefund({ ...r, amount: { amountMinor: 1, currency: '' } }))).toBe(
      'amount.currency',
    );
    expect(field(() => validateRefund({ ...r, reason: 'x'.repeat(256) }))).toBe('reason');
  });
});

describe('validateGet', () => {
  it('needs exactly one non-empty key', () => {
    expect(validateGet({ key: { $case: 'orderId', value: 'o' } })).toEqual({ by: 'orderId', value: 'o' });
    expect(field(() => validateGet({ key: undefined }))).toBe('key');
    expect(field(() => validateGet({ key: { $case: 'paymentId', value: '' } }))).toBe('payment_id');
  });
});
