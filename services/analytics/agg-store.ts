import { randomBytes } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { reissueTransaction, type Database } from '../../platform/mysql.js';
import type { DomainEvent } from '../../platform/outbox/events.js';
import { increments, merge, type Increment } from './aggregate.js';

/** A counter row as stored: `bucket` is null for the all-time totals. */
export interface CounterRow {
  bucket: number | null;
  metric: string;
  dim: string;
  value: number;
}

/** What applying a batch did. */
export interface ApplyResult {
  /** Events applied now (first delivery). */
  applied: DomainEvent[];
  /** Events of the batch already applied before (redeliveries), or repeated within it. */
  duplicates: number;
}

/** A batch refused for a lock conflict is applied again, up to 6 runs in all. */
const ON_LOCK_CONFLICT = { attempts: 6, codes: new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']) };
const byKey = (a: Increment, b: Increment) =>
  a.bucket - b.bucket ||
  (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : 0);

/** The SQL of the analytics database: deduplication and counters. Reads and writes the primary. */
export class AggregateStore {
  constructor(private readonly db: Database) {}

  /**
   * Applies a batch of events exactly once each: in ONE transaction, records their ids (INSERT
   * IGNORE, tagged with a fresh batch id), keeps those this batch inserted (the others were applied
   * before: redeliveries), and adds their increments to the per-second and all-time counters.
   * Rows are written in key order, so concurrent instances cannot deadlock on each other (a
   * deadlock or lock-wait timeout is retried anyway).
   */
  async apply(events: DomainEvent[]): Promise<ApplyResult> {
    const unique = [...new Map(events.map((e) => [e.id, e])).values()];
    if (unique.length === 0) return { applied: [], duplicates: events.length };
    return reissueTransaction(
      () =>
        this.db.transaction(async (conn) => {
          const batch = randomBytes(8).toString('hex');
          await conn.query('INSERT IGNORE INTO processed_events (event_id, batch_id, type) VALUES ?', [
            unique.map((e) => [e.id, batch, e.type]),
          ]);
          const [fresh] = await conn.query<RowDataPacket[]>(
            'SELECT event_id FROM processed_events WHERE batch_id = ? AND event_id IN (?)',
            [batch, unique.map((e) => e.id)],
          );
          const ids = new Set(fresh.map((r) => String(r.event_id)));
          const applied = unique.filter((e) => ids.has(e.id));
          const series = merge(applied.flatMap(increments)).sort(byKey);
          if (series.length > 0) {
            await conn.query(
              `INSERT INTO agg_series (bucket, metric, dim, value) VALUES ?
                 ON DUPLICATE KEY UPDATE value = value + VALUES(value)`,
              [series.map((i) => [i.bucket, i.metric, i.dim, i.delta])],
            );
            const totals = merge(series.map((i) => ({ ...i, bucket: 0 }))).sort(byKey);
            await conn.query(
              `INSERT INTO agg_totals (metric, dim, value) VALUES ?
                 ON DUPLICATE KEY UPDATE value = value + VALUES(value)`,
              [totals.map((i) => [i.metric, i.dim, i.delta])],
            );
          }
          return { applied, duplicates: events.length - applied.length };
        }),
      ON_LOCK_CONFLICT,
    );
  }

  /** Every all-time counter and the per-second counters from `fromBucket` on. */
  async load(fromBucket: number): Promise<CounterRow[]> {
    const [totals] = await this.db.primary.query<RowDataPacket[]>(
      'SELECT metric, dim, value FROM agg_totals',
    );
    const [series] = await this.db.primary.query<RowDataPacket[]>(
      'SELECT bucket, metric, dim, value FROM agg_series WHERE bucket >= ?',
      [fromBucket],
    );
    return [...totals.map((r) => row(r, null)), ...series.map((r) => row(r, Number(r.bucket)))];
  }

  /** Counters changed in the last `lookbackMs` (by the database's clock), from `fromBucket` on. */
  async changedSince(lookbackMs: number, fromBucket: number): Promise<CounterRow[]> {
    const us = Math.ceil(lookbackMs * 1_000);
    const [totals] = await this.db.primary.query<RowDataPacket[]>(
      'SELECT metric, dim, value FROM agg_totals WHERE updated_at >= NOW(6) - INTERVAL ? MICROSECOND',
      [us],
    );
    const [series] = await this.db.primary.query<RowDataPacket[]>(
      `SELECT bucket, metric, dim, value FROM agg_series
        WHERE updated_at >= NOW(6) - INTERVAL ? MICROSECOND AND bucket >= ?`,
      [us, fromBucket],
    );
    return [...totals.map((r) => row(r, null)), ...series.map((r) => row(r, Number(r.bucket)))];
  }

  /** Deletes per-second counters before `beforeBucket` and remembered ids older than `dedupeHours`. */
  async purge(beforeBucket: number, dedupeHours: number): Promise<number> {
    let deleted = 0;
    for (const [sql, value] of [
      ['DELETE FROM agg_series WHERE bucket < ? LIMIT 10000', beforeBucket],
      ['DELETE FROM processed_events WHERE processed_at < NOW(6) - INTERVAL ? HOUR LIMIT 10000', dedupeHours],
    ] as const) {
      for (let i = 0; i < 50; i++) {
        const [res] = await this.db.primary.query<ResultSetHeader>(sql, [value]);
        deleted += res.affectedRows;
        if (res.affectedRows < 10_000) break;
      }
    }
    return deleted;
  }

  /** How many events were ever applied (ids still remembered), by type. */
  async processedCounts(): Promise<Record<string, number>> {
    const [rows] = await this.db.primary.query<RowDataPacket[]>(
      'SELECT type, COUNT(*) AS n FROM processed_events GROUP BY type',
    );
    return Object.fromEntries(rows.map((r) => [String(r.type), Number(r.n)]));
  }
}

function row(r: RowDataPacket, bucket: number | null): CounterRow {
  return { bucket, metric: String(r.metric), dim: String(r.dim), value: Number(r.value) };
}
