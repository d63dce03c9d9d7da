import { createConnection } from 'mysql2/promise';
import type { Endpoint } from '../../platform/config.js';
import { closedLoop, type LoadResult } from './closed-loop.js';

/**
 * The raw ceiling issue #9 compares against: a conditional single-row UPDATE
 * (`… SET available = available - 1 WHERE id = 1 AND available >= 1`) on one hot row, autocommit,
 * with mysql2 straight to the primary over `connections` connections (1 = the baseline).
 */
export async function measureUpdateCeiling(opts: {
  primary: Endpoint;
  user: string;
  password: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
}): Promise<LoadResult> {
  const conns = await Promise.all(
    Array.from({ length: opts.connections }, () =>
      createConnection({
        host: opts.primary.host,
        port: opts.primary.port,
        user: opts.user,
        password: opts.password,
      }),
    ),
  );
  try {
    const admin = conns[0]!;
    await admin.query('CREATE DATABASE IF NOT EXISTS ecom_bench');
    await admin.query(
      'CREATE TABLE IF NOT EXISTS ecom_bench.hot_row (id INT PRIMARY KEY, available BIGINT NOT NULL) ENGINE=InnoDB',
    );
    await admin.query('REPLACE INTO ecom_bench.hot_row (id, available) VALUES (1, 1000000000)');
    return await closedLoop({
      concurrency: opts.connections,
      warmupMs: opts.warmupMs,
      durationMs: opts.durationMs,
      op: (_n, worker) =>
        conns[worker]!.query(
          'UPDATE ecom_bench.hot_row SET available = available - 1 WHERE id = 1 AND available >= 1',
        ),
    });
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
  }
}
