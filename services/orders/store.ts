import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import {
  reissueTransaction,
  runStatements,
  type Database,
  type Pool,
  type Statement as Stmt,
} from '../../platform/mysql.js';
import { outbox } from '../../platform/outbox/outbox.js';
import { placedEvent, publishesEvent, transitionEvent, transitionFactsQuery } from './events.js';
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

/** A transaction InnoDB chose as a deadlock victim is issued again, up to 3 runs in all. */
const ON_DEADLOCK = {
  attempts: 3,
  codes: new Set(['ER_LOCK_DEADLOCK']),
  pauseMs: (attempt: number) => attempt * 5 + Math.random() * 10,
};

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

  /**
   * Inserts a PENDING order claimed by `claim`, with its lines, its first saga event and its
   * order.placed event, in one round trip; throws {@link DuplicateOrder} for a reused key.
   */
  async insert(o: NewOrder, claim: Claim): Promise<Written> {
    const placed = outbox.statement([placedEvent(o, this.instance)]);
    try {
      const { gtid } = await this.tx([
        {
          sql: `INSERT INTO orders (order_id, user_id, idempotency_key, request_hash, status, saga_step, currency,
                  total_minor, payment_token, claimed_by, claim_token, lease_until)
                VALUES (?, ?, ?, ?, 'PENDING', 'created', ?, ?, ?, ?, ?, ${LEASE})`,
          params: [
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
        },
        {
          sql: 'INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_minor) VALUES ?',
          params: [o.lines.map((l, i) => [o.orderId, i, l.sku, l.quantity, l.unitPriceMinor])],
        },
        this.event(o.orderId, 'created', `total ${o.totalMinor} ${o.currency}`, null),
        ...(placed ? [placed] : []),
      ]);
      return { gtid };
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') throw new DuplicateOrder('duplicate order');
      throw err;
    }
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
   * (checked in the same transaction, so the common path needs no re-read). One round trip; two
   * for a step that changes the status, whose event is built from the rows it reads after the UPDATE.
   */
  async transition(
    orderId: string,
    claimToken: string,
    next: SagaState,
    event: { step: string; detail: string | null },
    durationMs: number | null,
    terminal: boolean,
  ): Promise<Written & { applied: boolean; cancelChanged: boolean }> {
    const set = `UPDATE orders SET status = ?, saga_step = ?, reject_reason = ?, reject_detail = ?,
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
    const publishes = publishesEvent(event.step);
    // The UPDATE as the runner believes the order is; if that misses, again without the cancel
    // flag (a cancel arrived meanwhile). The saga event is written only when one of them applied.
    const stmts: Stmt[] = [
      { sql: `${set} AND cancel_requested = ?`, params: [...args, next.cancelRequested ? 1 : 0] },
      { sql: 'SET @ecom_applied = ROW_COUNT()', params: [] },
      { sql: `${set} AND @ecom_applied = 0`, params: args },
      { sql: 'SET @ecom_changed = ROW_COUNT()', params: [] },
      this.event(orderId, event.step, event.detail, durationMs, '@ecom_applied + @ecom_changed = 1'),
      ...(publishes ? [transitionFactsQuery(orderId)] : []),
    ];
    const outcome = (results: unknown[]) => {
      const applied = affected(results[0]) === 1;
      return {
        applied: applied || affected(results[2]) === 1,
        cancelChanged: !applied && affected(results[2]) === 1,
      };
    };
    const { results, gtid } = await this.tx(
      stmts,
      publishes
        ? (read) => {
            if (!outcome(read).applied) return [];
            const published = transitionEvent(
              read[5] as RowDataPacket[],
              orderId,
              event.step,
              next,
              this.instance,
            );
            const stmt = published ? outbox.statement([published]) : undefined;
            return stmt ? [stmt] : [];
          }
        : undefined,
    );
    return { gtid, ...outcome(results) };
  }

  /**
   * Records a cancel request on a PENDING or CONFIRMED order (once). A CONFIRMED order has no
   * runner, so it becomes claimable at once (lease_until = now). One round trip.
   */
  async requestCancel(orderId: string, reason: string): Promise<Written & { changed: boolean }> {
    const { results, gtid } = await this.tx([
      {
        sql: `UPDATE orders SET cancel_requested = 1, cancel_reason = ?, updated_at = NOW(6),
                lease_until = IF(lease_until IS NULL, NOW(3) - INTERVAL 1 MICROSECOND, lease_until)
              WHERE order_id = ? AND status IN ('PENDING', 'CONFIRMED') AND cancel_requested = 0`,
        params: [clip(reason, 256), orderId],
      },
      { sql: 'SET @ecom_applied = ROW_COUNT()', params: [] },
      this.event(orderId, 'cancel-requested', clip(reason, 512), null, '@ecom_applied = 1'),
    ]);
    return { gtid, changed: affected(results[0]) === 1 };
  }

  /** The INSERT of one saga event; with `when`, only if that SQL condition holds. */
  private event(
    orderId: string,
    step: string,
    detail: string | null,
    durationMs: number | null,
    when?: string,
  ): Stmt {
    const into = 'INSERT INTO saga_events (order_id, step, detail, instance, duration_ms)';
    return {
      sql: when ? `${into} SELECT ?, ?, ?, ?, ? FROM DUAL WHERE ${when}` : `${into} VALUES (?, ?, ?, ?, ?)`,
      params: [
        orderId,
        step,
        clip(detail, 512),
        this.instance,
        durationMs === null ? null : Math.round(durationMs),
      ],
    };
  }

  /**
   * A transaction on the primary in one round trip (BEGIN, `stmts`, COMMIT as one multi-statement
   * query), or two when `then` adds statements built from the results of `stmts`. Returns the
   * results of `stmts` and the GTID the COMMIT reported. A failed statement stops the rest of its
   * query, so the transaction is rolled back and the error rethrown. A deadlock victim is re-issued
   * whole (InnoDB rolled all of it back), as MariaDB's manual advises, up to 3 attempts: concurrent
   * duplicate PlaceOrders on two instances once lost one to a deadlock, answered ABORTED.
   */
  private tx(
    stmts: Stmt[],
    then?: (results: unknown[]) => Stmt[],
  ): Promise<Written & { results: unknown[] }> {
    return reissueTransaction(() => this.txOnce(stmts, then), ON_DEADLOCK);
  }

  private async txOnce(
    stmts: Stmt[],
    then?: (results: unknown[]) => Stmt[],
  ): Promise<Written & { results: unknown[] }> {
    const conn = await this.db.primary.getConnection();
    try {
      const begin = { sql: 'BEGIN', params: [] };
      const commit = { sql: 'COMMIT', params: [] };
      if (!then) {
        const all = await runStatements(conn, [begin, ...stmts, commit]);
        return { results: all.slice(1, -1), gtid: gtidOf(all.at(-1)) };
      }
      const results = (await runStatements(conn, [begin, ...stmts])).slice(1);
      const last = await runStatements(conn, [...then(results), commit]);
      return { results, gtid: gtidOf(last.at(-1)) };
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

/** Rows an UPDATE matched (mysql2 connects with FOUND_ROWS). */
function affected(result: unknown): number {
  return (result as ResultSetHeader).affectedRows;
}
