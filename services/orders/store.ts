import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Database, Pool, PoolConnection } from '../../platform/mysql.js';
import { outbox } from '../../platform/outbox/outbox.js';
import { placedEvent, transitionEvent } from './events.js';
import { gtidOf } from './gtid.js';
import { DROP_LEASE, LEASE, Leases, type Claim } from './leases.js';
import { clip, COLUMNS, toRow, type OrderRow } from './rows.js';
import type { OrderState, SagaState } from './saga.js';

export type { Claim, OrderRow };

/** A new order, priced, to insert PENDING and claimed by its creator. */
export interface NewOrder {
  orderId: string;
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  currency: string;
  totalMinor: number;
  paymentToken: string;
  lines: { sku: string; quantity: number; unitPriceMinor: number }[];
}

/** Result of a write: its GTID, for read-your-writes. */
export interface Written {
  gtid: string | undefined;
}

/** The (user, idempotency key) already has an order. */
export class DuplicateOrder extends Error {}

/** The SQL of the orders database: orders, their lines, saga events and runner leases. */
export class OrderStore {
  /** Runner leases on the same rows. */
  readonly leases: Leases;

  constructor(
    private readonly db: Database,
    readonly instance: string,
  ) {
    this.leases = new Leases(db);
  }

  /** Inserts a PENDING order claimed by `claim`; throws {@link DuplicateOrder} for a reused key. */
  async insert(o: NewOrder, claim: Claim): Promise<Written> {
    return this.tx(async (conn) => {
      try {
        await conn.query(
          `INSERT INTO orders (order_id, user_id, idempotency_key, request_hash, status, saga_step, currency,
             total_minor, payment_token, claimed_by, claim_token, lease_until)
           VALUES (?, ?, ?, ?, 'PENDING', 'created', ?, ?, ?, ?, ?, ${LEASE})`,
          [
            o.orderId,
            o.userId,
            o.idempotencyKey,
            o.requestHash,
            o.currency,
            o.totalMinor,
            o.paymentToken,
            claim.instance,
            claim.token,
            claim.leaseMs * 1000,
          ],
        );
      } catch (err) {
        if ((err as { code?: string }).code === 'ER_DUP_ENTRY') throw new DuplicateOrder('duplicate order');
        throw err;
      }
      await conn.query(
        'INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_minor) VALUES ?',
        [o.lines.map((l, i) => [o.orderId, i, l.sku, l.quantity, l.unitPriceMinor])],
      );
      await this.event(conn, o.orderId, 'created', `total ${o.totalMinor} ${o.currency}`, null);
      await outbox.add(conn, placedEvent(o, this.instance));
    });
  }

  /** The primary pool (writes, decisions, reads that must be current). */
  get primaryPool(): Pool {
    return this.db.primary;
  }

