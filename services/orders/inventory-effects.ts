import { status as Status } from '@grpc/grpc-js';
import {
  ReservationState,
  ReserveOutcome,
  type Reservation,
} from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { classify, codeOf, describeError } from './call-errors.js';
import type { Downstream } from './downstream.js';
import { keys, retry, settle, type Effect } from './effects-common.js';

/**
 * The saga's inventory calls: Reserve, Commit, Release and (cancel of a confirmed order) the
 * restock through Adjust. Ambiguous failures are settled with GetReservation.
 */
export function inventoryEffects(
  d: Downstream,
  opts: { reservationTtlSeconds: number; restockOnCancel: boolean },
): Record<'reserve' | 'commit' | 'release' | 'restock', Effect> {
  const reservation = async (orderId: string, deadlineMs: number): Promise<Reservation | 'none'> => {
    try {
      const res = await d.ask('inventory', (c) => d.inventory.getReservation({ orderId }, c), deadlineMs);
      return res.reservation ?? 'none';
    } catch (err) {
      if (codeOf(err) === Status.NOT_FOUND) return 'none';
      throw err;
    }
  };

  return {
    async reserve(o, ms) {
      try {
        const res = await d.call(
          'inventory',
          (c) =>
            d.inventory.reserve(
              { orderId: o.orderId, lines: o.lines, ttlSeconds: opts.reservationTtlSeconds },
              c,
            ),
          ms,
        );
        if (res.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED) return { kind: 'reserved' };
        if (res.outcome === ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK) {
          const short = res.shortages.map((s) => `${s.sku}: ${s.available} of ${s.requested}`).join(', ');
          return { kind: 'out-of-stock', detail: short || 'out of stock' };
        }
        return retry(`unexpected reserve outcome ${res.outcome}`);
      } catch (err) {
        const kind = classify(err);
        if (kind === 'not-sent') return retry(describeError(err));
        if (kind === 'definitive')
          return { kind: 'gave-up', detail: `reserve refused: ${describeError(err)}` };
        return settle(
          () => reservation(o.orderId, ms),
          (r) => {
            if (r === 'none') return retry(`reserve unknown, not found: ${describeError(err)}`);
            if (isHeldOrCommitted(r)) return { kind: 'reserved' };
            return { kind: 'gave-up', detail: `reservation already ${ReservationState[r.state]}` };
          },
        );
      }
    },

    async commit(o, ms) {
      try {
        await d.call('inventory', (c) => d.inventory.commit({ orderId: o.orderId }, c), ms);
        return { kind: 'committed' };
      } catch (err) {
        if (classify(err) === 'not-sent') return retry(describeError(err));
        return settle(
          () => reservation(o.orderId, ms),
          (r) => {
            if (r !== 'none' && r.state === ReservationState.RESERVATION_STATE_COMMITTED)
              return { kind: 'committed' };
            if (r !== 'none' && r.state === ReservationState.RESERVATION_STATE_HELD) {
              return classify(err) === 'definitive'
                ? { kind: 'gave-up', detail: `commit refused: ${describeError(err)}` }
                : retry(`commit unknown, still held: ${describeError(err)}`);
            }
            return {
              kind: 'not-held',
              detail: r === 'none' ? 'reservation not found' : `reservation ${ReservationState[r.state]}`,
            };
          },
        );
      }
    },

    async release(o, ms) {
      try {
        await d.call(
          'inventory',
          (c) => d.inventory.release({ orderId: o.orderId, reason: 'order compensation' }, c),
          ms,
        );
        return { kind: 'done' };
      } catch (err) {
        if (codeOf(err) === Status.NOT_FOUND) return { kind: 'done', detail: 'nothing reserved' };
        if (classify(err) === 'not-sent') return retry(describeError(err));
        return settle(
          () => reservation(o.orderId, ms),
          (r) => {
            if (r === 'none') return { kind: 'done', detail: 'nothing reserved' };
            if (r.state === ReservationState.RESERVATION_STATE_HELD)
              return retry(`release unknown: ${describeError(err)}`);
            return { kind: 'done', detail: `reservation ${ReservationState[r.state]}` };
          },
        );
      }
    },

    async restock(o, ms) {
      if (!opts.restockOnCancel) return { kind: 'done', detail: 'restock disabled' };
      let r: Reservation | 'none';
      try {
        r = await reservation(o.orderId, ms);
      } catch (err) {
        return retry(`reservation unknown: ${describeError(err)}`);
      }
      if (r === 'none' || r.state !== ReservationState.RESERVATION_STATE_COMMITTED) {
        return { kind: 'done', detail: 'nothing sold' };
      }
      try {
        for (const a of r.allocations) {
          await d.call(
            'inventory',
            (c) =>
              d.inventory.adjust(
                {
                  sku: a.sku,
                  warehouseId: a.warehouseId,
                  delta: a.quantity,
                  reason: `order ${o.orderId} cancelled`,
                  idempotencyKey: keys.restock(o.orderId, a.sku, a.warehouseId),
                },
                c,
              ),
            ms,
          );
        }
        return { kind: 'done', detail: `restocked ${r.allocations.length} allocation(s)` };
      } catch (err) {
        if (classify(err) === 'definitive')
          return { kind: 'done', detail: `restock refused: ${describeError(err)}`, refused: true };
        return retry(`restock unknown: ${describeError(err)}`);
      }
    },
  };
}

function isHeldOrCommitted(r: Reservation): boolean {
  return (
    r.state === ReservationState.RESERVATION_STATE_HELD ||
    r.state === ReservationState.RESERVATION_STATE_COMMITTED
  );
}
