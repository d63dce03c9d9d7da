import type { Downstream } from './downstream.js';
import type { Effect, EffectKind } from './effects-common.js';
import { inventoryEffects } from './inventory-effects.js';
import { paymentEffects } from './payment-effects.js';

export { keys, type EffectKind, type Retry, type SagaOrder, type StepResult } from './effects-common.js';

/**
 * The saga's calls to inventory and payments. Each returns what actually happened: an ambiguous
 * failure (deadline, connection lost) is settled by re-asking (GetReservation, GetPayment by the
 * derived idempotency key), and when even that is unknown the step is retried later — safe,
 * because every call is idempotent by order id or derived key.
 */
export function sagaEffects(
  d: Downstream,
  opts: { reservationTtlSeconds: number; restockOnCancel: boolean },
): Record<EffectKind, Effect> {
  return { ...inventoryEffects(d, opts), ...paymentEffects(d) };
}
