import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverMigrations, migrate } from './migrate.js';
import { freePort } from './ports.js';
import {
  ensureMariaDbTemplate,
  MARIADB_PASSWORD,
  MARIADB_USER,
  startMariaDb,
  type StartedMariaDb,
} from './processes/mariadb.js';

const logger = pino({ level: 'silent' });
let dir: string;
let db: StartedMariaDb | undefined;
let conn: mysql.Connection | undefined;

const write = (rel: string, sql: string): void => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), sql);
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-migrate-int-'));
  const templateDir = await ensureMariaDbTemplate(path.join(dir, 'cache'), logger);
  db = await startMariaDb({
    name: 'mysql-primary',
    role: 'primary',
    dir: path.join(dir, 'db'),
    port: await freePort(),
    serverId: 1,
    templateDir,
    logger,
  });
  conn = await mysql.createConnection({
    host: db.host,
    port: db.port,
    user: MARIADB_USER,
    password: MARIADB_PASSWORD,
    multipleStatements: true,
  });
});
afterAll(async () => {
  await conn?.end().catch(() => undefined);
  await db?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrate', () => {
  it('applies pending files in order, once, per service database', async () => {
    const c = conn as mysql.Connection;
    write(
      'services/orders/migrations/001_init.sql',
      'CREATE TABLE orders (id BIGINT PRIMARY KEY, state VARCHAR(16) NOT NULL);\nCREATE INDEX orders_state ON orders (state);\n',
    );
    write('services/orders/migrations/002_seed.sql', "INSERT INTO orders VALUES (1, 'NEW');");
    write(
      'services/payment-gateway/migrations/001_init.sql',
      'CREATE TABLE captures (id BIGINT PRIMARY KEY);',
    );
    const sets = discoverMigrations(path.join(dir, 'services'));

    expect((await migrate(c, sets, logger)).applied).toEqual([
      'orders/001_init.sql',
      'orders/002_seed.sql',
      'payment_gateway/001_init.sql',
    ]);
    const [rows] = await c.query<RowDataPacket[]>('SELECT state FROM orders.orders');
    expect(rows.map((r) => r.state)).toEqual(['NEW']);
    const [versions] = await c.query<RowDataPacket[]>(
      'SELECT version FROM orders.schema_migrations ORDER BY version',
    );
    expect(versions.map((r) => r.version)).toEqual(['001_init.sql', '002_seed.sql']);

    expect((await migrate(c, sets, logger)).applied).toEqual([]);

    write('services/orders/migrations/003_more.sql', "INSERT INTO orders VALUES (2, 'PAID');");
    expect((await migrate(c, sets, logger)).applied).toEqual(['orders/003_more.sql']);
  });

  it('names the failing file and leaves it unrecorded', async () => {
    const c = conn as mysql.Connection;
    write('bad/001_broken.sql', 'CREATE TABLE t (id INT PRIMARY KEY);\nSELEC 1;');
    const sets = [{ database: 'bad_db', dir: path.join(dir, 'bad') }];
    await expect(migrate(c, sets, logger)).rejects.toThrow(/bad_db\/001_broken\.sql failed/);
    const [versions] = await c.query<RowDataPacket[]>('SELECT version FROM bad_db.schema_migrations');
    expect(versions).toEqual([]);
  });

  it('rejects a database name that is not a plain identifier', async () => {
    await expect(
      migrate(conn as mysql.Connection, [{ database: 'x`; DROP', dir: path.join(dir, 'bad') }], logger),
    ).rejects.toThrow(/must match/);
  });
});
