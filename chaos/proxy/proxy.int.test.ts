import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stack/ports.js';
import {
  ensureMariaDbTemplate,
  MARIADB_PASSWORD,
  MARIADB_USER,
  startMariaDb,
  type StartedMariaDb,
} from '../../stack/processes/mariadb.js';
import { cacheDir } from '../../stack/processes/runtime.js';
import { createProxySet, type ProxySet } from './registry.js';

const logger = pino({ level: 'silent' });
const LINK = 'orders-1->mysql-primary';
let dir: string;
let db: StartedMariaDb | undefined;
let set: ProxySet;
let proxyPort: number;
const conns: mysql.Connection[] = [];

const connectViaProxy = async (connectTimeout = 5_000): Promise<mysql.Connection> => {
  const c = await mysql.createConnection({
    host: '127.0.0.1',
    port: proxyPort,
    user: MARIADB_USER,
    password: MARIADB_PASSWORD,
    connectTimeout,
  });
  c.on('error', () => undefined);
  conns.push(c);
  return c;
};
const answer = async (c: mysql.Connection, sql: string, timeout?: number): Promise<unknown> => {
  const [rows] = await c.query<RowDataPacket[]>({ sql, ...(timeout !== undefined && { timeout }) });
  return rows[0]?.v;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-proxy-int-'));
  const templateDir = await ensureMariaDbTemplate(cacheDir(), logger);
  db = await startMariaDb({
    name: 'mysql-primary',
    role: 'primary',
    dir: path.join(dir, 'mysql'),
    port: await freePort(),
    serverId: 1,
    templateDir,
    logger,
  });
  set = createProxySet(logger);
  const { listen } = await set.add({ name: LINK, upstream: `127.0.0.1:${db.port}` });
  proxyPort = Number(listen.split(':').pop());
});
afterAll(async () => {
  for (const c of conns) c.destroy();
  await set?.stop();
  await db?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the fault proxy in front of MariaDB', () => {
  it('partition: queries work before, hang during, and work after heal (held connections too)', async () => {
    const a = await connectViaProxy();
    const held = await connectViaProxy();
    expect(await answer(a, 'SELECT 1 AS v')).toBe(1);

    set.partition(LINK);
    await expect(answer(a, 'SELECT 2 AS v', 500)).rejects.toMatchObject({
      code: 'PROTOCOL_SEQUENCE_TIMEOUT',
    });
    await expect(connectViaProxy(500)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    let heldDone = false;
    const heldQuery = answer(held, 'SELECT 42 AS v').finally(() => (heldDone = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(heldDone).toBe(false);

    set.heal(LINK);
    expect(await heldQuery).toBe(42); // held, not lost: the query went through once the link healed
    const fresh = await connectViaProxy();
    expect(await answer(fresh, 'SELECT 3 AS v')).toBe(3);
  });

  it('latency on the link slows each query by at least the delay; removing it restores speed', async () => {
    const c = await connectViaProxy();
    const timed = async () => {
      const t0 = performance.now();
      await answer(c, 'SELECT 1 AS v');
      return performance.now() - t0;
    };
    const base = await timed();
    set.addToxic(LINK, { type: 'latency', stream: 'downstream', attributes: { latency: 100 } });
    const slow = await timed();
    set.removeToxic(LINK, 'latency_downstream');
    // The median of a few round trips: one query on a loaded machine can stall for tens of ms.
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push(await timed());
    const after = samples.sort((a, b) => a - b)[2]!;
    console.log(
      `SELECT 1 via proxy: ${base.toFixed(2)} ms, with 100 ms latency ${slow.toFixed(1)} ms, after ${after.toFixed(2)} ms`,
    );
    expect(slow).toBeGreaterThanOrEqual(99);
    // Under what the 100 ms toxic allows (≥ 99 ms), with margin for a loaded machine.
    expect(after).toBeLessThan(90);
  });

  it('reset_peer makes the client see ECONNRESET; new connections work once it is removed', async () => {
    const c = await connectViaProxy();
    const lost = new Promise<NodeJS.ErrnoException>((resolve) => c.once('error', resolve));
    set.addToxic(LINK, { type: 'reset_peer', attributes: { timeout: 50 } });
    expect((await lost).code).toBe('ECONNRESET');
    set.removeToxic(LINK, 'reset_peer_downstream');
    expect(await answer(await connectViaProxy(), 'SELECT 5 AS v')).toBe(5);
  });
});
