import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { Logger } from 'pino';
import { requireExecutable } from '../which.js';
import { spawnChild } from './child.js';
import { INNODB_LOG_FILE_SIZE, MARIADB_PASSWORD, MARIADB_USER } from './mariadb-template.js';
import { startedServer, type StartedServer } from './started.js';
import { waitFor } from './wait.js';

export {
  ensureMariaDbTemplate,
  MARIADB_ADMIN_USER,
  MARIADB_PASSWORD,
  MARIADB_USER,
} from './mariadb-template.js';
export { startReplication } from './replication.js';

const run = promisify(execFile);

/** Options of {@link startMariaDb}. */
export interface StartMariaDbOptions {
  /** Component name, e.g. "mysql-primary". */
  name: string;
  role: 'primary' | 'replica';
  /** Folder owned by this instance: datadir, my.cnf, log, pid file (and socket if the path is short). */
  dir: string;
  port: number;
  /** Distinct per instance of one replication topology. */
  serverId: number;
  /** From {@link ensureMariaDbTemplate}; copied only if `dir` has no datadir yet (a restart keeps its data). */
  templateDir: string;
  logger: Logger;
  /** Default 60 s. */
  readyTimeoutMs?: number;
}

/** A running mariadbd; see {@link startMariaDb}. */
export interface StartedMariaDb extends StartedServer {
  readonly role: 'primary' | 'replica';
}

/** Inputs of {@link mariaDbConfig}. */
export interface MariaDbConfigInput {
  role: 'primary' | 'replica';
  datadir: string;
  socket: string;
  pidFile: string;
  tmpdir: string;
  port: number;
  serverId: number;
}

/** The my.cnf of one instance (pure, for tests). */
export function mariaDbConfig(c: MariaDbConfigInput): string {
  const lines = [
    '[mariadbd]',
    'user=root',
    `datadir=${c.datadir}`,
    `socket=${c.socket}`,
    `pid-file=${c.pidFile}`,
    `tmpdir=${c.tmpdir}`,
    `port=${c.port}`,
    'bind-address=127.0.0.1',
    'skip-name-resolve',
    // The compiled-in default is latin1; Debian only sets utf8mb4 in /etc/mysql, which we never read.
    'character-set-server=utf8mb4',
    'collation-server=utf8mb4_general_ci',
    `server-id=${c.serverId}`,
    'log-bin=mysql-bin',
    'relay-log=relay-bin',
    'binlog-format=ROW',
    'gtid-strict-mode=ON',
    'log-slave-updates=ON',
    // ecom lacks SUPER (see MARIADB_USER); ROW binlogs make trusting its triggers and functions safe.
    'log_bin_trust_function_creators=ON',
    'innodb_buffer_pool_size=64M',
    `innodb_log_file_size=${INNODB_LOG_FILE_SIZE}`,
    'performance_schema=OFF',
    // The default writes a 12 MiB temporary tablespace at every start.
    'innodb_temp_data_file_path=ibtmp1:1M:autoextend',
    'max_connections=500',
  ];
  if (c.role === 'replica') {
    lines.push(
      'read_only=ON',
      // One apply thread cannot keep up with a busy primary on 2 cores (RUNBOOK).
      'slave_parallel_threads=4',
      'slave_parallel_mode=optimistic',
      'innodb_flush_log_at_trx_commit=2',
      'sync_binlog=0',
      // Notice a dead or cut-off primary in seconds, not the default minute, during fault drills.
      'slave_net_timeout=10',
    );
  } else {
    lines.push('innodb_flush_log_at_trx_commit=1');
  }
  return `${lines.join('\n')}\n`;
}

/** Unix socket paths are limited to 108 bytes including the terminating NUL. */
function socketPath(dir: string): { socket: string; outside: boolean } {
  const inside = path.join(dir, 'mysqld.sock');
  if (Buffer.byteLength(inside) < 100) return { socket: inside, outside: false };
  const short = path.join(os.tmpdir(), `ecom-my-${crypto.randomBytes(6).toString('hex')}.sock`);
  return { socket: short, outside: true };
}

/** Resolves true if the `ecom` user can run `SELECT 1` over TCP; rejects while it cannot. */
export async function mariaDbAnswers(host: string, port: number): Promise<boolean> {
  const conn = await mysql.createConnection({
    host,
    port,
    user: MARIADB_USER,
    password: MARIADB_PASSWORD,
    connectTimeout: 2_000,
  });
  try {
    await conn.query('SELECT 1');
    return true;
  } finally {
    // A polite COM_QUIT: a dropped socket makes mariadbd log an "Aborted connection" warning.
    await conn.end().catch(() => conn.destroy());
  }
}

/**
 * Starts mariadbd on 127.0.0.1:`port` with its own datadir under `dir` and a generated my.cnf
 * passed as `--defaults-file` (so /etc/mysql is never read). Primary and replica both write a ROW
 * binlog with GTIDs; the replica is read-only and applies in parallel. Resolves once `ecom`/`ecom`
 * can run `SELECT 1` over TCP. Stopping sends SIGTERM (a clean shutdown) and SIGKILL after 30 s.
 */
export async function startMariaDb(opts: StartMariaDbOptions): Promise<StartedMariaDb> {
  const mariadbd = requireExecutable('mariadbd', 'mariadb-server');
  const dir = path.resolve(opts.dir);
  const datadir = path.join(dir, 'data');
  const tmpdir = path.join(dir, 'tmp');
  fs.mkdirSync(tmpdir, { recursive: true });
  if (!fs.existsSync(datadir)) await run('cp', ['-a', opts.templateDir, datadir]);
  const { socket, outside } = socketPath(dir);
  const cnf = path.join(dir, 'my.cnf');
  fs.writeFileSync(
    cnf,
    mariaDbConfig({
      role: opts.role,
      datadir,
      socket,
      pidFile: path.join(dir, 'mysqld.pid'),
      tmpdir,
      port: opts.port,
      serverId: opts.serverId,
    }),
  );

  const started = Date.now();
  const child = spawnChild({
    name: opts.name,
    command: mariadbd,
    args: [`--defaults-file=${cnf}`],
    logFile: path.join(dir, 'mariadbd.log'),
  });
  const server = startedServer(child, opts.port, {
    stopTimeoutMs: 30_000,
    cleanup: () => {
      if (outside) fs.rmSync(socket, { force: true });
    },
  });
  try {
    await waitFor(() => mariaDbAnswers('127.0.0.1', opts.port), {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      intervalMs: 50,
      what: `${opts.name} (mariadbd on 127.0.0.1:${opts.port})`,
      child,
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  opts.logger.info(
    { name: opts.name, role: opts.role, port: opts.port, pid: child.pid, readyMs: Date.now() - started },
    'mariadb ready',
  );
  return Object.assign(server, { role: opts.role });
}
