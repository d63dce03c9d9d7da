import { randomUUID } from 'node:crypto';
import { status as Status } from '@grpc/grpc-js';
import type { CallContext } from '../../platform/grpc/context.js';
import { isServiceError } from '../../platform/grpc/status.js';
import { InvalidArgument, PermissionDenied, UnavailableNothingDone } from '../../platform/errors.js';
import { clientAddressOf } from '../../platform/ratelimit.js';
import type { PlaceOrderRequest, PlaceOrderResponse } from '../../proto/gen/ecom/orders/v1/orders.js';
import { answerWithinMs, awaitTerminal, callerOf, within, type OrdersApp, type WithGtid } from './app.js';
import { BreakerOpenError } from './breakers.js';
import { toOrder } from './mapping.js';
import { DuplicateOrder, type OrderRow } from './store.js';
import { validatePlaceOrder, type ValidPlaceOrder } from './validate.js';

/**
 * PlaceOrder: validates, prices the lines (inventory GetSkus), inserts the order PENDING (one per
 * user and idempotency key, enforced by a unique index, so concurrent duplicates on any instance
 * make one order) and runs its saga. Answers with the terminal order when the saga ends before the
 * deadline, else with the order as it stands (PENDING; the saga goes on, the client polls GetOrder).
 */
export async function placeOrder(
  app: OrdersApp,
  req: PlaceOrderRequest,
  ctx: CallContext,
): Promise<WithGtid<PlaceOrderResponse>> {
  const v = validatePlaceOrder(req);
  const caller = callerOf(app, ctx);
  if (caller !== undefined && v.userId !== '' && v.userId !== caller) {
    throw new PermissionDenied('user_id does not match the access token');
  }
  const userId = caller ?? v.userId;
  if (userId === '') throw new InvalidArgument('user_id', 'must not be empty without an access token');
  await app.limits.perUser?.consume(`user:${userId}`);
  await app.limits.perAddress?.consume(`addr:${clientAddressOf(ctx.peer)}`);

  // Fail fast while a dependency's breaker is open, or while this instance is full, before
  // anything is written.
  const open = Object.values(app.downstream.breakers).find((b) => b.isOpen());
  const full = app.runner.size + app.admission.pending >= app.config.maxInProgress;
  if (full && !open) {
    const existing = await app.store.findByKey(userId, v.idempotencyKey);
    if (existing) return replay(app, existing, v, ctx);
    app.admission.shed();
    throw new UnavailableNothingDone(
      `orders is at capacity (${app.config.maxInProgress} orders in progress on this instance); no order was created, retry shortly`,
    );
  }
  if (open) {
    const existing = await app.store.findByKey(userId, v.idempotencyKey);
    if (existing) return replay(app, existing, v, ctx);
    throw new UnavailableNothingDone(
      `${open.target} is unavailable (circuit breaker open); no order was created, retry in ~${open.retryInMs()} ms`,
    );
  }
  // Admitted: counts towards capacity until its saga runs (then the runner counts it).
  app.admission.pending += 1;
  let held = true;
  const admitted = () => {
    if (held) app.admission.pending -= 1;
    held = false;
  };
  try {
    const priced = await price(app, v, ctx);
    if (typeof priced === 'string') {
      const existing = await app.store.findByKey(userId, v.idempotencyKey);
      if (existing) return replay(app, existing, v, ctx);
      throw new InvalidArgument(priced, 'unknown SKU');
    }

    const orderId = randomUUID();
    const claim = app.runner.newClaim();
    const claimedAt = Date.now();
    let gtid: string | undefined;
    try {
      ({ gtid } = await app.store.insert(
        {
          orderId,
          userId,
          idempotencyKey: v.idempotencyKey,
          requestHash: v.requestHash,
          currency: priced.currency,
          totalMinor: priced.totalMinor,
          paymentToken: v.paymentToken,
          lines: priced.lines,
        },
        claim,
      ));
    } catch (err) {
      if (!(err instanceof DuplicateOrder)) throw err;
      const existing = await app.store.findByKey(userId, v.idempotencyKey);
      if (!existing) throw err;
      return replay(app, existing, v, ctx);
    }
    const saga = app.runner.start(orderId, claim, claimedAt, {
      order: {
        orderId,
        userId,
        lines: v.lines,
        totalMinor: priced.totalMinor,
        currency: priced.currency,
        paymentToken: v.paymentToken,
      },
      state: {
        status: 'PENDING',
        step: 'created',
        reason: null,
        detail: null,
        todo: null,
        cancelRequested: false,
        paymentId: null,
      },
      gtid,
    });
    admitted();
    await within(saga.done, answerWithinMs(app, ctx));
    const row = await app.store.get(app.store.primaryPool, orderId);
    if (!row) throw new Error(`order ${orderId} vanished after insert`);
    return { response: { order: toOrder(row), replayed: false }, gtid: saga.lastGtid() };
  } finally {
    admitted();
  }
}

