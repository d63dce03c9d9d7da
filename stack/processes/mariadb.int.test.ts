import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../ports.js';
import {
  ensureMariaDbTemplate,
  MARIADB_ADMIN_USER,
  MARIADB_PASSWORD,
  MARIADB_USER,
  startMariaDb,
  startReplication,
  type StartedMariaDb,
} from './mariadb.js';
import { replicationStatus } from './replication-status.js';

const logger = pino({ level: 'silent' });
let dir: string;
const servers: StartedMariaDb[] = [];

const rssMiB = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
};
const connect = (port: number): Promise<mysql.Connection> =>
  mysql.createConnection({ host: '127.0.0.1', port, user: MARIADB_USER, password: MARIADB_PASSWORD });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-mariadb-int-'));
});
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('MariaDB template', () => {
  it('is built once when several callers race for it', async () => {
    const cache = path.join(dir, 'race-cache');
    const t0 = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => ensureMariaDbTemplate(cache, logger)));
    console.log(`mariadb template (3 racing builders): ${Date.now() - t0} ms`);
    expect(new Set(results).size).toBe(1);
    expect(fs.readdirSync(cache)).toEqual([path.basename(results[0] as string)]);
    expect(fs.existsSync(path.join(results[0] as string, 'mysql', 'global_priv.MAD'))).toBe(true);
    const t1 = Date.now();
    expect(await ensureMariaDbTemplate(cache, logger)).toBe(results[0]);
    expect(Date.now() - t1).toBeLessThan(1_000);
  });
});

describe('MariaDB primary + replica', () => {
  it('replicates a write from the primary to the replica, then stops cleanly', async () => {
    const templateDir = await ensureMariaDbTemplate(path.join(dir, 'cache'), logger);
    const [primaryPort, replicaPort] = (await freePorts(2)) as [number, number];
    // A long folder name forces the replica's socket out to os.tmpdir().
    const replicaDir = path.join(dir, `replica-${'x'.repeat(100)}`);
    const timed = async (p: Promise<StartedMariaDb>): Promise<[StartedMariaDb, number]> => {
      const t0 = Date.now();
      const s = await p;
      servers.push(s);
      return [s, Date.now() - t0];
    };
    const [[primary, primaryMs], [replica, replicaMs]] = await Promise.all([
      timed(
        startMariaDb({
          name: 'mysql-primary',
          role: 'primary',
          dir: path.join(dir, 'primary'),
          port: primaryPort,
          serverId: 1,
          templateDir,
          logger,
        }),
      ),
      timed(
        startMariaDb({
          name: 'mysql-replica',
          role: 'replica',
          dir: replicaDir,
          port: replicaPort,
          serverId: 2,
          templateDir,
          logger,
        }),
      ),
    ]);
    const t0 = Date.now();
    await startReplication(replica, primary);
    const replicationMs = Date.now() - t0;

    const p = await connect(primary.port);
    const r = await connect(replica.port);
    try {
      await p.query('CREATE DATABASE it_repl');
      await p.query('CREATE TABLE it_repl.kv (k VARCHAR(32) PRIMARY KEY, v INT NOT NULL)');
      await p.query("INSERT INTO it_repl.kv VALUES ('answer', 42)");
      const deadline = Date.now() + 10_000;
      let rows: RowDataPacket[] = [];
      while (Date.now() < deadline) {
        [rows] = await r
          .query<RowDataPacket[]>("SELECT v FROM it_repl.kv WHERE k = 'answer'")
          .catch(() => [[] as RowDataPacket[]] as const);
        if (rows.length > 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(rows[0]?.v).toBe(42);
      const status = await replicationStatus(r);
      expect(status).toMatchObject({ ioRunning: true, sqlRunning: true, running: true, lastError: null });
      expect(status.gtidSlavePos).toMatch(/^0-1-\d+$/);
      const [[ro]] = (await r.query<RowDataPacket[]>(
        'SELECT @@read_only AS ro, @@character_set_server AS cs',
      )) as [RowDataPacket[], unknown];
      expect(ro).toMatchObject({ ro: 1, cs: 'utf8mb4' });
      // read_only binds the application user on the replica; root over loopback can lift it.
      await expect(r.query("INSERT INTO it_repl.kv VALUES ('direct', 1)")).rejects.toThrow(/read-only/);
      // Triggers need no SUPER (log_bin_trust_function_creators) and replicate like any DDL.
      await p.query(
        'CREATE TRIGGER it_repl.kv_bi BEFORE INSERT ON it_repl.kv FOR EACH ROW SET NEW.v = NEW.v + 1',
      );
      const admin = await mysql.createConnection({
        host: '127.0.0.1',
        port: replica.port,
        user: MARIADB_ADMIN_USER,
      });
      try {
        await admin.query('SET GLOBAL read_only = OFF');
        await admin.query('SET GLOBAL read_only = ON');
      } finally {
        await admin.end();
      }
    } finally {
      await Promise.all([p.end(), r.end()]);
    }

    await new Promise((res) => setTimeout(res, 1_000));
    console.log(
      `mariadb ready: primary ${primaryMs} ms, replica ${replicaMs} ms (started in parallel); ` +
        `replication running after ${replicationMs} ms; idle RSS primary ${rssMiB(primary.pid)} MiB, replica ${rssMiB(replica.pid)} MiB`,
    );

    const t1 = Date.now();
    await Promise.all([primary.stop(), replica.stop()]);
    console.log(`mariadb stop (both): ${Date.now() - t1} ms`);
    expect((await primary.child.exited).code).toBe(0);
    expect((await replica.child.exited).code).toBe(0);
    expect(fs.existsSync(`/proc/${primary.pid}`)).toBe(false);
    expect(fs.existsSync(`/proc/${replica.pid}`)).toBe(false);
  });
});
