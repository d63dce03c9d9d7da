import type { CallContext } from '../../platform/grpc/context.js';
import type { Logger } from '../../platform/logger.js';
import type { ChargeResponse, Payment } from '../../proto/gen/ecom/payments/v1/payments.js';
import type { PaymentsSection } from './config.js';
import type { GatewayCaller } from './gateway-caller.js';
import { newId, newOwner } from './ids.js';
import type { DueRow } from './leases.js';
import { resumePending } from './pending.js';
import { chargeHash, fromCharge, fromRefusal, keyReused } from './settlements.js';
import { NO_RECORD, type PaymentRow, type PaymentStore, type Settlement } from './store.js';
import { nothingSent, outcomeUnknown } from './unavailable.js';
import type { ValidCharge } from './validate.js';
import { toPaymentMessage } from './view.js';
import type { WorkPool } from './work-pool.js';

/** Said when Charge fails fast because the payments→gateway breaker is open. */
export const BREAKER_OPEN_MESSAGE =
  'payment gateway unavailable (circuit breaker open): failing fast, no charge was made; retry later';

export interface ChargeDeps {
  store: PaymentStore;
  gateway: GatewayCaller;
  work: WorkPool;
  config: PaymentsSection;
  instanceName: string;
  logger: Logger;
}

/**
 * Charge, exactly once per idempotency key. The intent (a PENDING row, unique key) is recorded
 * before the gateway is called with the same key; the outcome is settled from the gateway's
 * answer or, when it was lost, by asking the gateway. A retry replays a finished payment, settles
 * a PENDING one from the gateway, or takes it over and re-sends the same key.
 *
 * Breaker open: fails fast with UNAVAILABLE before writing anything. A new intent whose request
 * provably never reached the gateway (breaker opened meanwhile, connection refused, 429) is
 * deleted, so no PENDING row is left behind and the key stays usable. Every UNAVAILABLE carries
 * the trailer `payment-outcome: none|unknown` (see unavailable.ts); PENDING rows nobody retries
 * are settled by the settler (FAILED gateway_no_record after abandonAfterMs if the gateway never
 * saw them).
 */
export class Charges {
  constructor(private readonly d: ChargeDeps) {}

