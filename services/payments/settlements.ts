import { FailedPrecondition } from '../../platform/errors.js';
import type { GatewayCharge } from './gateway-client.js';
import type { GatewayRefusal } from './gateway-failure.js';
import { hashOf } from './ids.js';
import type { PaymentRow, Settlement } from './store.js';
import type { ValidCharge } from './validate.js';

/** sha256 of what makes a charge: the same key with anything else different is refused. */
export function chargeHash(r: ValidCharge): string {
  return hashOf([r.orderId, r.userId, r.amountMinor, r.currency, r.paymentToken]);
}

/** A charge the gateway recorded, as a settlement. */
export function fromCharge(c: GatewayCharge): Settlement {
  if (c.status === 'captured') return { status: 'CAPTURED', gatewayChargeId: c.id, failureReason: null };
  if (c.status === 'declined') {
    return { status: 'DECLINED', gatewayChargeId: c.id, failureReason: c.failure_code ?? 'card_declined' };
  }
  // We always ask for capture; an authorization alone moved no money.
  return { status: 'FAILED', gatewayChargeId: c.id, failureReason: 'charge_not_captured' };
}

/** A definitive refusal (402 decline, other 4xx), as a settlement. */
export function fromRefusal(r: GatewayRefusal): Settlement {
  if (r.status === 402)
    return { status: 'DECLINED', gatewayChargeId: r.chargeId ?? null, failureReason: r.code };
  return { status: 'FAILED', gatewayChargeId: null, failureReason: `gateway_refused:${r.code}` };
}

/** FAILED_PRECONDITION: the key was used for a different charge (names what differs). */
export function keyReused(existing: PaymentRow, req: ValidCharge): FailedPrecondition {
  const differs =
    existing.orderId !== req.orderId
      ? 'order_id'
      : existing.amountMinor !== req.amountMinor
        ? 'amount.amount_minor'
        : existing.currency !== req.currency
          ? 'amount.currency'
          : existing.userId !== req.userId
            ? 'user_id'
            : 'payment_token';
  return new FailedPrecondition(`idempotency_key: already used for a different charge (${differs} differs)`, {
    field: 'idempotency_key',
    reason: 'idempotency_key_reused',
  });
}
