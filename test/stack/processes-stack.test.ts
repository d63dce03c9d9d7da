import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../platform/grpc/health-client.js';
import { pidAlive } from '../../stack/state.js';
import { stackStatus } from '../../stack/status.js';
import type { StackState } from '../../stack/types.js';
import { pollUntil, startTestStack } from '../harness.js';

describe('processes runtime: the whole stack as real child processes', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let state: StackState;

  beforeAll(async () => {
    stack = await startTestStack({ runtime: 'processes', replicas: { orders: 2, inventory: 2 } });
    state = stack.state;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs every component as its own process, one per service instance', () => {
    const names = state.components.map((c) => c.name).sort();
    expect(names).toEqual(
      [
        'analytics-1',
        'gateway-1',
        'inventory-1',
        'inventory-2',
        'mysql-primary',
        'mysql-replica',
        'orders-1',
        'orders-2',
        'payments-1',
        'redis',
        'users-1',
        'zookeeper',
      ].sort(),
    );
    const pids = state.components.map((c) => c.pid);
    expect(new Set(pids).size).toBe(pids.length);
    for (const pid of pids) expect(pidAlive(pid!)).toBe(true);
  });

  it('answers SERVING over grpc.health.v1 on every service instance', async () => {
    const services = state.components.filter((c) => c.kind === 'service');
    // 10 s per probe, not the default 1 s: a loaded machine can be slow to answer, not wrong.
    const results = await Promise.all(services.map((s) => checkHealth(s.endpoint, '', 10_000)));
    expect(results).toEqual(services.map(() => 'SERVING'));
  });

  it('replicates a write on the primary to the replica', async () => {
    const creds = state.mysql;
    const primary = await createConnection({ ...state.infra.mysqlPrimary, ...creds });
    const replica = await createConnection({ ...state.infra.mysqlReplica, ...creds });
    try {
      const marker = `m-${Date.now()}-${Math.random()}`;
      await primary.query('CREATE DATABASE IF NOT EXISTS itest');
      await primary.query('CREATE TABLE IF NOT EXISTS itest.t (v VARCHAR(64) PRIMARY KEY)');
      await primary.query('INSERT INTO itest.t VALUES (?)', [marker]);
      const seen = await pollUntil(
        async () => {
          const [rows] = await replica.query('SELECT v FROM itest.t WHERE v = ?', [marker]).catch(() => [[]]);
          return (rows as unknown[]).length === 1;
        },
        (v) => v,
        15_000,
      );
      expect(seen).toBe(true);
      // The replica refuses writes from the application user.
      await expect(replica.query('INSERT INTO itest.t VALUES (?)', ['direct'])).rejects.toThrow(
        /read-only|READ.ONLY/i,
      );
    } finally {
      primary.destroy();
      replica.destroy();
    }
  });

  it('reports every component healthy and replication running', async () => {
    // Polled for up to 20 s: each of status's probes allows 1 s, which a loaded machine can miss once.
    const status = await pollUntil(
      () => stackStatus(state),
      (st) => st.components.every((c) => c.healthy),
      20_000,
      500,
    );
    expect(status.components.filter((c) => !c.healthy)).toEqual([]);
    expect(status.replication.running).toBe(true);
    expect(status.replication.lagSeconds).not.toBeNull();
  });

  it('restarts a killed service instance through the supervisor, on the same port', async () => {
    const before = state.components.find((c) => c.name === 'users-1')!;
    await stack.control.signal('users-1', 'SIGKILL');
    // Reaped by the supervisor soon, not at once (an exited child answers kill -0 until reaped).
    expect(
      await pollUntil(
        () => pidAlive(before.pid!),
        (alive) => !alive,
        10_000,
      ),
    ).toBe(false);
    await stack.control.start('users-1');
    const after = (await stack.control.state()).components.find((c) => c.name === 'users-1')!;
    expect(after.pid).not.toBe(before.pid);
    expect(after.endpoint).toBe(before.endpoint);
    expect(await checkHealth(after.endpoint, '', 10_000)).toBe('SERVING');
    state = await stack.control.state();
  });

  it('leaves no process behind after stop()', async () => {
    const pids = [state.supervisor.pid, ...state.components.map((c) => c.pid!)];
    await stack.stop();
    expect(pids.filter(pidAlive)).toEqual([]);
  });
});
