import { InventoryServiceService } from '../proto/gen/ecom/inventory/v1/inventory.js';
import {
  OrdersServiceService,
  orderStatusToJSON,
  rejectReasonToJSON,
} from '../proto/gen/ecom/orders/v1/orders.js';
import { UsersServiceService } from '../proto/gen/ecom/users/v1/users.js';
import type { PromiseClient } from '../platform/grpc/client.js';
import { bearer, shortEnum } from './client.js';
import type { Population } from './population.js';
import { skuPicker } from './popularity.js';
import type { Random } from './random.js';
import { BuyerSessions } from './sessions.js';
import { OPERATIONS, type OpName, type Scenario } from './schema.js';

/** Metadata key carrying a write's GTID (orders' read-your-writes). */
const GTID_KEY = 'x-ecom-gtid';

/** The gRPC clients an operation may use. */
export interface Clients {
  orders: PromiseClient<typeof OrdersServiceService>;
  inventory: PromiseClient<typeof InventoryServiceService>;
  users: PromiseClient<typeof UsersServiceService>;
}

/** One operation decided by the generator: what the history records, and how to run it. */
export interface PlannedOp {
  f: OpName;
  /** Recorded in the history's invoke line. */
  value: Record<string, unknown>;
  /** Runs it; resolves to what the history's ok line records (throws on a gRPC error). */
  call(clients: Clients, deadlineMs: number): Promise<Record<string, unknown>>;
}

/**
 * The operation generator of a run: picks operations by the scenario's mix, buyers uniformly,
 * SKUs by the popularity model, quantities and payment outcomes by their shares — all from one
 * seeded random source, so a seed replays the same sequence of decisions.
 */
export class Planner {
  private readonly ops: OpName[];
  private readonly weights: number[];
  private readonly pickSku: () => number;
  /** Orders placed in this run (for get-order / cancel-order), newest last; bounded. */
  private readonly placed: { orderId: string; buyer: number; gtid?: string }[] = [];
  private seq = 0;
  /** Renews buyers' access tokens before they expire (runs longer than their 15 minutes). */
  private readonly sessions = new BuyerSessions();

  constructor(
    private readonly scenario: Scenario,
    private readonly population: Population,
    private readonly rand: Random,
    private readonly runId: string,
  ) {
    this.ops = OPERATIONS.filter((op) => (scenario.mix[op] ?? 0) > 0);
    this.weights = this.ops.map((op) => scenario.mix[op] ?? 0);
    this.pickSku = skuPicker(scenario.popularity, population.skus.length, rand);
  }

  /** Remembers an order this run placed, so later reads and cancels can refer to it. */
  recordPlaced(orderId: string, buyer: number, gtid?: string): void {
    this.placed.push({ orderId, buyer, gtid });
    if (this.placed.length > 10_000) this.placed.splice(0, 5_000);
  }

  next(): PlannedOp {
    const f = this.ops[this.rand.weighted(this.weights)] ?? 'place-order';
    switch (f) {
      case 'place-order':
        return this.placeOrder();
      case 'get-stock':
        return this.getStock();
      case 'get-order':
      case 'cancel-order':
        return this.aboutOrder(f);
      case 'login':
        return this.login();
    }
  }

  private buyer() {
    const index = this.rand.int(0, this.population.buyers.length - 1);
    return { index, buyer: this.population.buyers[index]! };
  }

  private placeOrder(): PlannedOp {
    const { index, buyer } = this.buyer();
    const { min, max } = this.scenario.quantity;
    const lines = new Map<string, number>();
    const count = this.rand.int(1, this.scenario.linesMax);
    for (let i = 0; i < count; i++) lines.set(this.population.skus[this.pickSku()]!, this.rand.int(min, max));
    const p = this.scenario.payments;
    const r = this.rand.next();
    const paymentToken =
      r < p.decline
        ? 'tok_decline'
        : r < p.decline + p.timeout
          ? 'tok_timeout'
          : r < p.decline + p.timeout + p.error
            ? 'tok_error'
            : 'tok_ok';
    const idempotencyKey = `${this.runId}-${++this.seq}`;
    const req = {
      idempotencyKey,
      userId: buyer.userId,
      lines: [...lines].map(([sku, quantity]) => ({ sku, quantity })),
      paymentToken,
      currency: this.population.currency,
    };
    return {
      f: 'place-order',
      value: { ...req },
      call: async (c, deadlineMs) => {
        let gtid: string | undefined;
        const res = await c.orders.placeOrder(req, {
          deadlineMs,
          metadata: bearer(await this.sessions.token(buyer, c.users, deadlineMs)),
          // Read-your-writes: the write's GTID, sent back on later reads of this order.
          onTrailer: (md) => (gtid = md.get(GTID_KEY)[0]?.toString()),
        });
        const o = res.order;
        if (o?.orderId) this.recordPlaced(o.orderId, index, gtid);
        return {
          orderId: o?.orderId ?? '',
          status: shortEnum(orderStatusToJSON(o?.status ?? 0), 'ORDER_STATUS_'),
          reason:
            o && o.rejectReason ? shortEnum(rejectReasonToJSON(o.rejectReason), 'REJECT_REASON_') : undefined,
          totalMinor: o?.total?.amountMinor ?? 0,
          replayed: res.replayed,
        };
      },
    };
  }

  private getStock(sku = this.population.skus[this.pickSku()]!): PlannedOp {
    return {
      f: 'get-stock',
      value: { sku },
      call: async (c, deadlineMs) => {
        const res = await c.inventory.getStock({ sku, warehouseId: '', consistent: false }, { deadlineMs });
        return { totalAvailable: res.totalAvailable };
      },
    };
  }

  /**
   * Reads or cancels an order this run placed. Which orders have completed depends on timing, so
   * this always takes exactly one draw from the random source (keeping every later decision of the
   * seed's sequence the same); with no order known yet, it reads a SKU's stock instead.
   */
  private aboutOrder(f: 'get-order' | 'cancel-order'): PlannedOp {
    const r = this.rand.next();
    if (this.placed.length === 0)
      return this.getStock(this.population.skus[Math.floor(r * this.population.skus.length)]!);
    const { orderId, buyer, gtid } = this.placed[Math.floor(r * this.placed.length)]!;
    const b = this.population.buyers[buyer]!;
    return {
      f,
      value: { orderId, userId: b.userId },
      call: async (c, deadlineMs) => {
        const md = bearer(await this.sessions.token(b, c.users, deadlineMs));
        if (gtid) md.set(GTID_KEY, gtid);
        const res =
          f === 'get-order'
            ? await c.orders.getOrder({ orderId }, { deadlineMs, metadata: md })
            : await c.orders.cancelOrder(
                { orderId, reason: 'changed my mind' },
                { deadlineMs, metadata: md },
              );
        return { orderId, status: shortEnum(orderStatusToJSON(res.order?.status ?? 0), 'ORDER_STATUS_') };
      },
    };
  }

  private login(): PlannedOp {
    const { buyer } = this.buyer();
    return {
      f: 'login',
      value: { email: buyer.email },
      call: async (c, deadlineMs) => {
        const res = await c.users.login({ email: buyer.email, password: buyer.password }, { deadlineMs });
        return { userId: res.tokens?.userId ?? '' };
      },
    };
  }
}
