import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExists, InvalidArgument, NotFound } from '../../platform/errors.js';
import { toxiproxyClient } from './client.js';
import { createProxySet, type ProxySet } from './registry.js';
import type { ProxyApiServer } from './server.js';
import { connect, roundTrip, startEchoServer, type TestServer } from './testing.js';

const logger = pino({ level: 'silent' });
let set: ProxySet;
let api: ProxyApiServer;
let echo: TestServer;
let base: string;

beforeEach(async () => {
  echo = await startEchoServer();
  set = createProxySet(logger);
  api = await set.serveHttp();
  base = `http://${api.address}`;
});
afterEach(async () => {
  await set.stop();
  await echo.stop();
});

const raw = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
};

describe('HTTP API (Toxiproxy-compatible)', () => {
  it('answers with Toxiproxy status codes and JSON shapes', async () => {
    const upstream = `127.0.0.1:${echo.port}`;
    const created = await raw('POST', '/proxies', { name: 'a->echo', upstream });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      name: 'a->echo',
      listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      upstream,
      enabled: true,
      toxics: [],
    });
    expect(await raw('POST', '/proxies', { name: 'a->echo', upstream })).toEqual({
      status: 409,
      json: { error: 'proxy already exists: a->echo', status: 409 },
    });
    expect(await raw('POST', '/proxies', { name: 'b' })).toMatchObject({
      status: 400,
      json: { status: 400, field: 'upstream' },
    });
    expect(await raw('POST', '/proxies', '{not json')).toMatchObject({
      status: 400,
      json: { field: 'body' },
    });
    expect(await raw('POST', '/proxies', '[1]')).toMatchObject({ status: 400, json: { field: 'body' } });
    const index = await raw('GET', '/proxies');
    expect(Object.keys(index.json as object)).toEqual(['a->echo']);

    const path = `/proxies/${encodeURIComponent('a->echo')}`;
    expect(
      (await raw('POST', `${path}/toxics`, { type: 'latency', attributes: { latency: 5 } })).json,
    ).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 5, jitter: 0 },
    });
    expect(
      (await raw('PATCH', `${path}/toxics/latency_downstream`, { attributes: { latency: 7 } })).json,
    ).toMatchObject({
      attributes: { latency: 7, jitter: 0 },
    });
    expect((await raw('GET', `${path}/toxics`)).json).toHaveLength(1);
    expect((await raw('DELETE', `${path}/toxics/latency_downstream`)).status).toBe(204);
    expect(await raw('GET', `${path}/toxics/latency_downstream`)).toMatchObject({ status: 404 });
    expect((await raw('POST', path, { enabled: false })).json).toMatchObject({ enabled: false });
    expect((await raw('POST', '/reset')).status).toBe(204);
    expect((await raw('GET', path)).json).toMatchObject({ enabled: true });
    expect((await raw('DELETE', path)).status).toBe(204);
    expect(await raw('GET', path)).toMatchObject({
      status: 404,
      json: { error: 'proxy not found: a->echo' },
    });
    expect(await raw('GET', '/nowhere')).toMatchObject({ status: 404 });
  });

  it('the client round-trips every operation and maps errors to typed ones', async () => {
    const c = toxiproxyClient(api.address);
    expect(await c.version()).toMatch(/toxiproxy-compatible/);
    const info = await c.add({ name: 'orders-1->inventory-3', upstream: `127.0.0.1:${echo.port}` });
    expect(await c.get(info.name)).toMatchObject({ name: info.name, listen: info.listen, enabled: true });
    expect((await c.list()).map((p) => p.name)).toEqual([info.name]);
    await expect(c.add({ name: info.name, upstream: '127.0.0.1:1' })).rejects.toThrow(AlreadyExists);
    await expect(c.get('nope')).rejects.toThrow(NotFound);
    await expect(
      c.addToxic(info.name, { type: 'latency', attributes: { latency: -5 } }),
    ).rejects.toMatchObject({
      constructor: InvalidArgument,
      field: 'attributes.latency',
    });

    const sock = await connect(Number(info.listen.split(':').pop()));
    await c.addToxic(info.name, { type: 'latency', stream: 'upstream', attributes: { latency: 150 } });
    expect(await roundTrip(sock, Buffer.from('x'))).toBeGreaterThanOrEqual(149);
    expect(await c.updateToxic(info.name, 'latency_upstream', { toxicity: 0.5 })).toMatchObject({
      toxicity: 0.5,
    });
    expect(await c.getToxic(info.name, 'latency_upstream')).toMatchObject({ toxicity: 0.5 });
    await c.removeToxic(info.name, 'latency_upstream');
    expect(await c.toxics(info.name)).toEqual([]);

    await c.partition(info.name);
    expect(set.toxics(info.name).map((t) => t.type)).toEqual(['partition']);
    await c.heal();
    expect(set.toxics(info.name)).toEqual([]);
    expect(await c.setEnabled(info.name, false)).toMatchObject({ enabled: false });
    await c.reset();
    expect(await c.get(info.name)).toMatchObject({ enabled: true });
    expect(await c.update(info.name, { upstream: '127.0.0.1:9' })).toMatchObject({ upstream: '127.0.0.1:9' });
    await c.remove(info.name);
    expect(await c.list()).toEqual([]);
    sock.destroy();
  });

  it('partitions a real Toxiproxy (no partition toxic) with timeout toxics on both streams', async () => {
    const seen: { method: string; url: string; body: string }[] = [];
    const toxics: { name: string; type: string }[] = [];
    const fake = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body });
        const parsed = body ? (JSON.parse(body) as { name: string; type: string }) : undefined;
        if (req.method === 'GET') return res.end(JSON.stringify(toxics));
        if (req.method === 'DELETE') return res.writeHead(204).end();
        if (parsed?.type === 'partition')
          return res.writeHead(400).end(JSON.stringify({ error: 'invalid toxic type', status: 400 }));
        toxics.push(parsed as { name: string; type: string });
        res.end(body);
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    try {
      const c = toxiproxyClient(`127.0.0.1:${(fake.address() as AddressInfo).port}`);
      await c.partition('redis');
      expect(toxics).toEqual([
        expect.objectContaining({
          name: 'partition_upstream',
          type: 'timeout',
          stream: 'upstream',
          attributes: { timeout: 0 },
        }),
        expect.objectContaining({ name: 'partition_downstream', type: 'timeout', stream: 'downstream' }),
      ]);
      await c.heal('redis');
      expect(seen.filter((s) => s.method === 'DELETE').map((s) => s.url)).toEqual([
        '/proxies/redis/toxics/partition_upstream',
        '/proxies/redis/toxics/partition_downstream',
      ]);
    } finally {
      await new Promise<void>((r) => fake.close(() => r()));
    }
  });
});
