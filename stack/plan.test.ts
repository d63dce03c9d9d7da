import { describe, expect, it } from 'vitest';
import { generateAuthKeys } from './auth-keys.js';
import { planInstances } from './plan.js';
import { StackOptions } from './types.js';

const infra = {
  mysqlPrimary: { host: '127.0.0.1', port: 1001 },
  mysqlReplica: { host: '127.0.0.1', port: 1002 },
  redis: { host: '127.0.0.1', port: 1003 },
  zookeeper: { host: '127.0.0.1', port: 1004 },
};
const ports = () => Array.from({ length: 100 }, (_, i) => 20000 + i);
const auth = generateAuthKeys();

describe('planInstances', () => {
  const options = StackOptions.parse({
    dir: '/tmp/x',
    replicas: { orders: 2, inventory: 3 },
    lockStrategy: 'db',
  });
  const plans = planInstances(options, infra, { user: 'u', password: 'p' }, ports(), auth);

  it('plans the requested instances with distinct ports', () => {
    expect(plans.filter((p) => p.service === 'inventory').map((p) => p.name)).toEqual([
      'inventory-1',
      'inventory-2',
      'inventory-3',
    ]);
    const all = plans.flatMap((p) => [p.grpcPort, p.httpPort]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('gives orders the addresses of every inventory, payments and users instance', () => {
    const orders = plans.find((p) => p.name === 'orders-2')!;
    const peers = orders.config.peers as Record<string, string[]>;
    expect(peers.inventory).toHaveLength(3);
    expect(peers.payments).toHaveLength(1);
    expect(peers.users).toHaveLength(1);
  });

  it('passes the lock strategy to inventory and the gateway URL to payments', () => {
    expect(plans.find((p) => p.service === 'inventory')!.config.inventory).toEqual({ lockStrategy: 'db' });
    const gw = plans.find((p) => p.service === 'gateway')!;
    const payments = plans.find((p) => p.service === 'payments')!.config.payments as Record<string, unknown>;
    expect(payments.gatewayUrls).toEqual([`http://127.0.0.1:${gw.httpPort}`]);
    // Payments signs gateway requests with the secret the gateway verifies.
    expect(payments.signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expect((gw.config.gateway as Record<string, unknown>).signingSecret).toBe(payments.signingSecret);
  });

  it('gives the signing key to users only', () => {
    const users = plans.find((p) => p.service === 'users')!.config.auth as typeof auth;
    const orders = plans.find((p) => p.service === 'orders')!.config.auth as typeof auth;
    expect(users.keys[0]!.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    expect(orders.keys[0]!.privateKeyPem).toBeUndefined();
    expect(orders.keys[0]!.publicKeyPem).toBe(users.keys[0]!.publicKeyPem);
  });

  it('merges per-service overrides deeply', () => {
    const o = StackOptions.parse({
      dir: '/tmp/x',
      serviceOverrides: { inventory: { inventory: { reservationTtlSeconds: 2 } } },
    });
    const inv = planInstances(o, infra, { user: 'u', password: 'p' }, ports(), auth).find(
      (p) => p.service === 'inventory',
    )!;
    expect(inv.config.inventory).toEqual({ lockStrategy: 'zk+db', reservationTtlSeconds: 2 });
  });
});