  /** The saga part of an order (primary): its state, who holds it, how old it is. */
  async sagaState(orderId: string): Promise<Pick<OrderRow, 'state' | 'claimToken' | 'ageMs'> | undefined> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM orders WHERE order_id = ?`,
      [orderId],
    );
    return rows[0] ? toRow(rows[0], []) : undefined;
  }

  /** The order a user placed with an idempotency key (primary). */
  async findByKey(userId: string, key: string): Promise<OrderRow | undefined> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM orders WHERE user_id = ? AND idempotency_key = ?`,
      [userId, key],
    );
    return this.withLines(this.db.primary, rows).then((r) => r[0]);
  }

  /** One order with its lines, from `pool` (primary or replica). */
  async get(pool: Pool, orderId: string): Promise<OrderRow | undefined> {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM orders WHERE order_id = ?`, [
      orderId,
    ]);
    return this.withLines(pool, rows).then((r) => r[0]);
  }

  /**
   * A page of a user's orders, newest first, after the keyset cursor (created_key, order_id).
   * Fetches one more than `limit` so the caller knows whether another page exists.
   */
  async list(
    pool: Pool,
    q: {
      userId: string;
      status?: OrderState;
      after?: { createdKey: string; orderId: string };
      limit: number;
    },
  ): Promise<OrderRow[]> {
    const where = ['user_id = ?'];
    const args: unknown[] = [q.userId];
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.after) {
      where.push('(created_at < ? OR (created_at = ? AND order_id < ?))');
      args.push(q.after.createdKey, q.after.createdKey, q.after.orderId);
    }
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM orders WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, order_id DESC LIMIT ?`,
      [...args, q.limit + 1],
    );
    return this.withLines(pool, rows);
  }

  /**
   * Persists a saga transition, fenced by the runner's claim: nothing is written (and `applied` is
   * false) when another runner took the order over. Terminal states drop the lease.
   * `cancelRequested` is what the runner believes; `cancelChanged` says a cancel arrived meanwhile
   * (checked in the same statement, so the common path needs no re-read).
   */
  async transition(
    orderId: string,
    claimToken: string,
    next: SagaState,
    event: { step: string; detail: string | null },
    durationMs: number | null,
    terminal: boolean,
  ): Promise<Written & { applied: boolean; cancelChanged: boolean }> {
    let applied = false;
    let cancelChanged = false;
    const written = await this.tx(async (conn) => {
      const sql = `UPDATE orders SET status = ?, saga_step = ?, reject_reason = ?, reject_detail = ?,
          compensation_todo = ?, payment_id = ?, updated_at = NOW(6)
          ${terminal ? `, claimed_by = NULL, claim_token = NULL, lease_until = ${DROP_LEASE}` : ''}
        WHERE order_id = ? AND claim_token = ?`;
      const args = [
        next.status,
        next.step,
        next.reason,
        clip(next.detail, 512),
        next.todo?.join(',') ?? null,
        next.paymentId,
        ...(terminal ? [next.status] : []),
        orderId,
        claimToken,
      ];
      let [res] = await conn.query<ResultSetHeader>(`${sql} AND cancel_requested = ?`, [
        ...args,
        next.cancelRequested ? 1 : 0,
      ]);
      if (res.affectedRows !== 1) {
        [res] = await conn.query<ResultSetHeader>(sql, args);
        if (res.affectedRows !== 1) return;
        cancelChanged = true;
      }
      applied = true;
      await this.event(conn, orderId, event.step, event.detail, durationMs);
      const published = await transitionEvent(conn, orderId, event.step, next, this.instance);
      if (published) await outbox.add(conn, published);
    });
    return { ...written, applied, cancelChanged };
  }

  /**
   * Records a cancel request on a PENDING or CONFIRMED order (once). A CONFIRMED order has no
   * runner, so it becomes claimable at once (lease_until = now).
   */
  async requestCancel(orderId: string, reason: string): Promise<Written & { changed: boolean }> {
    let changed = false;
    const written = await this.tx(async (conn) => {
      const [res] = await conn.query<ResultSetHeader>(
        `UPDATE orders SET cancel_requested = 1, cancel_reason = ?, updated_at = NOW(6),
           lease_until = IF(lease_until IS NULL, NOW(3) - INTERVAL 1 MICROSECOND, lease_until)
         WHERE order_id = ? AND status IN ('PENDING', 'CONFIRMED') AND cancel_requested = 0`,
        [clip(reason, 256), orderId],
      );
      if (res.affectedRows !== 1) return;
      changed = true;
      await this.event(conn, orderId, 'cancel-requested', clip(reason, 512), null);
    });
    return { ...written, changed };
  }

  private async event(
    conn: PoolConnection,
    orderId: string,
    step: string,
    detail: string | null,
    durationMs: number | null,
  ): Promise<void> {
    await conn.query(
      'INSERT INTO saga_events (order_id, step, detail, instance, duration_ms) VALUES (?, ?, ?, ?, ?)',
      [orderId, step, clip(detail, 512), this.instance, durationMs === null ? null : Math.round(durationMs)],
    );
  }

  /** A transaction on the primary whose COMMIT reports the GTID it wrote. */
  private async tx(fn: (conn: PoolConnection) => Promise<void>): Promise<Written> {
    const conn = await this.db.primary.getConnection();
    try {
      await conn.query('BEGIN');
      await fn(conn);
      const [res] = await conn.query<ResultSetHeader>('COMMIT');
      return { gtid: gtidOf(res) };
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => conn.destroy());
      throw err;
    } finally {
      conn.release();
    }
  }

  private async withLines(pool: Pool, rows: RowDataPacket[]): Promise<OrderRow[]> {
    if (rows.length === 0) return [];
    const [lines] = await pool.query<RowDataPacket[]>(
      'SELECT order_id, sku, quantity, unit_price_minor FROM order_lines WHERE order_id IN (?) ORDER BY order_id, line_no',
      [rows.map((r) => r.order_id)],
    );
    const byOrder = new Map<string, OrderRow['lines']>();
    for (const l of lines) {
      const list = byOrder.get(String(l.order_id)) ?? [];
      list.push({
        sku: String(l.sku),
        quantity: Number(l.quantity),
        unitPriceMinor: Number(l.unit_price_minor),
      });
      byOrder.set(String(l.order_id), list);
    }
    return rows.map((r) => toRow(r, byOrder.get(String(r.order_id)) ?? []));
  }
}
