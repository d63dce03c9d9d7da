import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../platform/grpc/client.js';
import { InventoryServiceService } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { OrdersServiceService } from '../../proto/gen/ecom/orders/v1/orders.js';
import { UsersServiceService } from '../../proto/gen/ecom/users/v1/users.js';
import { parsePromText } from '../../services/analytics/prom-text.js';
import { startTestStack } from '../../test/harness.js';
import { requireExecutable } from '../which.js';
import { prometheusConfigPath } from './config.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
const clients: { close(): void }[] = [];

/** Runs promtool with `input` on stdin; resolves to its exit code and output. */
function promtool(args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(requireExecutable('promtool', 'prometheus'), args, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

beforeAll(async () => {
  stack = await startTestStack({ withPrometheus: true });
  // A little traffic, so the RPC histograms have samples.
  const at = (service: string) =>
    stack.state.components.filter((c) => c.service === service).map((c) => c.endpoint);
  const mk = <D extends Record<string, { path: string; responseStream: boolean }>>(
    def: D,
    service: string,
  ) => {
    const c = createClient(def, { name: service, addresses: at(service), defaultDeadlineMs: 20_000 });
    clients.push(c);
    return c;
  };
  const inventory = mk(InventoryServiceService, 'inventory');
  const users = mk(UsersServiceService, 'users');
  const orders = mk(OrdersServiceService, 'orders');
  await inventory.upsertWarehouses({ warehouses: [{ warehouseId: 'wh-m', name: 'wh-m' }] });
  await inventory.upsertSkus({
    skus: [{ sku: 'metered', name: 'metered', unitPrice: { amountMinor: 100, currency: 'EUR' } }],
  });
  await inventory.restock({
    sku: 'metered',
    warehouseId: 'wh-m',
    quantity: 5,
    idempotencyKey: 'seed-metered',
  });
  await users.register({
    email: 'metrics@example.com',
    password: 'correct horse battery staple',
    displayName: 'm',
  });
  const { tokens } = await users.login({
    email: 'metrics@example.com',
    password: 'correct horse battery staple',
  });
  const md = new Metadata();
  md.set('authorization', `Bearer ${tokens!.accessToken}`);
  await orders.placeOrder(
    {
      idempotencyKey: 'm-1',
      userId: '',
      lines: [{ sku: 'metered', quantity: 1 }],
      paymentToken: 'tok_ok',
      currency: '',
    },
    { metadata: md },
  );
});
afterAll(async () => {
  for (const c of clients) c.close();
  await stack?.stop();
});

describe('metrics of a running stack', () => {
  it('every /metrics endpoint is valid Prometheus exposition format (promtool check metrics)', async () => {
    const scraped = stack.state.components.filter((c) => c.metrics);
    expect(scraped.map((c) => c.name).sort()).toEqual(
      ['analytics-1', 'gateway-1', 'inventory-1', 'orders-1', 'payments-1', 'prometheus', 'users-1'].sort(),
    );
    const families = new Map<string, Set<string>>();
    for (const c of scraped) {
      const text = await (await fetch(c.metrics!)).text();
      // Exit 0: clean; 3: parsed, with lint remarks; 1: does not parse.
      const check = await promtool(['check', 'metrics'], text);
      expect([0, 3], `${c.name}: ${check.out}`).toContain(check.code);
      // Lint remarks are tolerated only on prom-client's default Node.js metrics, never on ours.
      const remarks = check.out.split('\n').filter((l) => l.trim() !== '');
      expect(
        remarks.filter((l) => !l.startsWith('nodejs_')),
        `${c.name}: ${check.out}`,
      ).toEqual([]);
      const names = new Set(parsePromText(text).map((s) => s.name));
      for (const line of text.split('\n')) if (line.startsWith('# TYPE ')) names.add(line.split(' ')[2]!);
      families.set(c.name, names);
    }
    const has = (component: string, ...metrics: string[]) =>
      expect([...families.get(component)!], component).toEqual(expect.arrayContaining(metrics));
    for (const s of ['users-1', 'inventory-1', 'payments-1', 'gateway-1', 'orders-1', 'analytics-1']) {
      has(
        s,
        'process_cpu_seconds_total',
        'ecom_rpc_server_duration_seconds',
        'ecom_pool_in_use',
        'ecom_pool_size',
      );
    }
    has(
      'orders-1',
      'ecom_rpc_server_duration_seconds_bucket',
      'ecom_breaker_state',
      'ecom_rate_limit_rejections_total',
    );
    has(
      'orders-1',
      'ecom_outbox_relayed_total',
      'ecom_outbox_relay_delay_seconds_bucket',
      'ecom_rpc_client_duration_seconds_bucket',
    );
    has('payments-1', 'ecom_breaker_state', 'ecom_outbox_relayed_total', 'ecom_http_pool');
    has('inventory-1', 'ecom_inventory_lock_wait_seconds_bucket', 'ecom_inventory_zookeeper_session_alive');
    has(
      'analytics-1',
      'ecom_mysql_replica_lag_seconds',
      'ecom_analytics_events_total',
      'ecom_analytics_scrape_up',
    );
  });

  it('writes a valid scrape config and runs Prometheus on it, scraping every process', async () => {
    const file = prometheusConfigPath(stack.dir);
    expect(existsSync(file)).toBe(true);
    const check = await promtool(['check', 'config', file]);
    expect(check, check.out).toMatchObject({ code: 0 });
    const prometheus = stack.state.components.find((c) => c.kind === 'prometheus')!;
    expect(prometheus.pid).toBeGreaterThan(0);
    const targets = async () => {
      const res = await fetch(`http://${prometheus.endpoint}/api/v1/targets`);
      const body = (await res.json()) as {
        data: { activeTargets: { labels: { component: string }; health: string }[] };
      };
      return body.data.activeTargets.map((t) => `${t.labels.component}:${t.health}`).sort();
    };
    const want = [
      'analytics-1',
      'gateway-1',
      'inventory-1',
      'orders-1',
      'payments-1',
      'prometheus',
      'users-1',
    ].map((n) => `${n}:up`);
    const until = Date.now() + 30_000;
    let got = await targets();
    while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      got = await targets();
    }
    expect(got).toEqual(want);
    const q = await fetch(
      `http://${prometheus.endpoint}/api/v1/query?query=${encodeURIComponent('sum(ecom_rpc_server_duration_seconds_count{ecom_service="orders"})')}`,
    );
    const result = ((await q.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
    expect(Number(result[0]?.value[1])).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(stack.dir, 'data', 'prometheus'))).toBe(true);
  });
});
