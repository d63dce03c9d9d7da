import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signaturePayload, verifySignature } from './signature.js';

const secret = 'a-shared-secret-of-enough-length';
const req = { method: 'POST', path: '/v1/charges', idempotencyKey: 'k1', body: '{"amount_minor":1}' };
const sign = (t: number, r = req) =>
  `t=${t},v1=${createHmac('sha256', secret)
    .update(signaturePayload({ t, ...r }))
    .digest('hex')}`;
const opts = { now: 1_000_000, toleranceMs: 300_000 };

describe('verifySignature', () => {
  it('accepts a valid signature', () => {
    expect(verifySignature(sign(opts.now), req, secret, opts)).toBeUndefined();
  });

  it('refuses a missing, malformed, stale or mismatching one', () => {
    expect(verifySignature(undefined, req, secret, opts)).toMatch(/missing/);
    expect(verifySignature('t=1,v1=zz', req, secret, opts)).toMatch(/malformed/);
    expect(verifySignature(sign(opts.now - 300_001), req, secret, opts)).toMatch(/tolerance/);
    expect(verifySignature(sign(opts.now), { ...req, body: '{"amount_minor":2}' }, secret, opts)).toMatch(
      /match/,
    );
    expect(verifySignature(sign(opts.now), { ...req, idempotencyKey: 'k2' }, secret, opts)).toMatch(/match/);
    expect(verifySignature(sign(opts.now), { ...req, path: '/v1/refunds' }, secret, opts)).toMatch(/match/);
  });
});
