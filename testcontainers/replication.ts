import mysql from 'mysql2/promise';
import type { Endpoint } from '../platform/config.js';
import { MARIADB_PASSWORD, MARIADB_USER } from '../stack/processes/mariadb-template.js';
import { pointAndStart } from '../stack/processes/replication.js';

const connect = (e: Endpoint) =>
  mysql.createConnection({ ...e, user: MARIADB_USER, password: MARIADB_PASSWORD, connectTimeout: 5_000 });

/**
 * Makes the replica container replicate from the primary container by GTID
 * (`MASTER_USE_GTID=slave_pos`), over the stack network (`primaryHost`: the primary's alias and
 * in-container port), and waits until its IO and SQL threads both run.
 *
 * The two containers initialised their datadirs separately, so the replica starts from the
 * primary's current GTID position, with an empty binlog of its own (RESET MASTER): whatever either
 * server logged while initialising can then never clash under gtid_strict_mode.
 *
 * @param admin runs a statement as the replica's root (inside its container)
 * @param primary the primary's published endpoint (to read its position from the host)
 * @param replica the replica's published endpoint
 */
export async function startContainerReplication(
  primary: Endpoint,
  replica: Endpoint,
  primaryHost: Endpoint,
  admin: (sql: string) => Promise<void>,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const p = await connect(primary);
  let position: string;
  try {
    const [rows] = await p.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.gtid_binlog_pos AS pos');
    position = String(rows[0]?.pos ?? '');
  } finally {
    await p.end().catch(() => undefined);
  }
  const conn = await connect(replica);
  try {
    await conn.query('STOP SLAVE');
    const [own] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT @@GLOBAL.gtid_binlog_pos AS binlog, @@GLOBAL.gtid_slave_pos AS slave',
    );
    // Both are refused to `ecom` on a read-only server (as they should be); root, inside the
    // container, may. Usually neither is needed: both servers initialise without binary logging.
    if (String(own[0]?.binlog ?? '') !== '') await admin('RESET MASTER');
    if (String(own[0]?.slave ?? '') !== position) {
      if (!/^[0-9,-]*$/.test(position))
        throw new Error(`unexpected GTID position from the primary: ${position}`);
      await admin(`SET GLOBAL gtid_slave_pos = '${position}'`);
    }
    await pointAndStart(conn, primaryHost, {
      timeoutMs: opts.timeoutMs,
      what: `mysql-replica replicating from ${primaryHost.host}:${primaryHost.port}`,
    });
  } finally {
    await conn.end().catch(() => undefined);
  }
}
