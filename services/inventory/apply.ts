import { AlreadyExists, FailedPrecondition, NotFound } from '../../platform/errors.js';
import { allocateLine, compareIds, type Take } from './allocation.js';
import {
  stockKey,
  type IdempotencyRecord,
  type Movement,
  type Op,
  type OpResult,
  type ReservationRecord,
  type StockRow,
} from './ops.js';

/** What a batch reads (under its locks) before deciding. */
export interface BatchState {
  now: Date;
  /** Every stock row of every SKU the batch touches. */
  stock: StockRow[];
  /** The stored reservations of the batch's order ids. */
  reservations: ReservationRecord[];
  /** The stored idempotency keys of the batch's keyed ops. */
  idempotency: IdempotencyRecord[];
}

/** What a batch decided: one result per op, and the rows to write. */
export interface BatchChanges {
  results: OpResult[];
  /** Final values of every stock row that changed. */
  stock: StockRow[];
  movements: Movement[];
  newReservations: ReservationRecord[];
  /** Stored reservations whose state changed. */
  changedReservations: ReservationRecord[];
  newKeys: IdempotencyRecord[];
}

/**
 * Applies ops one after another to an in-memory copy of the batch's rows, exactly as if each ran
 * in its own transaction in that order: each op is all-or-nothing, and one that fails (out of
 * stock, wrong state) changes nothing and does not affect the others. Pure.
 */
export function applyOps(ops: readonly Op[], state: BatchState): BatchChanges {
  const w = new Working(state);
  const results = ops.map((op) => snapshot(w.apply(op)));
  return { results, ...w.changes() };
}

class Working {
  private readonly rows = new Map<string, StockRow>();
  private readonly original = new Map<string, string>();
  private readonly reservations = new Map<string, ReservationRecord>();
  private readonly stored = new Set<string>();
  private readonly changed = new Set<string>();
  private readonly keys = new Map<string, IdempotencyRecord>();
  private readonly newKeys: IdempotencyRecord[] = [];
  private readonly movements: Movement[] = [];

  constructor(private readonly state: BatchState) {
    for (const r of state.stock) {
      const key = stockKey(r.sku, r.warehouseId);
      this.rows.set(key, { ...r });
      this.original.set(key, JSON.stringify(r));
    }
    for (const r of state.reservations) {
      this.reservations.set(r.orderId, { ...r, lines: [...r.lines] });
      this.stored.add(r.orderId);
    }
    for (const k of state.idempotency) this.keys.set(k.key, k);
  }

  apply(op: Op): OpResult {
    try {
      switch (op.kind) {
        case 'reserve':
          return this.reserve(op);
        case 'commit':
          return this.commit(op.orderId);
        case 'release':
          return this.release(op.orderId, op.reason);
        case 'expire':
          return this.expire(op.orderId);
        default:
          return this.keyed(op);
      }
    } catch (err) {
      if (err instanceof NotFound || err instanceof FailedPrecondition || err instanceof AlreadyExists) {
        return { kind: 'error', error: err };
      }
      throw err;
    }
  }

  changes(): Omit<BatchChanges, 'results'> {
    const stock = [...this.rows.entries()]
      .filter(([key, row]) => this.original.get(key) !== JSON.stringify(row))
      .map(([, row]) => row)
      .sort((a, b) => compareIds(a.sku, b.sku) || compareIds(a.warehouseId, b.warehouseId));
    const all = [...this.changed].map((id) => this.reservations.get(id)!);
    return {
      stock,
      movements: this.movements,
      newReservations: all.filter((r) => !this.stored.has(r.orderId)),
      changedReservations: all.filter((r) => this.stored.has(r.orderId)),
      newKeys: this.newKeys,
    };
  }

