import { status as Status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ReservationState,
  ReserveOutcome,
  type Reservation,
} from '../../proto/gen/ecom/inventory/v1/inventory.js';
import {
  auditInventory,
  eventually,
  startInventoryStack,
  type InventoryClient,
  type InventoryStack,
} from './test-support.js';

/**
 * Model-based test: random sequences of reserve, commit, release, restock and expire against the
 * real service (two instances, zk+db, batching on), each step checked against a simple model that
 * knows only totals per SKU and each order's state — not the allocation policy.
 */
type State = 'HELD' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';
interface Model {
  run: number;
  skus: string[];
  stock: Map<string, { available: number; reserved: number; sold: number }>;
  orders: Map<string, { lines: Map<string, number>; state: State }>;
  keys: Map<string, string>;
}
interface Real {
  clients: InventoryClient[];
  next: number;
}
type Line = { sku: number; quantity: number };

const WAREHOUSES = ['w1', 'w2'];
const STATES: Record<State, ReservationState> = {
  HELD: ReservationState.RESERVATION_STATE_HELD,
  COMMITTED: ReservationState.RESERVATION_STATE_COMMITTED,
  RELEASED: ReservationState.RESERVATION_STATE_RELEASED,
  EXPIRED: ReservationState.RESERVATION_STATE_EXPIRED,
};

let s: InventoryStack;
let runs = 0;

beforeAll(async () => {
  s = await startInventoryStack({ instances: 2, inventory: { sweeper: { intervalMs: 100 } } });
  await s.client.upsertWarehouses({ warehouses: WAREHOUSES.map((w) => ({ warehouseId: w, name: w })) });
});
afterAll(async () => {
  await s?.stop();
});

const client = (r: Real) => r.clients[r.next++ % r.clients.length]!;
const code = async (p: Promise<unknown>): Promise<number> =>
  p.then(
    () => Status.OK,
    (err: ServiceError) => err.code,
  );
const units = (o: { lines: Map<string, number> }) => [...o.lines.entries()];

function allocatedBySku(r: Reservation | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of r?.allocations ?? []) out.set(a.sku, (out.get(a.sku) ?? 0) + a.quantity);
  return out;
}

async function checkStock(m: Model, r: Real): Promise<void> {
  for (const sku of m.skus) {
    const got = await client(r).getStock({ sku, warehouseId: '', consistent: true });
    const sum = (k: 'available' | 'reserved' | 'sold') => got.levels.reduce((a, l) => a + l[k], 0);
    expect({ available: sum('available'), reserved: sum('reserved'), sold: sum('sold') }, sku).toEqual(
      m.stock.get(sku),
    );
  }
}

class ReserveCmd implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly order: number,
    readonly lines: Line[],
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const orderId = `m${m.run}-o${this.order}`;
    const lines = this.lines.map((l) => ({ sku: m.skus[l.sku]!, quantity: l.quantity }));
    const existing = m.orders.get(orderId);
    const call = client(r).reserve({ orderId, lines, ttlSeconds: 3_600 });
    if (existing) {
      const same =
        lines.length === existing.lines.size && lines.every((l) => existing.lines.get(l.sku) === l.quantity);
      if (!same) return void expect(await code(call)).toBe(Status.ALREADY_EXISTS);
      const res = await call;
      expect(res.reservation?.state).toBe(STATES[existing.state]);
      return;
    }
    const res = await call;
    const feasible = lines.every((l) => l.quantity <= m.stock.get(l.sku)!.available);
    if (!feasible) return void expect(res.outcome).toBe(ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK);
    expect(res.outcome).toBe(ReserveOutcome.RESERVE_OUTCOME_RESERVED);
    expect(allocatedBySku(res.reservation)).toEqual(new Map(lines.map((l) => [l.sku, l.quantity])));
    for (const l of lines) {
      const st = m.stock.get(l.sku)!;
      st.available -= l.quantity;
      st.reserved += l.quantity;
    }
    m.orders.set(orderId, { lines: new Map(lines.map((l) => [l.sku, l.quantity])), state: 'HELD' });
    await checkStock(m, r);
  }
  toString = () => `reserve(o${this.order}, ${JSON.stringify(this.lines)})`;
}

class FinishCmd implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly action: 'commit' | 'release',
    readonly order: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const orderId = `m${m.run}-o${this.order}`;
    const o = m.orders.get(orderId);
    const call =
      this.action === 'commit'
        ? client(r).commit({ orderId })
        : client(r).release({ orderId, reason: 'model' });
    if (!o) return void expect(await code(call)).toBe(Status.NOT_FOUND);
    const refused =
      this.action === 'commit' ? o.state === 'RELEASED' || o.state === 'EXPIRED' : o.state === 'COMMITTED';
    if (refused) return void expect(await code(call)).toBe(Status.FAILED_PRECONDITION);
    const res = await call;
    if (o.state === 'HELD') {
      for (const [sku, q] of units(o)) {
        const st = m.stock.get(sku)!;
        st.reserved -= q;
        if (this.action === 'commit') st.sold += q;
        else st.available += q;
      }
      o.state = this.action === 'commit' ? 'COMMITTED' : 'RELEASED';
    }
    expect(res.reservation?.state).toBe(STATES[o.state]);
    await checkStock(m, r);
  }
  toString = () => `${this.action}(o${this.order})`;
}