  async charge(req: ValidCharge, ctx: CallContext): Promise<ChargeResponse> {
    const hash = chargeHash(req);
    // Most calls carry a new key: record the intent first and read an existing row only when the
    // key is taken, or when the breaker refuses new work (a finished payment still replays).
    let existing = this.d.gateway.breaker.refusing()
      ? await this.d.store.byKey(req.idempotencyKey)
      : undefined;
    for (;;) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (existing) {
        if (existing.requestHash !== hash) throw keyReused(existing, req);
        const payment = await resumePending(existing, this.pendingOps(req, ctx), ctx, this.d.config);
        if (payment) return { payment, replayed: true };
        existing = undefined; // the intent was withdrawn meanwhile: start afresh
      }
      if (this.d.gateway.breaker.refusing()) throw nothingSent(BREAKER_OPEN_MESSAGE);
      const now = new Date();
      const row: PaymentRow = {
        paymentId: newId('pay'),
        idempotencyKey: req.idempotencyKey,
        requestHash: hash,
        orderId: req.orderId,
        userId: req.userId,
        amountMinor: req.amountMinor,
        currency: req.currency,
        status: 'PENDING',
        refundedMinor: 0,
        gatewayChargeId: null,
        failureReason: null,
        createdAt: now,
        updatedAt: now,
      };
      const owner = newOwner(this.d.instanceName);
      const leaseMs = ctx.remainingMs() + this.d.config.leaseMarginMs;
      if (!(await this.d.store.insert(row, { owner, ms: leaseMs }))) {
        existing = await this.d.store.byKey(req.idempotencyKey);
        continue;
      }
      // Scored under our lease, before anything is sent: a fraud suspect never reaches the gateway.
      const score = await this.d.work.fraudScore({
        paymentToken: req.paymentToken,
        amountMinor: req.amountMinor,
        currency: req.currency,
        userId: req.userId,
        orderId: req.orderId,
      });
      if (score >= this.d.config.workers.fraudThreshold) {
        const declined: Settlement = {
          status: 'DECLINED',
          gatewayChargeId: null,
          failureReason: 'fraud_suspected',
          fraudScore: score,
        };
        return { payment: await this.finish(row, declined, { owner }), replayed: false };
      }
      const payment = await this.drive(row, req, owner, ctx, { createdHere: true, fraudScore: score });
      return { payment, replayed: false };
    }
  }

  /**
   * The settler's step for a PENDING payment whose lease expired: ask the gateway; settle from its
   * record, or mark FAILED (gateway_no_record) once the row is older than abandonAfterMs.
   */
  async settleDue(due: DueRow): Promise<'settled' | 'abandoned' | 'left' | 'busy'> {
    const cfg = this.d.config.settler;
    const owner = newOwner(this.d.instanceName);
    if (!(await this.d.store.leases.take(due.id, owner, cfg.lookupTimeoutMs + this.d.config.leaseMarginMs))) {
      return 'busy';
    }
    const found = await this.d.gateway.findCharge(due.idempotencyKey, {
      deadline: Date.now() + cfg.lookupTimeoutMs,
    });
    if (found.ok && found.value) {
      await this.d.store.settle(due.id, fromCharge(found.value), 'proved');
      return 'settled';
    }
    if (found.ok && due.ageMs >= cfg.abandonAfterMs) {
      const s: Settlement = { status: 'FAILED', gatewayChargeId: null, failureReason: NO_RECORD };
      if (await this.d.store.settle(due.id, s, { owner })) return 'abandoned';
    }
    await this.d.store.leases.release(due.id, owner);
    return 'left';
  }

  private async drive(
    row: PaymentRow,
    req: ValidCharge,
    owner: string,
    ctx: CallContext,
    opts: { createdHere: boolean; fraudScore?: number },
  ): Promise<Payment> {
    const paymentId = row.paymentId;
    const scored = (s: Settlement): Settlement => ({ ...s, fraudScore: opts.fraudScore });
    const budget = { deadline: ctx.deadline - this.d.config.answerMarginMs, signal: ctx.signal };
    const result = await this.d.gateway.charge(req.idempotencyKey, req, budget);
    if (result.ok) {
      const answer = result.value;
      const s = answer.ok ? fromCharge(answer.value) : fromRefusal(answer.refusal);
      return this.finish(row, scored(s), answer.ok || answer.refusal.status === 402 ? 'proved' : { owner });
    }
    if (result.maybeSent && !ctx.signal.aborted && !this.d.gateway.breaker.refusing()) {
      const found = await this.d.gateway.findCharge(req.idempotencyKey, budget);
      if (found.ok && found.value) {
        return this.finish(row, scored(fromCharge(found.value)), 'proved');
      }
    }
    const why = result.failure;
    if (!result.maybeSent && opts.createdHere && (await this.d.store.leases.deleteHeld(paymentId, owner))) {
      throw nothingSent(
        why.kind === 'breaker_open'
          ? BREAKER_OPEN_MESSAGE
          : `payment gateway unavailable (${why.message}): no charge was made; retry later`,
      );
    }
    await this.d.store.leases.release(paymentId, owner);
    this.d.logger.warn({ paymentId, failure: why.message }, 'gateway outcome unknown: payment left PENDING');
    throw outcomeUnknown(
      `payment gateway gave no answer (${why.message}): payment ${paymentId} is PENDING until its outcome is known; ` +
        'retry with the same idempotency_key',
    );
  }

  private pendingOps(req: ValidCharge, ctx: CallContext) {
    const store = this.d.store;
    return {
      isPending: (r: PaymentRow) => r.status === 'PENDING',
      finished: async (r: PaymentRow) => toPaymentMessage(r),
      askGateway: async (r: PaymentRow) => {
        if (this.d.gateway.breaker.refusing()) return undefined;
        const deadline = Math.min(
          ctx.deadline - this.d.config.answerMarginMs,
          Date.now() + this.d.config.settler.lookupTimeoutMs,
        );
        const found = await this.d.gateway.findCharge(r.idempotencyKey, { deadline, signal: ctx.signal });
        if (!found.ok || !found.value) return undefined;
        await store.settle(r.paymentId, fromCharge(found.value), 'proved');
        return store.byId(r.paymentId);
      },
      takeLease: (r: PaymentRow, owner: string, ms: number) => store.leases.take(r.paymentId, owner, ms),
      drive: (r: PaymentRow, owner: string) => this.drive(r, req, owner, ctx, { createdHere: false }),
      reload: (r: PaymentRow) => store.byId(r.paymentId),
      newOwner: () => newOwner(this.d.instanceName),
      busyMessage: (r: PaymentRow) =>
        `payment ${r.paymentId} is PENDING: another call is settling it; retry with the same idempotency_key`,
    };
  }

  /**
   * Settles the row and answers it without reading it back (the answer's timestamps are this
   * process's clock, the stored ones the database's); reads it when someone else settled first.
   */
  private async finish(
    row: PaymentRow,
    s: Settlement,
    guard: { owner: string } | 'proved',
  ): Promise<Payment> {
    const now = new Date();
    if (await this.d.store.settle(row.paymentId, s, guard)) {
      const { status, gatewayChargeId, failureReason } = s;
      return toPaymentMessage({ ...row, status, gatewayChargeId, failureReason, updatedAt: now });
    }
    return this.view(row.paymentId);
  }

  private async view(paymentId: string): Promise<Payment> {
    const row = await this.d.store.byId(paymentId);
    if (!row) throw new Error(`payment ${paymentId} vanished after it was settled`);
    return toPaymentMessage(row);
  }
}
