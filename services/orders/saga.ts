/**
 * The order saga as a pure state machine: {@link decide} says what to do next from the persisted
 * state, {@link apply} turns what happened into the next state to persist. No I/O here; the runner
 * executes actions and writes every transition before taking the next step, so a crash at any point
 * resumes from the last written state (every action is idempotent, so redoing one is safe).
 *
 * Forward:  created → reserve → reserved → charge → charged → commit → CONFIRMED
 * Failure:  compensate with a plan (refund what may have been charged, release what may be held)
 *           → REJECTED with the reason. Cancel of a PENDING order before the charge is known the
 *           same way → CANCELLED; once charged the saga confirms first, then cancels like a
 *           CONFIRMED order: refund (and restock, by policy) → CANCELLED.
 */

export type OrderState = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

export type Reason =
  | 'OUT_OF_STOCK'
  | 'PAYMENT_DECLINED'
  | 'PAYMENT_FAILED'
  | 'INVENTORY_UNAVAILABLE'
  | 'PAYMENTS_UNAVAILABLE'
  | 'UNKNOWN_SKU'
  | 'TIMEOUT';

/** A compensating action; "refund" settles the charge (refunds it only if it was captured). */
export type Compensation = 'refund' | 'release' | 'restock';

export const COMPENSATIONS: readonly Compensation[] = ['refund', 'release', 'restock'];

/** The saga's persisted state (the orders row, minus data the decisions do not need). */
export interface SagaState {
  status: OrderState;
  /** The last step taken: created, reserved, charged, confirmed, cancelling, refunded, … */
  step: string;
  reason: Reason | null;
  detail: string | null;
  /** Compensation still to run, in order; null when not compensating. */
  todo: Compensation[] | null;
  cancelRequested: boolean;
  paymentId: string | null;
}

/** What the runner does next. Actions with a `call` talk to a dependency; the others only write. */
export type Action =
  | { kind: 'reserve' | 'charge' | 'commit' | Compensation }
  | { kind: 'compensate'; reason: Reason | null; detail: string | null; todo: Compensation[] }
  | { kind: 'none' };

/** What a dependency call ended with (ambiguity already settled by re-asking). */
export type Outcome =
  | { kind: 'reserved' }
  | { kind: 'out-of-stock'; detail: string }
  | { kind: 'captured'; paymentId: string }
  | { kind: 'declined'; detail: string }
  | { kind: 'payment-failed'; detail: string }
  | { kind: 'committed' }
  /** Commit impossible: the reservation was released or expired. */
  | { kind: 'not-held'; detail: string }
  /** A compensation finished, found nothing to undo, or was refused for good (`refused`). */
  | { kind: 'done'; detail?: string; refused?: boolean }
  /** A forward step failed for good: a definitive error, or a dependency down past the budget. */
  | { kind: 'gave-up'; detail: string };

/** A transition: the next state and the saga event that records it. */
export interface Transition {
  next: SagaState;
  event: { step: string; detail: string | null };
}

export function isTerminal(s: Pick<SagaState, 'status' | 'cancelRequested' | 'todo'>): boolean {
  if (s.status === 'REJECTED' || s.status === 'CANCELLED') return true;
  return s.status === 'CONFIRMED' && !s.cancelRequested && s.todo === null;
}

/** The next thing to do for an order in state `s`. */
export function decide(s: SagaState, opts: { restockOnCancel: boolean }): Action {
  if (s.status === 'REJECTED' || s.status === 'CANCELLED') return { kind: 'none' };
  if (s.todo !== null) {
    const head = s.todo[0];
    return head ? { kind: head } : { kind: 'compensate', reason: s.reason, detail: s.detail, todo: [] };
  }
  if (s.status === 'CONFIRMED') {
    if (!s.cancelRequested) return { kind: 'none' };
    return {
      kind: 'compensate',
      reason: null,
      detail: 'cancelled after confirmation',
      todo: opts.restockOnCancel ? ['refund', 'restock'] : ['refund'],
    };
  }
  if (s.cancelRequested && s.step === 'created') {
    return { kind: 'compensate', reason: null, detail: 'cancelled', todo: ['release'] };
  }
  if (s.cancelRequested && s.step === 'reserved') {
    // A charge may have landed before we heard back: settle it before releasing.
    return { kind: 'compensate', reason: null, detail: 'cancelled', todo: ['refund', 'release'] };
  }
  switch (s.step) {
    case 'created':
      return { kind: 'reserve' };
    case 'reserved':
      return { kind: 'charge' };
    case 'charged':
      return { kind: 'commit' };
    default:
      throw new Error(`saga: no forward step after "${s.step}" for a PENDING order`);
  }
}

