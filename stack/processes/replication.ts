import mysql from 'mysql2/promise';
import {
  MARIADB_PASSWORD,
  MARIADB_USER,
  REPLICATION_PASSWORD,
  REPLICATION_USER,
} from './mariadb-template.js';
import { replicationStatus } from './replication-status.js';
import type { StartedServer } from './started.js';
import { WaitAbort, waitFor } from './wait.js';

/**
 * Makes `replica` replicate from `primary` by GTID (`MASTER_USE_GTID=slave_pos`) and waits until
 * both its IO and SQL threads run. Both datadirs come from the same template, so there is no
 * snapshot to copy. `primary` may be a fault proxy in front of the real primary.
 *
 * @throws with Last_IO_Error / Last_SQL_Error if the threads do not both run within `timeoutMs`
 *   (default 30 s), or at once if the SQL thread stops with an error.
 */
export async function startReplication(
  replica: Pick<StartedServer, 'name' | 'host' | 'port' | 'child'>,
  primary: { host: string; port: number },
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const conn = await mysql.createConnection({
    host: replica.host,
    port: replica.port,
    user: MARIADB_USER,
    password: MARIADB_PASSWORD,
  });
  try {
    await conn.query('STOP SLAVE');
    await pointAndStart(conn, primary, {
      timeoutMs: opts.timeoutMs,
      what: `${replica.name} replicating from ${primary.host}:${primary.port}`,
      child: replica.child,
    });
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/**
 * On a stopped replica: points it at `primary` by GTID (`MASTER_USE_GTID=slave_pos`), starts it,
 * and waits until both its IO and SQL threads run (shared by the processes and containers runtimes).
 */
export async function pointAndStart(
  conn: mysql.Connection,
  primary: { host: string; port: number },
  opts: { timeoutMs?: number; what: string; child?: StartedServer['child'] },
): Promise<void> {
  // MASTER_CONNECT_RETRY=1: after a fault on the link (or a primary restart) the replica reconnects
  // within a second instead of the default minute.
  await conn.query(
    'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
      'MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1',
    [primary.host, primary.port, REPLICATION_USER, REPLICATION_PASSWORD],
  );
  await conn.query('START SLAVE');
  await waitFor(
    async () => {
      const status = await replicationStatus(conn);
      if (status.running) return true;
      if (!status.sqlRunning && status.lastError?.includes('SQL:')) throw new WaitAbort(status.lastError);
      if (status.lastError) throw new Error(status.lastError);
      return false;
    },
    {
      timeoutMs: opts.timeoutMs ?? 30_000,
      intervalMs: 50,
      what: opts.what,
      ...(opts.child ? { child: opts.child } : {}),
    },
  );
}
