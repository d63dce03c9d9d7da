import type { RowDataPacket } from 'mysql2/promise';
import { newEvent, type DomainEvent } from '../../platform/outbox/events.js';
import type { OutboxStatement as Stmt } from '../../platform/outbox/outbox.js';
import type { SagaState } from './saga.js';
import type { NewOrder } from './store.js';

/** The order.placed event of a new order (written with its INSERT). */
export function placedEvent(o: NewOrder, source: string): DomainEvent {
  return newEvent(
    'order.placed',
    {
      orderId: o.orderId,
      userId: o.userId,
      currency: o.currency,
      totalMinor: o.totalMinor,
      lines: o.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor })),
    },
    { source },
  );
}

/** Saga steps that change an order's status, and the event each publishes. */
const STATUS_STEPS = {
  confirmed: 'order.confirmed',
  rejected: 'order.rejected',
  cancelled: 'order.cancelled',
} as const;

/** The SQL that reads what a status-changing transition's event describes (see {@link transitionEvent}). */
export function transitionFactsQuery(orderId: string): Stmt {
  return {
    sql: `SELECT o.user_id, o.currency, o.total_minor, l.sku, l.quantity, l.unit_price_minor,
            EXISTS(SELECT 1 FROM saga_events e WHERE e.order_id = o.order_id AND e.step = 'confirmed') AS was_confirmed
       FROM orders o LEFT JOIN order_lines l ON l.order_id = o.order_id
      WHERE o.order_id = ? ORDER BY l.line_no`,
    params: [orderId],
  };
}

/** True when a saga step changes the order's status and so publishes an event. */
export function publishesEvent(step: string): boolean {
  return step in STATUS_STEPS;
}

/**
 * The event of a saga transition that changed the order's status (confirmed, rejected,
 * cancelled), built from the rows of {@link transitionFactsQuery} read in the transition's own
 * transaction after its UPDATE, so it describes exactly what commits; undefined for every other
 * step, or when the order is not there.
 */
export function transitionEvent(
  rows: RowDataPacket[],
  orderId: string,
  step: string,
  next: SagaState,
  source: string,
): DomainEvent | undefined {
  const type = STATUS_STEPS[step as keyof typeof STATUS_STEPS];
  if (!type) return undefined;
  const first = rows[0];
  if (!first) return undefined;
  const facts = {
    orderId,
    userId: String(first.user_id),
    currency: String(first.currency),
    totalMinor: Number(first.total_minor),
    lines: rows
      .filter((r) => r.sku !== null)
      .map((r) => ({
        sku: String(r.sku),
        quantity: Number(r.quantity),
        unitPriceMinor: Number(r.unit_price_minor),
      })),
  };
  const meta = { source };
  if (type === 'order.confirmed') return newEvent(type, facts, meta);
  if (type === 'order.rejected') return newEvent(type, { ...facts, reason: next.reason ?? 'UNKNOWN' }, meta);
  return newEvent(type, { ...facts, wasConfirmed: Number(first.was_confirmed) === 1 }, meta);
}