/** The state after `action` ended with `outcome` (or, for "compensate", after entering compensation). */
export function apply(s: SagaState, action: Action, outcome?: Outcome): Transition {
  if (action.kind === 'compensate') return compensate(s, action.reason, action.detail, action.todo);
  if (action.kind === 'none') throw new Error('saga: nothing to apply for "none"');
  if (!outcome) throw new Error(`saga: ${action.kind} needs an outcome`);
  const mismatch = () => new Error(`saga: outcome ${outcome.kind} does not fit action ${action.kind}`);
  switch (action.kind) {
    case 'reserve':
      if (outcome.kind === 'reserved') return step(s, { step: 'reserved' });
      if (outcome.kind === 'out-of-stock') return compensate(s, 'OUT_OF_STOCK', outcome.detail, []);
      if (outcome.kind === 'gave-up')
        return compensate(s, 'INVENTORY_UNAVAILABLE', outcome.detail, ['release']);
      throw mismatch();
    case 'charge':
      if (outcome.kind === 'captured') return step(s, { step: 'charged', paymentId: outcome.paymentId });
      if (outcome.kind === 'declined') return compensate(s, 'PAYMENT_DECLINED', outcome.detail, ['release']);
      if (outcome.kind === 'payment-failed')
        return compensate(s, 'PAYMENT_FAILED', outcome.detail, ['release']);
      if (outcome.kind === 'gave-up') {
        return compensate(s, 'PAYMENTS_UNAVAILABLE', outcome.detail, ['refund', 'release']);
      }
      throw mismatch();
    case 'commit':
      if (outcome.kind === 'committed') return step(s, { step: 'confirmed', status: 'CONFIRMED' });
      if (outcome.kind === 'not-held') return compensate(s, 'TIMEOUT', outcome.detail, ['refund', 'release']);
      if (outcome.kind === 'gave-up') {
        return compensate(s, 'INVENTORY_UNAVAILABLE', outcome.detail, ['refund', 'release']);
      }
      throw mismatch();
    default: {
      if (outcome.kind !== 'done') throw mismatch();
      const todo = (s.todo ?? []).filter((c) => c !== action.kind);
      const stepName = { refund: 'refunded', release: 'released', restock: 'restocked' }[action.kind];
      const done = outcome.detail ? `${stepName}: ${outcome.detail}` : stepName;
      if (todo.length === 0) return finish({ ...s, todo }, done);
      return step(s, { step: stepName, todo }, outcome.detail ?? null);
    }
  }
}

function step(s: SagaState, patch: Partial<SagaState>, detail: string | null = null): Transition {
  const next = { ...s, ...patch };
  return { next, event: { step: next.step, detail } };
}

function compensate(
  s: SagaState,
  reason: Reason | null,
  detail: string | null,
  todo: Compensation[],
): Transition {
  const entered = { ...s, reason, detail, todo };
  if (todo.length === 0) return finish(entered, null);
  const stepName = s.status === 'CONFIRMED' ? 'cancelling' : 'compensating';
  return {
    next: { ...entered, step: stepName },
    event: { step: stepName, detail: describe(reason, detail) },
  };
}

/** Compensation is complete: REJECTED with its reason, or CANCELLED when the customer asked. */
function finish(s: SagaState, lastDone: string | null): Transition {
  const status: OrderState = s.reason === null ? 'CANCELLED' : 'REJECTED';
  const stepName = status === 'CANCELLED' ? 'cancelled' : 'rejected';
  const detail = [lastDone, describe(s.reason, s.detail)].filter((d) => d).join('; ');
  return {
    next: { ...s, status, step: stepName, todo: null },
    event: { step: stepName, detail: detail || null },
  };
}

function describe(reason: Reason | null, detail: string | null): string | null {
  if (reason === null) return detail;
  return detail ? `${reason}: ${detail}` : reason;
}
