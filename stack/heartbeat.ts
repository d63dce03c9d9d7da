import type { Connection, Pool } from 'mysql2/promise';
import type { Logger } from '../platform/logger.js';

/**
 * A pt-heartbeat style replication-lag probe: the supervisor writes the primary's clock into one
 * row twice a second; on the replica, lag = now − the replicated timestamp. Unlike
 * Seconds_Behind_Master it stays meaningful while the SQL thread is stopped (RUNBOOK).
 */
export const HEARTBEAT_SCHEMA = [
  'CREATE DATABASE IF NOT EXISTS ecom_meta',
  'CREATE TABLE IF NOT EXISTS ecom_meta.heartbeat (id TINYINT PRIMARY KEY, ts DATETIME(6) NOT NULL)',
];

const INTERVAL_MS = 500;

/** Starts writing heartbeats to the primary; returns an object you can stop. */
export async function startHeartbeat(primary: Pool, logger: Logger): Promise<{ stop(): Promise<void> }> {
  for (const sql of HEARTBEAT_SCHEMA) await primary.query(sql);
  const beat = () =>
    primary
      .query(
        'INSERT INTO ecom_meta.heartbeat (id, ts) VALUES (1, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE ts = VALUES(ts)',
      )
      .catch((err: unknown) => logger.debug({ err: (err as Error).message }, 'heartbeat write failed'));
  await beat();
  const timer = setInterval(() => void beat(), INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
    },
  };
}

/**
 * Replication lag in seconds measured on the replica from the heartbeat row; null if it has never
 * replicated a heartbeat. Resolution is the heartbeat interval (0.5 s).
 */
export async function heartbeatLagSeconds(replica: Pick<Connection, 'query'>): Promise<number | null> {
  const [rows] = await replica.query(
    'SELECT TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) AS us FROM ecom_meta.heartbeat WHERE id = 1',
  );
  const us = (rows as { us: number | null }[])[0]?.us;
  if (us === undefined || us === null) return null;
  return Math.max(0, Math.round((Number(us) / 1e6 - INTERVAL_MS / 1000) * 10) / 10);
}