  private reserve(op: Extract<Op, { kind: 'reserve' }>): OpResult {
    const existing = this.reservations.get(op.orderId);
    if (existing) {
      if (!sameLines(existing, op.lines)) {
        throw new AlreadyExists(`order ${op.orderId} already has a reservation with different lines`);
      }
      return { kind: 'reservation', reservation: existing, replay: true };
    }
    const plan: { sku: string; takes: Take[] }[] = [];
    const shortages: { sku: string; requested: number; available: number }[] = [];
    for (const line of op.lines) {
      const levels = this.levelsOf(line.sku);
      const takes = allocateLine(levels, line.quantity);
      if (takes) plan.push({ sku: line.sku, takes });
      else {
        const available = levels.reduce((s, l) => s + l.available, 0);
        shortages.push({ sku: line.sku, requested: line.quantity, available });
      }
    }
    if (shortages.length > 0) return { kind: 'out_of_stock', shortages };
    const lines = plan.flatMap(({ sku, takes }) =>
      takes.map((t) => ({ sku, warehouseId: t.warehouseId, quantity: t.quantity })),
    );
    for (const l of lines) {
      this.move(l.sku, l.warehouseId, 'reserve', { dAvailable: -l.quantity, dReserved: l.quantity }, op);
    }
    const now = this.state.now;
    const reservation: ReservationRecord = {
      orderId: op.orderId,
      state: 'HELD',
      expiresAt: new Date(now.getTime() + op.ttlSeconds * 1_000),
      reason: null,
      createdAt: now,
      updatedAt: now,
      lines,
    };
    this.reservations.set(op.orderId, reservation);
    this.changed.add(op.orderId);
    return { kind: 'reservation', reservation, replay: false };
  }

  private commit(orderId: string): OpResult {
    const r = this.found(orderId);
    if (r.state === 'COMMITTED') return { kind: 'reservation', reservation: r, replay: true };
    if (r.state === 'HELD' && r.expiresAt.getTime() <= this.state.now.getTime()) {
      // Expiry is a matter of time, not of when the sweeper gets to it: a late commit loses.
      this.finish(r, 'EXPIRED', 'expired');
    }
    if (r.state !== 'HELD') {
      throw new FailedPrecondition(`reservation ${orderId} is ${r.state}: it cannot be committed`, {
        state: r.state,
      });
    }
    for (const l of r.lines) {
      this.move(l.sku, l.warehouseId, 'sell', { dReserved: -l.quantity, dSold: l.quantity }, { orderId });
    }
    this.setState(r, 'COMMITTED', null);
    return { kind: 'reservation', reservation: r, replay: false };
  }

  private release(orderId: string, reason: string): OpResult {
    const r = this.found(orderId);
    if (r.state === 'COMMITTED') {
      throw new FailedPrecondition(`reservation ${orderId} is COMMITTED: it cannot be released`, {
        state: r.state,
      });
    }
    if (r.state !== 'HELD') return { kind: 'reservation', reservation: r, replay: true };
    this.finish(r, 'RELEASED', reason || 'released');
    return { kind: 'reservation', reservation: r, replay: false };
  }

  private expire(orderId: string): OpResult {
    const r = this.reservations.get(orderId);
    if (!r || r.state !== 'HELD' || r.expiresAt.getTime() > this.state.now.getTime()) return { kind: 'noop' };
    this.finish(r, 'EXPIRED', 'expired');
    return { kind: 'reservation', reservation: r, replay: false };
  }

  /** Returns a held reservation's units to available stock. */
  private finish(r: ReservationRecord, state: 'RELEASED' | 'EXPIRED', reason: string): void {
    const kind = state === 'EXPIRED' ? 'expire' : 'release';
    for (const l of r.lines) {
      this.move(
        l.sku,
        l.warehouseId,
        kind,
        { dAvailable: l.quantity, dReserved: -l.quantity },
        { orderId: r.orderId, reason },
      );
    }
    this.setState(r, state, reason);
  }

