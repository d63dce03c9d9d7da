import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { requireExecutable } from '../which.js';

const run = promisify(execFile);

/** Redo log size baked into the template; every instance's my.cnf must use the same value. */
export const INNODB_LOG_FILE_SIZE = '16M';

/**
 * The account services and the stack use, over TCP on 127.0.0.1: every privilege except SUPER and
 * READ_ONLY ADMIN, which would let it write through a replica's read_only. It can still run
 * migrations, CHANGE MASTER / START / STOP SLAVE, MASTER_DELAY and MASTER_GTID_WAIT.
 */
export const MARIADB_USER = 'ecom';
export const MARIADB_PASSWORD = 'ecom';
/**
 * Passwordless on the loopback addresses only, for what needs SUPER or READ_ONLY ADMIN
 * (`SET GLOBAL read_only`, promoting a replica, some SET GLOBALs).
 */
export const MARIADB_ADMIN_USER = 'root';
/** The account replicas use to read the primary's binlog. */
export const REPLICATION_USER = 'repl';
export const REPLICATION_PASSWORD = 'repl';

// Bootstrap runs with the grant tables unloaded and refuses CREATE USER until FLUSH PRIVILEGES
// loads them. The hostname-based root entries only cause warnings under skip-name-resolve.
/** The users every stack's MariaDB has (see {@link MARIADB_USER}); also run by the containers runtime. */
export const BOOTSTRAP_SQL = `FLUSH PRIVILEGES;
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1');
DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost', '127.0.0.1', '::1');
FLUSH PRIVILEGES;
CREATE USER '${MARIADB_USER}'@'%' IDENTIFIED BY '${MARIADB_PASSWORD}';
GRANT ALL PRIVILEGES ON *.* TO '${MARIADB_USER}'@'%' WITH GRANT OPTION;
REVOKE SUPER, READ_ONLY ADMIN ON *.* FROM '${MARIADB_USER}'@'%';
CREATE USER '${REPLICATION_USER}'@'%' IDENTIFIED BY '${REPLICATION_PASSWORD}';
GRANT REPLICATION SLAVE ON *.* TO '${REPLICATION_USER}'@'%';
`;

/** The installed server's version as `mariadbd --version` prints it, made safe for a folder name. */
export async function mariaDbVersion(mariadbd: string): Promise<string> {
  const { stdout } = await run(mariadbd, ['--version']);
  const match = /Ver\s+(\S+)/.exec(stdout);
  if (!match?.[1]) throw new Error(`cannot read the MariaDB version from: ${stdout.trim()}`);
  return match[1].replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * An initialised MariaDB datadir to copy for each instance (copying takes ~50 ms where
 * `mariadb-install-db` takes 0.5–2 s). Built once per server version into
 * `cacheDir/mariadb-template-<version>-<recipe hash>` with users `ecom`/`ecom` (see {@link MARIADB_USER}) and
 * `repl`/`repl` (REPLICATION SLAVE), no test database, passwordless root on the socket.
 *
 * Safe to call from several processes at once: each builds in its own temporary folder and renames
 * it into place; a loser of that race discards its copy and returns the winner's.
 *
 * @returns the template datadir (copy it; never start a server on it).
 */
export async function ensureMariaDbTemplate(cacheDir: string, logger: Logger): Promise<string> {
  const mariadbd = requireExecutable('mariadbd', 'mariadb-server');
  const installDb = requireExecutable('mariadb-install-db', 'mariadb-server');
  // The content hash makes a change to the users or sizes below build a new template, not reuse an old one.
  const recipe = crypto.createHash('sha256').update(BOOTSTRAP_SQL).update(INNODB_LOG_FILE_SIZE).digest('hex');
  const version = `${await mariaDbVersion(mariadbd)}-${recipe.slice(0, 8)}`;
  const final = path.join(path.resolve(cacheDir), `mariadb-template-${version}`);
  if (fs.existsSync(final)) return final;

  fs.mkdirSync(cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(path.resolve(cacheDir), `.building-mariadb-template-`));
  const started = Date.now();
  try {
    const datadir = path.join(work, 'data');
    const sqlFile = path.join(work, 'bootstrap.sql');
    // Concurrent bootstraps sharing /tmp trip over each other's temporary tables (measured: 2 of 6
    // parallel builds failed with "Unknown table 'mysql.tmp_user_sys'").
    const tmpdir = path.join(work, 'tmp');
    fs.mkdirSync(tmpdir);
    fs.writeFileSync(sqlFile, BOOTSTRAP_SQL);
    const args = [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--tmpdir=${tmpdir}`,
      `--user=${os.userInfo().username}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      `--extra-file=${sqlFile}`,
      `--innodb-log-file-size=${INNODB_LOG_FILE_SIZE}`,
      '--innodb-buffer-pool-size=64M',
    ];
    try {
      await run(installDb, args, { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      const lines = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n');
      // The cause is usually an ERROR line well before the generic advice at the end.
      const output = [...lines.filter((l) => /error/i.test(l)).slice(0, 10), '...', ...lines.slice(-10)].join(
        '\n',
      );
      throw new Error(`mariadb-install-db failed: ${e.message.split('\n')[0]}\n${output}`);
    }
    try {
      fs.renameSync(datadir, final);
      logger.info({ template: final, ms: Date.now() - started }, 'built MariaDB template datadir');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
      logger.debug({ template: final }, 'another process built the MariaDB template first');
    }
    return final;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
