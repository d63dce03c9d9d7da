import { readFileSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../platform/grpc/health-client.js';
import { createLogger } from '../../platform/logger.js';
import { stackControl } from '../../stack/control-client.js';
import { stackStatus } from '../../stack/status.js';
import { startTestStack } from '../../test/harness.js';
import { toxiproxyClient } from '../proxy/index.js';
import type { ActiveFault, FaultContext } from '../fault.js';
import { planFaults } from '../schedule.js';

/**
 * Every fault observably takes effect on a real stack, and its stop() undoes it. One stack for
 * all of them; each test heals what it started before the next runs.
 */
let stack: Awaited<ReturnType<typeof startTestStack>>;
let ctx: FaultContext;
const logger = createLogger({ component: 'test', level: 'silent' });

beforeAll(async () => {
  stack = await startTestStack({
    replicas: { inventory: 2, orders: 1, payments: 1, users: 1, gateway: 1, analytics: 0 },
    // A short ZooKeeper session so a partition expires it within seconds.
    serviceOverrides: { inventory: { zookeeper: { sessionTimeoutMs: 2_000 } } },
  });
  ctx = {
    state: stack.state,
    control: stackControl(stack.state),
    proxyUrl: `http://${stack.state.faultProxy}`,
    logger,
    mysql: (which) =>
      createConnection({
        ...(which === 'primary' ? stack.state.infra.mysqlPrimary : stack.state.infra.mysqlReplica),
        ...stack.state.mysql,
      }),
  };
});
afterAll(async () => {
  await stack?.stop();
});

async function start(spec: string): Promise<ActiveFault> {
  const [p] = planFaults([spec], await stack.control.state());
  return p!.fault.start(ctx, p!.params);
}
const state = () => stack.control.state();
const component = async (name: string) => (await state()).components.find((c) => c.name === name)!;
const processState = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};
async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
async function metric(instance: string, name: string): Promise<number> {
  const text = await (await fetch((await component(instance)).metrics!)).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}
const healthy = async (name: string) =>
  (await stackStatus(await state())).components.find((c) => c.name === name)!.healthy;