  private keyed(op: Extract<Op, { kind: 'receive' | 'adjust' | 'transfer' }>): OpResult {
    const record: IdempotencyRecord = {
      key: op.idempotencyKey,
      kind: op.kind,
      sku: op.sku,
      warehouseId: op.kind === 'transfer' ? op.fromWarehouseId : op.warehouseId,
      toWarehouseId: op.kind === 'transfer' ? op.toWarehouseId : null,
      quantity: op.kind === 'adjust' ? op.delta : op.quantity,
    };
    const affected = record.toWarehouseId ? [record.warehouseId, record.toWarehouseId] : [record.warehouseId];
    const levels = () => affected.map((wh) => ({ ...this.row(op.sku, wh) }));
    if (op.idempotencyKey !== '') {
      const seen = this.keys.get(op.idempotencyKey);
      if (seen) {
        if (!sameKeyed(seen, record)) {
          throw new AlreadyExists(`idempotency_key ${op.idempotencyKey} was used for a different request`);
        }
        return { kind: 'stock', levels: levels(), replay: true };
      }
    }
    const ref = {
      idempotencyKey: op.idempotencyKey || null,
      reason: 'reason' in op ? op.reason || null : null,
    };
    if (op.kind === 'receive') {
      this.move(op.sku, op.warehouseId, 'receive', { dAvailable: op.quantity, dReceived: op.quantity }, ref);
    } else if (op.kind === 'adjust') {
      const row = this.row(op.sku, op.warehouseId);
      if (row.available + op.delta < 0) {
        throw new FailedPrecondition(
          `adjusting ${op.sku} in ${op.warehouseId} by ${op.delta} would leave ${row.available + op.delta} available`,
        );
      }
      this.move(op.sku, op.warehouseId, 'adjust', { dAvailable: op.delta, dAdjusted: op.delta }, ref);
    } else {
      const from = this.row(op.sku, op.fromWarehouseId);
      if (from.available < op.quantity) {
        throw new FailedPrecondition(
          `only ${from.available} of ${op.sku} available in ${op.fromWarehouseId}, ${op.quantity} asked`,
        );
      }
      const d = op.quantity;
      this.move(op.sku, op.fromWarehouseId, 'transfer_out', { dAvailable: -d, dReceived: -d }, ref);
      this.move(op.sku, op.toWarehouseId, 'transfer_in', { dAvailable: d, dReceived: d }, ref);
    }
    if (op.idempotencyKey !== '') {
      this.keys.set(op.idempotencyKey, record);
      this.newKeys.push(record);
    }
    return { kind: 'stock', levels: levels(), replay: false };
  }

  private found(orderId: string): ReservationRecord {
    const r = this.reservations.get(orderId);
    if (!r) throw new NotFound(`no reservation for order ${orderId}`);
    return r;
  }

  private setState(r: ReservationRecord, state: ReservationRecord['state'], reason: string | null): void {
    r.state = state;
    r.reason = reason;
    r.updatedAt = this.state.now;
    this.changed.add(r.orderId);
  }

  private levelsOf(sku: string): { warehouseId: string; available: number }[] {
    return [...this.rows.values()].filter((r) => r.sku === sku);
  }

  private row(sku: string, warehouseId: string): StockRow {
    const key = stockKey(sku, warehouseId);
    let row = this.rows.get(key);
    if (!row) {
      row = { sku, warehouseId, available: 0, reserved: 0, sold: 0, received: 0, adjusted: 0 };
      this.rows.set(key, row);
      this.original.set(key, JSON.stringify(row));
    }
    return row;
  }

  private move(
    sku: string,
    warehouseId: string,
    kind: Movement['kind'],
    d: Partial<Pick<Movement, 'dAvailable' | 'dReserved' | 'dSold' | 'dReceived' | 'dAdjusted'>>,
    ref: { orderId?: string; idempotencyKey?: string | null; reason?: string | null },
  ): void {
    const m: Movement = {
      sku,
      warehouseId,
      kind,
      dAvailable: d.dAvailable ?? 0,
      dReserved: d.dReserved ?? 0,
      dSold: d.dSold ?? 0,
      dReceived: d.dReceived ?? 0,
      dAdjusted: d.dAdjusted ?? 0,
      orderId: ref.orderId ?? null,
      idempotencyKey: ref.idempotencyKey ?? null,
      reason: ref.reason ?? null,
    };
    const row = this.row(sku, warehouseId);
    row.available += m.dAvailable;
    row.reserved += m.dReserved;
    row.sold += m.dSold;
    row.received += m.dReceived;
    row.adjusted += m.dAdjusted;
    this.movements.push(m);
  }
}

/** Results must not see what later ops of the batch do to the same reservation. */
function snapshot(result: OpResult): OpResult {
  return result.kind === 'reservation'
    ? { ...result, reservation: { ...result.reservation, lines: [...result.reservation.lines] } }
    : result;
}

function sameLines(r: ReservationRecord, lines: readonly { sku: string; quantity: number }[]): boolean {
  const bySku = new Map<string, number>();
  for (const l of r.lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
  return bySku.size === lines.length && lines.every((l) => bySku.get(l.sku) === l.quantity);
}

function sameKeyed(a: IdempotencyRecord, b: IdempotencyRecord): boolean {
  return (
    a.kind === b.kind &&
    a.sku === b.sku &&
    a.warehouseId === b.warehouseId &&
    (a.toWarehouseId ?? null) === (b.toWarehouseId ?? null) &&
    a.quantity === b.quantity
  );
}