class RestockCmd implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly sku: number,
    readonly wh: number,
    readonly quantity: number,
    readonly key: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const sku = m.skus[this.sku]!;
    const idempotencyKey = this.key < 0 ? '' : `m${m.run}-k${this.key}`;
    const what = `${sku}/${WAREHOUSES[this.wh]}/${this.quantity}`;
    const call = client(r).restock({
      sku,
      warehouseId: WAREHOUSES[this.wh]!,
      quantity: this.quantity,
      idempotencyKey,
    });
    const seen = idempotencyKey ? m.keys.get(idempotencyKey) : undefined;
    if (seen !== undefined && seen !== what) return void expect(await code(call)).toBe(Status.ALREADY_EXISTS);
    await call;
    if (seen === undefined) {
      m.stock.get(sku)!.available += this.quantity;
      if (idempotencyKey) m.keys.set(idempotencyKey, what);
    }
    await checkStock(m, r);
  }
  toString = () => `restock(${this.sku}, w${this.wh}, ${this.quantity}, k${this.key})`;
}

/** Reserves with a 1 s TTL and waits for the leader's sweeper to expire it. */
class ExpireCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly lines: Line[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const orderId = `m${m.run}-ttl${m.orders.size}`;
    const lines = this.lines.map((l) => ({ sku: m.skus[l.sku]!, quantity: l.quantity }));
    const res = await client(r).reserve({ orderId, lines, ttlSeconds: 1 });
    const feasible = lines.every((l) => l.quantity <= m.stock.get(l.sku)!.available);
    expect(res.outcome).toBe(
      feasible ? ReserveOutcome.RESERVE_OUTCOME_RESERVED : ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK,
    );
    if (!feasible) return;
    await eventually(
      async () => {
        const g = await client(r).getReservation({ orderId });
        return g.reservation?.state === ReservationState.RESERVATION_STATE_EXPIRED ? true : undefined;
      },
      10_000,
      `${orderId} to expire`,
    );
    m.orders.set(orderId, { lines: new Map(lines.map((l) => [l.sku, l.quantity])), state: 'EXPIRED' });
    await checkStock(m, r);
  }
  toString = () => `reserveAndExpire(${JSON.stringify(this.lines)})`;
}

const linesArb = fc.uniqueArray(fc.record({ sku: fc.nat(2), quantity: fc.integer({ min: 1, max: 4 }) }), {
  selector: (l) => l.sku,
  minLength: 1,
  maxLength: 2,
});
const commands = [
  fc.tuple(fc.nat(5), linesArb).map(([o, l]) => new ReserveCmd(o, l)),
  fc.tuple(fc.nat(5), linesArb).map(([o, l]) => new ReserveCmd(o, l)),
  fc.nat(5).map((o) => new FinishCmd('commit', o)),
  fc.nat(5).map((o) => new FinishCmd('release', o)),
  fc
    .tuple(fc.nat(2), fc.nat(1), fc.integer({ min: 1, max: 5 }), fc.integer({ min: -1, max: 2 }))
    .map(([sku, wh, q, k]) => new RestockCmd(sku, wh, q, k)),
  fc
    .tuple(linesArb, fc.nat(5))
    .filter(([, n]) => n === 0)
    .map(([l]) => new ExpireCmd(l)),
];

describe('inventory against a model (fast-check)', () => {
  it('agrees with the model on every step of random command sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(6), { minLength: 3, maxLength: 3 }),
        fc.commands(commands, { maxCommands: 25 }),
        async (initial, cmds) => {
          const run = ++runs;
          const skus = [0, 1, 2].map((i) => `m${run}-s${i}`);
          await s.client.upsertSkus({ skus: skus.map((sku) => ({ sku, name: sku, unitPrice: undefined })) });
          const model: Model = { run, skus, stock: new Map(), orders: new Map(), keys: new Map() };
          for (const [i, sku] of skus.entries()) {
            model.stock.set(sku, { available: initial[i]!, reserved: 0, sold: 0 });
            if (initial[i]! > 0) {
              await s.client.restock({
                sku,
                warehouseId: WAREHOUSES[i % 2]!,
                quantity: initial[i]!,
                idempotencyKey: '',
              });
            }
          }
          await fc.asyncModelRun(() => ({ model, real: { clients: s.instances, next: run } }), cmds);
        },
      ),
      { numRuns: 12 },
    );
    expect(await auditInventory(s.db)).toEqual([]);
  });
});
