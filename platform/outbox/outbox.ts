import type { Statement } from '../mysql.js';
import { DomainEvent } from './events.js';

/** Anything that runs a query: a transaction's connection (mysql2 PoolConnection or Connection). */
export interface Queryable {
  query(sql: string, values?: unknown): Promise<unknown>;
}

/** One SQL statement with its `?` values (runStatements runs it with the rest of a transaction). */
export type OutboxStatement = Statement;

/** The outbox table, in the publishing service's own database (migration: platform/outbox/outbox.sql). */
export const OUTBOX_TABLE = 'outbox';

function rows(events: readonly DomainEvent[]): unknown[][] {
  return events.map((e) => {
    // Validated again here: whatever built it, nothing malformed reaches the table.
    const valid = DomainEvent.parse(e);
    return [valid.id, valid.type, JSON.stringify(valid)];
  });
}

/**
 * The outbox: call `add` inside the business transaction, on its connection, so the events commit
 * (or roll back) with the change they describe. The relay (relay.ts) moves committed rows to Redis.
 */
export const outbox = {
  /** Inserts the events in one statement on `conn` (a connection inside an open transaction). */
  async add(conn: Queryable, ...events: DomainEvent[]): Promise<void> {
    const stmt = outbox.statement(events);
    if (stmt) await conn.query(stmt.sql, stmt.params);
  },

  /**
   * The INSERT for `events` as a statement, for code that batches its statements (inventory's
   * multi-statement transactions); undefined when there is nothing to insert.
   */
  statement(events: readonly DomainEvent[]): OutboxStatement | undefined {
    if (events.length === 0) return undefined;
    return {
      sql: `INSERT INTO ${OUTBOX_TABLE} (event_id, type, payload) VALUES ?`,
      params: [rows(events)],
    };
  },
};
