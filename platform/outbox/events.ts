import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** The Redis Stream every service's outbox relay appends domain events to. */
export const EVENTS_STREAM = 'ecom:events';

const Id = z.string().min(1).max(128);
const Currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code');
const Minor = z.number().int().min(0);

/** One order line as it was priced: the unit price is what the customer was charged. */
export const EventLine = z.object({
  sku: Id,
  quantity: z.number().int().min(1),
  unitPriceMinor: Minor,
});
export type EventLine = z.infer<typeof EventLine>;

/** What every order event says about its order (self-contained: consumers never join). */
const OrderFacts = z.object({
  orderId: Id,
  userId: Id,
  currency: Currency,
  totalMinor: Minor,
  lines: z.array(EventLine).max(1_000),
});

const PaymentFacts = z.object({
  paymentId: Id,
  orderId: Id,
  amountMinor: Minor,
  currency: Currency,
});

/** The payload schema of each event type. */
export const EVENT_DATA = {
  'order.placed': OrderFacts,
  'order.confirmed': OrderFacts,
  'order.rejected': OrderFacts.extend({ reason: z.string().min(1).max(64) }),
  /** `wasConfirmed`: cancelled after confirmation (refunded), not before. */
  'order.cancelled': OrderFacts.extend({ wasConfirmed: z.boolean() }),
  /** A SKU's units available over all warehouses fell below `threshold` (still above 0). */
  'stock.low': z.object({ sku: Id, available: z.number().int().min(0), threshold: z.number().int().min(1) }),
  /** A SKU's units available over all warehouses reached 0. */
  'stock.out': z.object({ sku: Id }),
  'payment.captured': PaymentFacts,
  /** `status`: DECLINED (card or fraud) or FAILED (the gateway refused or never saw it). */
  'payment.failed': PaymentFacts.extend({
    status: z.enum(['DECLINED', 'FAILED']),
    reason: z.string().max(255),
  }),
  'payment.refunded': PaymentFacts.extend({ refundId: Id }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

/** The data of an event of type `T`. */
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

const envelope = <T extends EventType>(type: T) =>
  z.object({
    /** Unique per event: consumers deduplicate on it (delivery is at least once). */
    id: z.uuid(),
    type: z.literal(type),
    /** When the business fact happened (ISO 8601, UTC): aggregates bucket on it. */
    occurredAt: z.iso.datetime({ offset: true }),
    /** The instance that recorded it, e.g. "orders-2". */
    source: z.string().min(1).max(64),
    data: EVENT_DATA[type],
  });

/** Any domain event, validated; `type` discriminates `data`. */
export const DomainEvent = z.discriminatedUnion('type', [
  envelope('order.placed'),
  envelope('order.confirmed'),
  envelope('order.rejected'),
  envelope('order.cancelled'),
  envelope('stock.low'),
  envelope('stock.out'),
  envelope('payment.captured'),
  envelope('payment.failed'),
  envelope('payment.refunded'),
]);
export type DomainEvent = z.infer<typeof DomainEvent>;

/** An event of one type. */
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/**
 * Builds a new event with a fresh id, validating its data (a malformed event is a bug in the
 * publisher: it throws here, inside the business transaction, instead of poisoning consumers).
 */
export function newEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  meta: { source: string; occurredAt?: Date; id?: string },
): EventOf<T> {
  return DomainEvent.parse({
    id: meta.id ?? randomUUID(),
    type,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    source: meta.source,
    data,
  }) as EventOf<T>;
}

/** Parses an event read from the stream: the event, or the reason it is not one. */
export function parseEvent(json: string): { ok: true; event: DomainEvent } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const r = DomainEvent.safeParse(raw);
  if (r.success) return { ok: true, event: r.data };
  return {
    ok: false,
    error: r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; '),
  };
}
