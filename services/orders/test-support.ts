import fs from 'node:fs';
import path from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { createPool, type Pool } from 'mysql2/promise';
import { createClient, type CallOptions, type PromiseClient } from '../../platform/grpc/client.js';
import type { ServiceName } from '../../platform/config.js';
import { InventoryServiceService } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { OrdersServiceService } from '../../proto/gen/ecom/orders/v1/orders.js';
import { PaymentsServiceService } from '../../proto/gen/ecom/payments/v1/payments.js';
import { UsersServiceService } from '../../proto/gen/ecom/users/v1/users.js';
import type { StartedStack } from '../../stack/start.js';
import { startTestStack } from '../../test/harness.js';
import { GTID_KEY } from './gtid.js';

export type OrdersClient = PromiseClient<typeof OrdersServiceService>;

/** A test stack for orders with clients, database pools and helpers (tests only). */
export interface OrdersStack {
  stack: StartedStack & { dir: string };
  /** Round-robin over every orders instance. */
  orders: OrdersClient;
  /** One orders client per instance, in instance order. */
  ordersInstances: OrdersClient[];
  inventory: PromiseClient<typeof InventoryServiceService>;
  payments: PromiseClient<typeof PaymentsServiceService>;
  users: PromiseClient<typeof UsersServiceService>;
  /** Pools on the primary, per database. */
  db: { orders: Pool; inventory: Pool; gateway: Pool; payments: Pool };
  /** Pool on the replica's orders database (lag injection). */
  replica: Pool;
  /** Base URL of the first gateway instance's HTTP API. */
  gatewayUrl: string;
  /** The last lines of a component's log. */
  log(name: string, lines?: number): string;
  stop(): Promise<void>;
}

/** Starts infra plus users, inventory, gateway, payments and `orders` orders instances. */
export async function startOrdersStack(
  opts: {
    replicas?: Partial<Record<ServiceName, number>>;
    orders?: Record<string, unknown>;
    overrides?: Partial<Record<ServiceName, Record<string, unknown>>>;
  } = {},
): Promise<OrdersStack> {
  const stack = await startTestStack({
    replicas: { users: 1, inventory: 1, payments: 1, gateway: 1, orders: 1, analytics: 0, ...opts.replicas },
    serviceOverrides: { ...opts.overrides, orders: { orders: opts.orders ?? {}, ...opts.overrides?.orders } },
  });
  const endpoints = (s: ServiceName) =>
    stack.state.components.filter((c) => c.service === s).map((c) => c.endpoint);
  const mk = <D extends Record<string, { path: string; responseStream: boolean }>>(
    def: D,
    name: string,
    addresses: string[],
  ) =>
    createClient(def, {
      name,
      addresses: addresses.length ? addresses : ['127.0.0.1:1'],
      defaultDeadlineMs: 20_000,
    });
  const orders = mk(OrdersServiceService, 'orders', endpoints('orders'));
  const ordersInstances = endpoints('orders').map((e) => mk(OrdersServiceService, 'orders', [e]));
  const inventory = mk(InventoryServiceService, 'inventory', endpoints('inventory'));
  const payments = mk(PaymentsServiceService, 'payments', endpoints('payments'));
  const users = mk(UsersServiceService, 'users', endpoints('users'));
  const pool = (database: string, ep = stack.state.infra.mysqlPrimary) =>
    createPool({ host: ep.host, port: ep.port, ...stack.state.mysql, database, connectionLimit: 4 });
  const db = {
    orders: pool('orders'),
    inventory: pool('inventory'),
    gateway: pool('gateway'),
    payments: pool('payments'),
  };
  const replica = pool('orders', stack.state.infra.mysqlReplica);
  const gw = stack.state.components.find((c) => c.service === 'gateway');
  const gatewayUrl = gw?.metrics ? new URL(gw.metrics).origin : '';
  return {
    stack,
    orders,
    ordersInstances,
    inventory,
    payments,
    users,
    db,
    replica,
    gatewayUrl,
    log: (name, lines = 60) => {
      const file = path.join(stack.dir, 'logs', `${name}.log`);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
    },
    async stop() {
      for (const c of [orders, ...ordersInstances, inventory, payments, users]) c.close();
      await Promise.allSettled([...Object.values(db), replica].map((p) => p.end()));
      await stack.stop();
    },
  };
}

/** Creates a warehouse, SKUs at `priceMinor` EUR, and `stock` units of each. */
export async function seedSkus(
  s: OrdersStack,
  skus: string[],
  opts: { stock: number; priceMinor?: number; warehouse?: string },
): Promise<void> {
  const warehouseId = opts.warehouse ?? 'wh-1';
  await s.inventory.upsertWarehouses({ warehouses: [{ warehouseId, name: warehouseId }] });
  await s.inventory.upsertSkus({
    skus: skus.map((sku) => ({
      sku,
      name: sku,
      unitPrice: { amountMinor: opts.priceMinor ?? 250, currency: 'EUR' },
    })),
  });
  for (const sku of skus) {
    if (opts.stock > 0) {
      await s.inventory.restock({
        sku,
        warehouseId,
        quantity: opts.stock,
        idempotencyKey: `seed-${sku}-${warehouseId}`,
      });
    }
  }
}

/** A registered, logged-in user. */
export interface TestUser {
  userId: string;
  token: string;
  /** Call options carrying the bearer token (and optionally a GTID, and a trailer hook). */
  auth(extra?: { gtid?: string; onTrailer?: (md: Metadata) => void; deadlineMs?: number }): CallOptions;
}

/** Registers and logs in a user through the users service. */
export async function newUser(s: OrdersStack, name: string): Promise<TestUser> {
  const email = `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = 'correct horse battery staple';
  await s.users.register({ email, password, displayName: name });
  const { tokens } = await s.users.login({ email, password });
  if (!tokens) throw new Error('login returned no tokens');
  const token = tokens.accessToken;
  return {
    userId: tokens.userId,
    token,
    auth: (extra = {}) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      if (extra.gtid) metadata.set(GTID_KEY, extra.gtid);
      return {
        metadata,
        ...(extra.onTrailer ? { onTrailer: extra.onTrailer } : {}),
        ...(extra.deadlineMs ? { deadlineMs: extra.deadlineMs } : {}),
      };
    },
  };
}

/** Runs a call and returns its response with the `x-ecom-gtid` trailer it carried. */
export async function withGtid<T>(
  call: (onTrailer: (md: Metadata) => void) => Promise<T>,
): Promise<{ res: T; gtid: string | undefined }> {
  let gtid: string | undefined;
  const res = await call((md) => {
    const v = md.get(GTID_KEY)[0];
    gtid = v === undefined ? undefined : String(v);
  });
  return { res, gtid };
}

/** Polls `fn` until it returns a value for which `ok` holds, or throws after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (t: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > until)
      throw new Error(`condition not met in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
