import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header carrying the signature: `t=<epoch ms>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'ecom-signature';

/**
 * What a caller signs: `<t>.<METHOD>.<path with query>.<Idempotency-Key or empty>.<raw body>`.
 * Binding method, path and key stops a signed body from being replayed against another endpoint.
 */
export function signaturePayload(p: {
  t: number;
  method: string;
  path: string;
  idempotencyKey: string;
  body: string;
}): string {
  return `${p.t}.${p.method.toUpperCase()}.${p.path}.${p.idempotencyKey}.${p.body}`;
}

/** Why a signature was refused, or undefined when it is valid. */
export function verifySignature(
  header: string | undefined,
  req: { method: string; path: string; idempotencyKey: string; body: string },
  secret: string,
  opts: { now: number; toleranceMs: number },
): string | undefined {
  if (!header) return `missing ${SIGNATURE_HEADER} header`;
  const parts = new Map(
    header.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return 'malformed signature header';
  if (Math.abs(opts.now - t) > opts.toleranceMs) return 'signature timestamp outside the tolerance';
  const expected = createHmac('sha256', secret)
    .update(signaturePayload({ t, ...req }))
    .digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex')) ? undefined : 'signature does not match';
}
