import { createHash, createHmac } from 'node:crypto';

// The signing scheme is the gateway's (a provider publishes it; here it is our simulator's module).
export { SIGNATURE_HEADER, signaturePayload } from '../gateway/signature.js';

/** HMAC-SHA256 of the payload, hex. */
export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** The request signer of a secret (HMAC-SHA256 hex, inline: ~7 µs), or undefined when signing is off. */
export function signer(secret: string | undefined): ((payload: string) => string) | undefined {
  return secret === undefined ? undefined : (payload) => hmacHex(secret, payload);
}

/** What the fraud score looks at. */
export interface FraudFeatures {
  paymentToken: string;
  amountMinor: number;
  currency: string;
  userId: string;
  orderId: string;
}

/** Amounts from which the score adds risk (in minor units). */
const LARGE_AMOUNT_MINOR = 5_000_000;

/**
 * A deterministic fraud score in [0, 1]. `rounds` sha256 iterations over the features stand in for
 * a model's CPU cost (that is why it runs on the worker pool); the digest adds a small jitter.
 * The token `tok_fraud` always scores at least 0.95; large amounts add 0.4.
 */
export function fraudScore(f: FraudFeatures, rounds: number): number {
  let digest = createHash('sha256')
    .update(`${f.paymentToken}|${f.amountMinor}|${f.currency}|${f.userId}|${f.orderId}`)
    .digest();
  for (let i = 1; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
  const jitter = (digest[0]! / 255) * 0.05;
  const base = f.paymentToken === 'tok_fraud' ? 0.95 : 0;
  const amountRisk = f.amountMinor >= LARGE_AMOUNT_MINOR ? 0.4 : 0;
  return Math.min(1, base + amountRisk + jitter);
}