describe('faults', () => {
  it('zk-partition: the target’s ZooKeeper session expires (a new one replaces it after heal)', async () => {
    const generation = await metric('inventory-1', 'ecom_inventory_zookeeper_session_generation');
    const fault = await start('zk-partition:target=inventory-1');
    await eventually(
      'inventory-1 session alive',
      () => metric('inventory-1', 'ecom_inventory_zookeeper_session_alive'),
      (v) => v === 0,
    );
    // The other instance keeps its session.
    expect(await metric('inventory-2', 'ecom_inventory_zookeeper_session_alive')).toBe(1);
    await fault.stop();
    await eventually(
      'inventory-1 session back',
      () => metric('inventory-1', 'ecom_inventory_zookeeper_session_alive'),
      (v) => v === 1,
    );
    expect(await metric('inventory-1', 'ecom_inventory_zookeeper_session_generation')).toBeGreaterThan(
      generation,
    );
  });

  it('zk-pause: the ZooKeeper server is stopped, then runs again', async () => {
    const zk = await component('zookeeper');
    const fault = await start('zk-pause');
    await eventually(
      'zookeeper stopped',
      async () => processState(zk.pid!),
      (s) => s === 'T',
    );
    await fault.stop();
    expect(processState(zk.pid!)).not.toBe('T');
    await eventually(
      'zookeeper healthy',
      () => healthy('zookeeper'),
      (v) => v,
    );
  });

  it('mysql-replica-lag: replication stops applying and lag shows in status; then it catches up', async () => {
    const fault = await start('mysql-replica-lag');
    const lagging = await eventually(
      'lag',
      async () => (await stackStatus(await state())).replication,
      (r) => !r.running && (r.lagSeconds ?? 0) >= 1.5,
    );
    expect(lagging.running).toBe(false);
    await fault.stop();
    await eventually(
      'caught up',
      async () => (await stackStatus(await state())).replication,
      (r) => r.running && (r.lagSeconds ?? 99) < 1,
    );
  });

  it('mysql-primary-restart: the primary is down, then back with its data', async () => {
    const conn = await ctx.mysql('primary');
    await conn.query('CREATE DATABASE IF NOT EXISTS faulttest');
    await conn.query('CREATE TABLE IF NOT EXISTS faulttest.marker (v INT PRIMARY KEY)');
    await conn.query('REPLACE INTO faulttest.marker VALUES (42)');
    await conn.end();
    const fault = await start('mysql-primary-restart');
    expect(await healthy('mysql-primary')).toBe(false);
    await fault.stop();
    // Polled: one 1 s health probe can miss on a loaded machine; a primary that never comes back fails.
    await eventually(
      'mysql-primary healthy again',
      () => healthy('mysql-primary'),
      (v) => v,
    );
    const again = await ctx.mysql('primary');
    const [rows] = await again.query('SELECT v FROM faulttest.marker');
    await again.end();
    expect(rows).toEqual([{ v: 42 }]);
  });

  it('redis-down: Redis is down, then back', async () => {
    const fault = await start('redis-down');
    expect(await healthy('redis')).toBe(false);
    await fault.stop();
    await eventually(
      'redis healthy again',
      () => healthy('redis'),
      (v) => v,
    );
  });

  it('gateway-slow and gateway-errors: the gateway’s behaviour changes, and is restored', async () => {
    const url = (await component('gateway-1')).metrics!.replace(/\/metrics$/, '');
    const behaviour = async () =>
      (await (await fetch(`${url}/admin/behaviour`)).json()) as {
        latencyMs: { p50: number };
        errorRate: number;
      };
    const slow = await start('gateway-slow:latency=300ms');
    expect((await behaviour()).latencyMs.p50).toBe(300);
    await slow.stop();
    expect((await behaviour()).latencyMs.p50).toBe(0);
    const errors = await start('gateway-errors:rate=0.7');
    expect((await behaviour()).errorRate).toBe(0.7);
    await errors.stop();
    expect((await behaviour()).errorRate).toBe(0);
  });

  it('kill: the instance’s process dies, and a new one serves after heal', async () => {
    const before = await component('orders-1');
    const fault = await start('kill:target=orders-1');
    await eventually(
      'orders-1 dead',
      async () => (await stackStatus(await state())).components.find((c) => c.name === 'orders-1')!.healthy,
      (v) => !v,
    );
    await fault.stop();
    const after = await component('orders-1');
    expect(after.pid).not.toBe(before.pid);
    await eventually(
      'orders-1 serving',
      () => checkHealth(after.endpoint),
      (h) => h === 'SERVING',
    );
  });

  it('pause: the instance is stopped (SIGSTOP), then resumes', async () => {
    const c = await component('payments-1');
    const fault = await start('pause:target=payments-1');
    await eventually(
      'payments-1 stopped',
      async () => processState(c.pid!),
      (s) => s === 'T',
    );
    await fault.stop();
    expect(processState(c.pid!)).not.toBe('T');
    await eventually(
      'payments-1 serving',
      () => checkHealth(c.endpoint),
      (h) => h === 'SERVING',
    );
  });

  it('link-latency: the target’s links to the dependency get latency toxics, removed at heal', async () => {
    const proxy = toxiproxyClient(ctx.proxyUrl!);
    const link = 'inventory-2->mysql-primary';
    const fault = await start('link-latency:target=inventory-2,to=mysql-primary,latency=200ms');
    const toxics = await proxy.toxics(link);
    expect(toxics.map((t) => [t.type, t.stream]).sort()).toEqual([
      ['latency', 'downstream'],
      ['latency', 'upstream'],
    ]);
    // Only the target's link: inventory-1's is untouched.
    expect(await proxy.toxics('inventory-1->mysql-primary')).toEqual([]);
    await fault.stop();
    expect(await proxy.toxics(link)).toEqual([]);
  });

  it('every registered fault kind is covered above', async () => {
    const { FAULTS } = await import('./index.js');
    expect(FAULTS.map((f) => f.kind).sort()).toEqual(
      [
        'gateway-errors',
        'gateway-slow',
        'kill',
        'link-latency',
        'mysql-primary-restart',
        'mysql-replica-lag',
        'pause',
        'redis-down',
        'zk-partition',
        'zk-pause',
      ].sort(),
    );
  });
});