/** The same key again: the same order (after waiting for its saga like the first call would). */
async function replay(
  app: OrdersApp,
  existing: OrderRow,
  v: ValidPlaceOrder,
  ctx: CallContext,
): Promise<WithGtid<PlaceOrderResponse>> {
  if (existing.requestHash !== v.requestHash) {
    throw new InvalidArgument('idempotency_key', 'already used for a different order');
  }
  const { row, gtid } = await awaitTerminal(app, existing.orderId, ctx);
  return { response: { order: toOrder(row ?? existing), replayed: true }, gtid };
}

interface Priced {
  currency: string;
  totalMinor: number;
  lines: { sku: string; quantity: number; unitPriceMinor: number }[];
}

/** Prices the lines from the catalogue; returns the field of an unknown SKU instead. */
async function price(app: OrdersApp, v: ValidPlaceOrder, ctx: CallContext): Promise<Priced | string> {
  const d = app.downstream;
  let skus;
  try {
    ({ skus } = await d.call(
      'inventory',
      (c) => d.inventory.getSkus({ skus: v.lines.map((l) => l.sku) }, { ...c, signal: ctx.signal }),
      Math.min(app.config.callDeadlineMs, ctx.remainingMs()),
    ));
  } catch (err) {
    if (err instanceof BreakerOpenError)
      throw new UnavailableNothingDone(`${err.message}; no order was created`);
    if (isServiceError(err) && err.code === Status.INVALID_ARGUMENT) {
      throw new InvalidArgument('lines', `inventory refused the SKUs: ${err.details}`);
    }
    const what = isServiceError(err) ? `${Status[err.code]} ${err.details}` : String(err);
    throw new UnavailableNothingDone(`inventory cannot price the order (${what}); no order was created`);
  }
  const bySku = new Map(skus.map((s) => [s.sku, s.unitPrice]));
  let currency = '';
  let total = 0n;
  const lines: Priced['lines'] = [];
  for (const [i, line] of v.lines.entries()) {
    const unit = bySku.get(line.sku);
    if (!unit) return `lines[${i}].sku`;
    if (
      !/^[A-Z]{3}$/.test(unit.currency) ||
      !Number.isSafeInteger(unit.amountMinor) ||
      unit.amountMinor < 0
    ) {
      throw new InvalidArgument(`lines[${i}].sku`, 'has no valid price in the catalogue');
    }
    if (currency !== '' && unit.currency !== currency) {
      throw new InvalidArgument(`lines[${i}].sku`, `priced in ${unit.currency}, other lines in ${currency}`);
    }
    currency = unit.currency;
    total += BigInt(unit.amountMinor) * BigInt(line.quantity);
    lines.push({ sku: line.sku, quantity: line.quantity, unitPriceMinor: unit.amountMinor });
  }
  if (v.currency !== '' && v.currency !== currency) {
    throw new InvalidArgument('currency', `the SKUs are priced in ${currency}`);
  }
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgument('lines', 'order total too large');
  return { currency, totalMinor: Number(total), lines };
}
