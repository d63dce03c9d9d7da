import { InvalidArgument } from '../../platform/errors.js';
import type {
  ChargeRequest,
  GetPaymentRequest,
  RefundRequest,
} from '../../proto/gen/ecom/payments/v1/payments.js';

/** Largest amount accepted, in minor units (well inside exact double integers). */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;
const TOKEN = /^tok_[A-Za-z0-9_]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;

/** A Charge request that passed validation. */
export interface ValidCharge {
  idempotencyKey: string;
  orderId: string;
  userId: string;
  amountMinor: number;
  currency: string;
  paymentToken: string;
}

/** A Refund request that passed validation; amountMinor 0 means the whole remainder. */
export interface ValidRefund {
  paymentId: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: string | undefined;
  reason: string | undefined;
}

/** Checks a Charge request; bad input is InvalidArgument naming the field. */
export function validateCharge(req: ChargeRequest): ValidCharge {
  const amount = req.amount;
  if (!amount) throw new InvalidArgument('amount', 'required');
  return {
    idempotencyKey: text(req.idempotencyKey, 'idempotency_key'),
    orderId: text(req.orderId, 'order_id'),
    userId: text(req.userId, 'user_id'),
    amountMinor: positiveAmount(amount.amountMinor, 'amount.amount_minor'),
    currency: currency(amount.currency, 'amount.currency'),
    paymentToken: token(req.paymentToken),
  };
}

/** Checks a Refund request; an unset or zero amount asks for the whole remainder. */
export function validateRefund(req: RefundRequest): ValidRefund {
  const amountMinor = req.amount?.amountMinor ?? 0;
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new InvalidArgument(
      'amount.amount_minor',
      'must be a non-negative integer (0 = the whole remainder)',
    );
  }
  if (amountMinor > MAX_AMOUNT_MINOR)
    throw new InvalidArgument('amount.amount_minor', `at most ${MAX_AMOUNT_MINOR}`);
  if (req.reason.length > 255) throw new InvalidArgument('reason', 'at most 255 characters');
  return {
    paymentId: text(req.paymentId, 'payment_id'),
    idempotencyKey: text(req.idempotencyKey, 'idempotency_key'),
    amountMinor,
    currency: amountMinor > 0 ? currency(req.amount?.currency ?? '', 'amount.currency') : undefined,
    reason: req.reason === '' ? undefined : req.reason,
  };
}

/** Which key a GetPayment asks by. */
export type PaymentLookup = { by: 'paymentId' | 'orderId' | 'idempotencyKey'; value: string };

export function validateGet(req: GetPaymentRequest): PaymentLookup {
  const key = req.key;
  if (!key) throw new InvalidArgument('key', 'set one of payment_id, order_id, idempotency_key');
  const field = { paymentId: 'payment_id', orderId: 'order_id', idempotencyKey: 'idempotency_key' }[
    key.$case
  ];
  return { by: key.$case, value: text(key.value, field) };
}

function text(v: string, field: string): string {
  if (v.trim().length === 0) throw new InvalidArgument(field, 'required');
  if (v.length > 255) throw new InvalidArgument(field, 'at most 255 characters');
  return v;
}

function positiveAmount(v: number, field: string): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new InvalidArgument(field, 'must be a positive integer');
  if (v > MAX_AMOUNT_MINOR) throw new InvalidArgument(field, `at most ${MAX_AMOUNT_MINOR}`);
  return v;
}

function currency(v: string, field: string): string {
  if (!CURRENCY.test(v)) throw new InvalidArgument(field, 'an upper-case ISO 4217 code, e.g. EUR');
  return v;
}

function token(v: string): string {
  if (v.length === 0) throw new InvalidArgument('payment_token', 'required');
  if (!TOKEN.test(v))
    throw new InvalidArgument('payment_token', 'tok_ followed by 1-64 letters, digits or _');
  return v;
}
