import { createHash } from 'node:crypto';
import { InvalidArgument } from '../../platform/errors.js';
import type { PlaceOrderRequest } from '../../proto/gen/ecom/orders/v1/orders.js';

/** Limits of a PlaceOrder request. */
export const LIMITS = {
  maxLines: 50,
  maxQuantity: 10_000,
  maxIdLength: 128,
  maxSkuLength: 64,
  maxTokenLength: 256,
} as const;

/** Visible ASCII, no spaces: what ids, SKUs and tokens are made of. */
const VISIBLE = /^[\x21-\x7e]+$/;
/** SKUs are inventory ids: letters, digits and ._:- only. */
const SKU = /^[A-Za-z0-9._:-]+$/;
const CURRENCY = /^[A-Z]{3}$/;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A PlaceOrder request that passed validation. */
export interface ValidPlaceOrder {
  idempotencyKey: string;
  /** Empty when the caller left it to the token. */
  userId: string;
  lines: { sku: string; quantity: number }[];
  paymentToken: string;
  /** Empty: the catalogue's currency. */
  currency: string;
  /** sha256 of what the order is (lines, token, currency): a reused key must repeat it. */
  requestHash: string;
}

/** Checks an id-like string field: non-empty, at most `max` visible ASCII characters. */
export function checkId(field: string, value: string, max: number = LIMITS.maxIdLength): string {
  if (value.length === 0) throw new InvalidArgument(field, 'must not be empty');
  if (value.length > max) throw new InvalidArgument(field, `must be at most ${max} characters`);
  if (!VISIBLE.test(value)) throw new InvalidArgument(field, 'must be visible ASCII without spaces');
  return value;
}

/** Checks an order id (the UUIDs this service hands out). */
export function checkOrderId(field: string, value: string): string {
  if (value.length === 0) throw new InvalidArgument(field, 'must not be empty');
  if (!ORDER_ID.test(value)) throw new InvalidArgument(field, 'must be an order id (lower-case UUID)');
  return value;
}

/**
 * Validates a PlaceOrder request before anything is written; the error names the first bad field.
 */
export function validatePlaceOrder(req: PlaceOrderRequest): ValidPlaceOrder {
  const idempotencyKey = checkId('idempotency_key', req.idempotencyKey);
  const userId = req.userId === '' ? '' : checkId('user_id', req.userId);
  if (req.lines.length === 0) throw new InvalidArgument('lines', 'must have at least one line');
  if (req.lines.length > LIMITS.maxLines) {
    throw new InvalidArgument('lines', `must have at most ${LIMITS.maxLines} lines`);
  }
  const seen = new Set<string>();
  const lines = req.lines.map((line, i) => {
    const sku = checkId(`lines[${i}].sku`, line.sku, LIMITS.maxSkuLength);
    if (!SKU.test(sku))
      throw new InvalidArgument(`lines[${i}].sku`, 'may only hold letters, digits and ._:-');
    if (seen.has(sku)) throw new InvalidArgument(`lines[${i}].sku`, `duplicate SKU ${sku}`);
    seen.add(sku);
    if (!Number.isInteger(line.quantity) || line.quantity <= 0 || line.quantity > LIMITS.maxQuantity) {
      throw new InvalidArgument(`lines[${i}].quantity`, `must be 1..${LIMITS.maxQuantity}`);
    }
    return { sku, quantity: line.quantity };
  });
  const paymentToken = checkId('payment_token', req.paymentToken, LIMITS.maxTokenLength);
  if (req.currency !== '' && !CURRENCY.test(req.currency)) {
    throw new InvalidArgument('currency', 'must be an ISO 4217 code (three upper-case letters) or empty');
  }
  const requestHash = createHash('sha256')
    .update(JSON.stringify({ lines, paymentToken, currency: req.currency }))
    .digest('hex');
  return { idempotencyKey, userId, lines, paymentToken, currency: req.currency, requestHash };
}
