import { describe, expect, it } from 'vitest';
import { verifySignature } from '../gateway/signature.js';
import { fraudScore, hmacHex, signaturePayload, signer } from './crypto-work.js';

const features = { paymentToken: 'tok_ok', amountMinor: 1000, currency: 'EUR', userId: 'u', orderId: 'o' };

describe('request signing', () => {
  it('produces signatures the gateway accepts', () => {
    const secret = 'x'.repeat(32);
    const req = { method: 'POST', path: '/v1/charges', idempotencyKey: 'k', body: '{"a":1}' };
    const t = 1_700_000_000_000;
    const header = `t=${t},v1=${hmacHex(secret, signaturePayload({ t, ...req }))}`;
    expect(verifySignature(header, req, secret, { now: t, toleranceMs: 1_000 })).toBeUndefined();
    expect(verifySignature(header, req, 'y'.repeat(32), { now: t, toleranceMs: 1_000 })).toMatch(/match/);
  });

  it('signs with the configured secret, and not at all without one', () => {
    const secret = 'z'.repeat(32);
    const req = { method: 'POST', path: '/v1/charges', idempotencyKey: 'k2', body: '{}' };
    const t = 1_700_000_000_000;
    const sign = signer(secret);
    expect(sign).toBeDefined();
    const header = `t=${t},v1=${sign!(signaturePayload({ t, ...req }))}`;
    expect(verifySignature(header, req, secret, { now: t, toleranceMs: 1_000 })).toBeUndefined();
    expect(signer(undefined)).toBeUndefined();
  });
});

describe('fraudScore', () => {
  it('is deterministic and low for ordinary payments', () => {
    expect(fraudScore(features, 100)).toBe(fraudScore(features, 100));
    expect(fraudScore(features, 100)).toBeLessThan(0.1);
    expect(fraudScore(features, 100)).not.toBe(fraudScore(features, 101));
  });

  it('scores tok_fraud above any sensible threshold, and large amounts higher', () => {
    expect(fraudScore({ ...features, paymentToken: 'tok_fraud' }, 10)).toBeGreaterThanOrEqual(0.95);
    expect(fraudScore({ ...features, amountMinor: 10_000_000 }, 10)).toBeGreaterThanOrEqual(0.4);
    expect(fraudScore({ ...features, amountMinor: 10_000_000 }, 10)).toBeLessThan(0.9);
  });
});
