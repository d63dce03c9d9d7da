import { describe, expect, it } from 'vitest';
import { chargeHash, fromCharge, fromRefusal } from './settlements.js';

const charge = {
  id: 'ch_1',
  amount_minor: 10,
  currency: 'EUR',
  amount_refunded_minor: 0,
  failure_code: null,
};
const req = {
  idempotencyKey: 'k',
  orderId: 'o',
  userId: 'u',
  amountMinor: 10,
  currency: 'EUR',
  paymentToken: 'tok_ok',
};

describe('settlements from the gateway', () => {
  it('maps charges: captured, declined, authorized-only', () => {
    expect(fromCharge({ ...charge, status: 'captured' })).toEqual({
      status: 'CAPTURED',
      gatewayChargeId: 'ch_1',
      failureReason: null,
    });
    expect(fromCharge({ ...charge, status: 'declined', failure_code: 'card_declined' })).toMatchObject({
      status: 'DECLINED',
      failureReason: 'card_declined',
    });
    expect(fromCharge({ ...charge, status: 'authorized' })).toMatchObject({ status: 'FAILED' });
  });

  it('maps refusals: 402 is a decline, other 4xx a failure', () => {
    expect(fromRefusal({ status: 402, code: 'card_declined', message: '', chargeId: 'ch_2' })).toEqual({
      status: 'DECLINED',
      gatewayChargeId: 'ch_2',
      failureReason: 'card_declined',
    });
    expect(fromRefusal({ status: 422, code: 'idempotency_key_reused', message: '' })).toEqual({
      status: 'FAILED',
      gatewayChargeId: null,
      failureReason: 'gateway_refused:idempotency_key_reused',
    });
  });
});

describe('chargeHash', () => {
  it('changes with every field but the key', () => {
    const h = chargeHash(req);
    expect(chargeHash({ ...req, idempotencyKey: 'other' })).toBe(h);
    for (const over of [
      { orderId: 'x' },
      { userId: 'x' },
      { amountMinor: 11 },
      { currency: 'USD' },
      { paymentToken: 'tok_x' },
    ]) {
      expect(chargeHash({ ...req, ...over })).not.toBe(h);
    }
  });
});
