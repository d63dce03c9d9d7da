import { FailedPrecondition, NotFound } from '../../platform/errors.js';
import type { CallContext } from '../../platform/grpc/context.js';
import type { Logger } from '../../platform/logger.js';
import type { Payment, RefundResponse } from '../../proto/gen/ecom/payments/v1/payments.js';
import type { PaymentsSection } from './config.js';
import type { GatewayCaller } from './gateway-caller.js';
import { hashOf, newId, newOwner } from './ids.js';
import type { DueRow } from './leases.js';
import { resumePending } from './pending.js';
import { nothingSent, outcomeUnknown } from './unavailable.js';
import type { RefundRow, RefundStore } from './refund-store.js';
import { refundAmount } from './refund-rules.js';
import { NO_RECORD, type PaymentStore } from './store.js';
import type { ValidRefund } from './validate.js';
import { toPaymentMessage } from './view.js';

export interface RefundDeps {
  store: PaymentStore;
  refunds: RefundStore;
  gateway: GatewayCaller;
  config: PaymentsSection;
  instanceName: string;
  logger: Logger;
}

const BREAKER_OPEN =
  'payment gateway unavailable (circuit breaker open): failing fast, no refund was made; retry later';

/**
 * Refund, once per idempotency key, never more than captured: the same intent / settle / lease
 * scheme as Charge. A PENDING refund reserves its amount, so concurrent refunds cannot together
 * exceed the payment. A refund the gateway refuses ends FAILED (FAILED_PRECONDITION, replayed on
 * retry); a refund whose outcome is unknown stays PENDING (UNAVAILABLE: retry with the same key).
 */
export class Refunds {
  constructor(private readonly d: RefundDeps) {}

  async refund(req: ValidRefund, ctx: CallContext): Promise<RefundResponse> {
    const hash = hashOf([req.paymentId, req.amountMinor, req.currency ?? '']);
    for (;;) {
      const existing = await this.d.refunds.byKey(req.idempotencyKey);
      if (existing) {
        if (existing.requestHash !== hash) {
          throw new FailedPrecondition('idempotency_key: already used for a different refund', {
            field: 'idempotency_key',
            reason: 'idempotency_key_reused',
          });
        }
        const payment = await resumePending(existing, this.pendingOps(ctx), ctx, this.d.config);
        if (payment) return { payment };
        continue;
      }
      if (this.d.gateway.breaker.refusing()) throw nothingSent(BREAKER_OPEN);
      const owner = newOwner(this.d.instanceName);
      const row = await this.d.refunds.reserve(
        {
          refundId: newId('ref'),
          idempotencyKey: req.idempotencyKey,
          requestHash: hash,
          paymentId: req.paymentId,
          reason: req.reason ?? null,
          leaseOwner: owner,
          leaseMs: ctx.remainingMs() + this.d.config.leaseMarginMs,
        },
        (payment, pending) => refundAmount(payment, pending, req),
      );
      if (!row) continue;
      return { payment: await this.drive(row, owner, ctx, true) };
    }
  }

  /** The settler's step for a PENDING refund whose lease expired (see Charges.settleDue). */
  async settleDue(due: DueRow): Promise<'settled' | 'abandoned' | 'left' | 'busy'> {
    const cfg = this.d.config.settler;
    const owner = newOwner(this.d.instanceName);
    if (
      !(await this.d.refunds.leases.take(due.id, owner, cfg.lookupTimeoutMs + this.d.config.leaseMarginMs))
    ) {
      return 'busy';
    }
    const found = await this.d.gateway.findRefund(due.idempotencyKey, {
      deadline: Date.now() + cfg.lookupTimeoutMs,
    });
    if (found.ok && found.value) {
      await this.d.refunds.succeed(due.id, found.value.id);
      return 'settled';
    }
    if (
      found.ok &&
      due.ageMs >= cfg.abandonAfterMs &&
      (await this.d.refunds.fail(due.id, NO_RECORD, owner))
    ) {
      return 'abandoned';
    }
    await this.d.refunds.leases.release(due.id, owner);
    return 'left';
  }

