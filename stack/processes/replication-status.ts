import type { Connection, RowDataPacket } from 'mysql2/promise';

/** The replica's view of replication (MariaDB `SHOW SLAVE STATUS`). */
export interface ReplicationStatus {
  ioRunning: boolean;
  sqlRunning: boolean;
  /** Both threads running. */
  running: boolean;
  /** NULL while the SQL thread is stopped; compare GTID positions to measure lag then. */
  secondsBehind: number | null;
  /** Last_IO_Error and/or Last_SQL_Error, or null when both are empty. */
  lastError: string | null;
  /** `@@gtid_slave_pos`: the last GTID applied per replication domain, e.g. "0-1-42". */
  gtidSlavePos: string;
}

/** Anything with mysql2's promise `query` (a Connection, a Pool, a PoolConnection). */
export type Queryable = Pick<Connection, 'query'>;

/** Interprets one `SHOW SLAVE STATUS` row (undefined when replication was never configured). */
export function parseSlaveStatus(
  row: Record<string, unknown> | undefined,
  gtidSlavePos: string,
): ReplicationStatus {
  if (!row) {
    return {
      ioRunning: false,
      sqlRunning: false,
      running: false,
      secondsBehind: null,
      lastError: null,
      gtidSlavePos,
    };
  }
  const ioRunning = row.Slave_IO_Running === 'Yes';
  const sqlRunning = row.Slave_SQL_Running === 'Yes';
  const behind = row.Seconds_Behind_Master;
  const errors = [
    row.Last_IO_Error ? `IO: ${String(row.Last_IO_Error)}` : '',
    row.Last_SQL_Error ? `SQL: ${String(row.Last_SQL_Error)}` : '',
  ].filter(Boolean);
  return {
    ioRunning,
    sqlRunning,
    running: ioRunning && sqlRunning,
    secondsBehind: behind === null || behind === undefined ? null : Number(behind),
    lastError: errors.length > 0 ? errors.join('; ') : null,
    gtidSlavePos: typeof row.Gtid_Slave_Pos === 'string' ? row.Gtid_Slave_Pos : gtidSlavePos,
  };
}

/** Reads the replication state of the replica behind `conn`. */
export async function replicationStatus(conn: Queryable): Promise<ReplicationStatus> {
  const [rows] = await conn.query<RowDataPacket[]>('SHOW SLAVE STATUS');
  const row = rows[0];
  let pos = '';
  if (!row || typeof row.Gtid_Slave_Pos !== 'string') {
    const [p] = await conn.query<RowDataPacket[]>('SELECT @@GLOBAL.gtid_slave_pos AS pos');
    pos = String(p[0]?.pos ?? '');
  }
  return parseSlaveStatus(row, pos);
}
