import fs from 'node:fs';
import path from 'node:path';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';

/** One database and the folder of `.sql` files that builds it. */
export interface MigrationSet {
  database: string;
  dir: string;
}

const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

/**
 * One entry per `servicesDir/<service>/migrations/` folder that exists, sorted by service name; the
 * database is the service's folder name with hyphens turned into underscores
 * ("payment-gateway" → "payment_gateway").
 */
export function discoverMigrations(servicesDir: string): MigrationSet[] {
  const root = path.resolve(servicesDir);
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .filter((name) =>
      fs.statSync(path.join(root, name, 'migrations'), { throwIfNoEntry: false })?.isDirectory(),
    )
    .map((name) => ({ database: name.replace(/-/g, '_'), dir: path.join(root, name, 'migrations') }));
}

/**
 * The `.sql` file names in `dir`, in the order they are applied: plain code-unit order of the
 * names (locale-independent, so "010_x.sql" sorts after "002_y.sql" only with zero padding).
 */
export function listMigrationFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sql'))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The files of `files` not in `applied`, keeping their order. */
export function pendingMigrations(files: string[], applied: Iterable<string>): string[] {
  const done = new Set(applied);
  return files.filter((f) => !done.has(f));
}

/**
 * Applies, per database, the `.sql` files of its folder that `schema_migrations` does not list yet,
 * in {@link listMigrationFiles} order, and records each one (its file name is its version).
 * Creates the database and the `schema_migrations` table if missing. A file may hold several
 * statements, so `conn` must have been opened with `multipleStatements: true`; DELIMITER is a
 * client command and is not supported. DDL commits implicitly in MariaDB, so a file that fails half
 * way is not rolled back: the error names the file, and it stays unrecorded.
 *
 * Concurrent runners (several instances starting at once) are serialised per database with
 * GET_LOCK. Run against the primary; replicas receive the result through replication.
 *
 * @returns the applied files as "database/file".
 */
export async function migrate(
  conn: Connection,
  databases: MigrationSet[],
  logger: Logger,
): Promise<{ applied: string[] }> {
  const applied: string[] = [];
  for (const { database, dir } of databases) {
    if (!IDENTIFIER.test(database)) {
      throw new Error(`migrate: database name ${JSON.stringify(database)} must match ${IDENTIFIER}`);
    }
    const files = listMigrationFiles(dir);
    const lockName = `ecom-migrate-${database}`;
    const [locked] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 120) AS ok', [lockName]);
    if (locked[0]?.ok !== 1) throw new Error(`migrate: could not take lock ${lockName} within 120 s`);
    try {
      await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
      await conn.query(
        `CREATE TABLE IF NOT EXISTS \`${database}\`.schema_migrations (
           version VARCHAR(255) NOT NULL PRIMARY KEY,
           applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
         )`,
      );
      const [rows] = await conn.query<RowDataPacket[]>(
        `SELECT version FROM \`${database}\`.schema_migrations`,
      );
      for (const file of pendingMigrations(
        files,
        rows.map((r) => String(r.version)),
      )) {
        const sql = fs.readFileSync(path.join(dir, file), 'utf8');
        const started = Date.now();
        await conn.query(`USE \`${database}\``);
        if (sql.trim() !== '') {
          try {
            await conn.query(sql);
          } catch (err) {
            throw new Error(`migrate: ${database}/${file} failed: ${(err as Error).message}`, { cause: err });
          }
        }
        await conn.query(`INSERT INTO \`${database}\`.schema_migrations (version) VALUES (?)`, [file]);
        applied.push(`${database}/${file}`);
        logger.info({ database, file, ms: Date.now() - started }, 'applied migration');
      }
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lockName]);
    }
  }
  return { applied };
}