  private async drive(
    row: RefundRow,
    owner: string,
    ctx: CallContext,
    createdHere: boolean,
  ): Promise<Payment> {
    const payment = await this.d.store.byId(row.paymentId);
    if (!payment?.gatewayChargeId) throw new Error(`refund ${row.refundId}: payment has no gateway charge`);
    const budget = { deadline: ctx.deadline - this.d.config.answerMarginMs, signal: ctx.signal };
    const result = await this.d.gateway.refund(
      row.idempotencyKey,
      { chargeId: payment.gatewayChargeId, amountMinor: row.amountMinor, reason: row.reason ?? undefined },
      budget,
    );
    if (result.ok) {
      const answer = result.value;
      if (answer.ok) {
        await this.d.refunds.succeed(row.refundId, answer.value.id);
        return this.view(row.paymentId);
      }
      const reason = `gateway_refused:${answer.refusal.code}`;
      await this.d.refunds.fail(row.refundId, reason, owner);
      throw new FailedPrecondition(`refund ${row.refundId} failed: ${reason} (${answer.refusal.message})`);
    }
    if (result.maybeSent && !ctx.signal.aborted && !this.d.gateway.breaker.refusing()) {
      const found = await this.d.gateway.findRefund(row.idempotencyKey, budget);
      if (found.ok && found.value) {
        await this.d.refunds.succeed(row.refundId, found.value.id);
        return this.view(row.paymentId);
      }
    }
    const why = result.failure;
    if (!result.maybeSent && createdHere && (await this.d.refunds.leases.deleteHeld(row.refundId, owner))) {
      throw nothingSent(
        why.kind === 'breaker_open'
          ? BREAKER_OPEN
          : `payment gateway unavailable (${why.message}): no refund was made; retry later`,
      );
    }
    await this.d.refunds.leases.release(row.refundId, owner);
    throw outcomeUnknown(
      `payment gateway gave no answer (${why.message}): refund ${row.refundId} is PENDING until its outcome is known; ` +
        'retry with the same idempotency_key',
    );
  }

  private pendingOps(ctx: CallContext) {
    const refunds = this.d.refunds;
    return {
      isPending: (r: RefundRow) => r.status === 'PENDING',
      finished: async (r: RefundRow) => {
        if (r.status === 'FAILED')
          throw new FailedPrecondition(`refund ${r.refundId} failed: ${r.failureReason}`);
        return this.view(r.paymentId);
      },
      askGateway: async (r: RefundRow) => {
        if (this.d.gateway.breaker.refusing()) return undefined;
        const deadline = Math.min(
          ctx.deadline - this.d.config.answerMarginMs,
          Date.now() + this.d.config.settler.lookupTimeoutMs,
        );
        const found = await this.d.gateway.findRefund(r.idempotencyKey, { deadline, signal: ctx.signal });
        if (!found.ok || !found.value) return undefined;
        await refunds.succeed(r.refundId, found.value.id);
        return refunds.byId(r.refundId);
      },
      takeLease: (r: RefundRow, owner: string, ms: number) => refunds.leases.take(r.refundId, owner, ms),
      drive: (r: RefundRow, owner: string) => this.drive(r, owner, ctx, false),
      reload: (r: RefundRow) => refunds.byId(r.refundId),
      newOwner: () => newOwner(this.d.instanceName),
      busyMessage: (r: RefundRow) =>
        `refund ${r.refundId} is PENDING: another call is settling it; retry with the same idempotency_key`,
    };
  }

  private async view(paymentId: string): Promise<Payment> {
    const row = await this.d.store.byId(paymentId);
    if (!row) throw new NotFound(`payment ${paymentId} not found`);
    return toPaymentMessage(row);
  }
}
