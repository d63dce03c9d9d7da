import { createHash } from 'node:crypto';
import { describeError } from './call-errors.js';
import type { Compensation, Outcome } from './saga.js';

/** The immutable part of an order that the saga's calls need. */
export interface SagaOrder {
  orderId: string;
  userId: string;
  lines: { sku: string; quantity: number }[];
  totalMinor: number;
  currency: string;
  paymentToken: string;
}

/** A step that must be tried again later (dependency unavailable, outcome still unknown). */
export interface Retry {
  kind: 'retry';
  detail: string;
}

export type StepResult = Outcome | Retry;
export type EffectKind = 'reserve' | 'charge' | 'commit' | Compensation;

/** Idempotency keys derived from the order id: every retry, on any instance, sends the same. */
export const keys = {
  charge: (orderId: string) => `order-${orderId}-charge`,
  refund: (orderId: string) => `order-${orderId}-refund`,
  /** Inventory ids are at most 64 characters: the allocation is named by a short hash. */
  restock: (orderId: string, sku: string, warehouseId: string) =>
    `o-${orderId}-rs-${createHash('sha256').update(`${sku}\0${warehouseId}`).digest('hex').slice(0, 12)}`,
};

/** A step to try again later. */
export const retry = (detail: string): Retry => ({ kind: 'retry', detail });

/** One saga call: what it did for this order, given a deadline. */
export type Effect = (o: SagaOrder, deadlineMs: number) => Promise<StepResult>;

/** Re-asks after an ambiguous failure; a failing re-ask means "still unknown" (retry). */
export async function settle<T>(ask: () => Promise<T>, decide: (t: T) => StepResult): Promise<StepResult> {
  try {
    return decide(await ask());
  } catch (err) {
    return retry(`outcome unknown: ${describeError(err)}`);
  }
}
