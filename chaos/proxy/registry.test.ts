import net from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExists, FailedPrecondition, InvalidArgument, NotFound } from '../../platform/errors.js';
import { createProxySet, type ProxySet } from './registry.js';

const logger = pino({ level: 'silent' });
let set: ProxySet;

beforeEach(() => {
  set = createProxySet(logger);
});
afterEach(() => set.stop());

describe('createProxySet', () => {
  it('adds, lists, gets and removes proxies with Toxiproxy-shaped JSON', async () => {
    const info = await set.add({ name: 'orders-1->inventory-3', upstream: 'localhost:50051' });
    expect(info.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(set.get('orders-1->inventory-3')).toEqual({
      name: 'orders-1->inventory-3',
      listen: info.listen,
      upstream: 'localhost:50051',
      enabled: true,
      toxics: [],
    });
    await set.add({ name: 'off', upstream: '127.0.0.1:1', enabled: false });
    expect(set.list().map((p) => [p.name, p.enabled])).toEqual([
      ['orders-1->inventory-3', true],
      ['off', false],
    ]);
    await set.remove('off');
    expect(set.has('off')).toBe(false);
    await expect(set.remove('off')).rejects.toThrow(NotFound);
  });

  it('validates definitions up front, naming the field', async () => {
    await expect(set.add({ name: '', upstream: '127.0.0.1:1' })).rejects.toThrow(/^name:/);
    await expect(set.add({ name: 'a b', upstream: '127.0.0.1:1' })).rejects.toThrow(InvalidArgument);
    await expect(set.add({ name: 'x', upstream: 'nohost' })).rejects.toThrow(
      /^upstream: expected "host:port"/,
    );
    await expect(set.add({ name: 'x', upstream: '127.0.0.1:0' })).rejects.toThrow(/^upstream: port must be/);
    await expect(set.add({ name: 'x', upstream: '127.0.0.1:1', listen: '0.0.0.0:0' })).rejects.toThrow(
      /^listen: must be a loopback address/,
    );
    await expect(set.add({ name: 'x', upstream: '127.0.0.1:1', enabled: 'yes' as never })).rejects.toThrow(
      /^enabled:/,
    );
    expect(set.list()).toEqual([]);
  });

  it('refuses a duplicate name and a listen port in use, leaving no trace', async () => {
    const { listen } = await set.add({ name: 'a', upstream: '127.0.0.1:1' });
    await expect(set.add({ name: 'a', upstream: '127.0.0.1:2' })).rejects.toThrow(AlreadyExists);
    await expect(set.add({ name: 'b', upstream: '127.0.0.1:2', listen })).rejects.toThrow(FailedPrecondition);
    expect(set.has('b')).toBe(false);
  });

  it('listens on a given port and keeps it across disable / enable', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const info = await set.add({ name: 'fixed', upstream: '127.0.0.1:1', listen: port });
    expect(info.listen).toBe(`127.0.0.1:${port}`);
    await set.setEnabled('fixed', false);
    expect((await set.setEnabled('fixed', true)).listen).toBe(`127.0.0.1:${port}`);
  });

  it('manages toxics: Toxiproxy defaults, duplicates, updates, removal, order', async () => {
    await set.add({ name: 'p', upstream: '127.0.0.1:1' });
    expect(set.addToxic('p', { type: 'latency', attributes: { latency: 10 } })).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 10, jitter: 0 },
    });
    set.addToxic('p', { name: 'cut', type: 'timeout', stream: 'upstream', toxicity: 0.5 });
    expect(() => set.addToxic('p', { type: 'latency' })).toThrow(AlreadyExists);
    expect(() => set.addToxic('p', { type: 'nope' })).toThrow(/^type: invalid toxic type/);
    expect(() => set.addToxic('p', { type: 'latency', name: 'l2', stream: 'sideways' as never })).toThrow(
      /^stream:/,
    );
    expect(() => set.addToxic('p', { type: 'latency', name: 'l2', toxicity: 2 })).toThrow(/^toxicity:/);
    expect(set.toxics('p').map((t) => t.name)).toEqual(['cut', 'latency_downstream']);
    expect(set.updateToxic('p', 'latency_downstream', { attributes: { jitter: 5 } }).attributes).toEqual({
      latency: 10,
      jitter: 5,
    });
    expect(() => set.updateToxic('p', 'latency_downstream', { attributes: { latency: -1 } })).toThrow(
      /^attributes\.latency/,
    );
    set.removeToxic('p', 'cut');
    expect(() => set.removeToxic('p', 'cut')).toThrow(NotFound);
    expect(() => set.getToxic('p', 'cut')).toThrow(/toxic not found/);
    expect(() => set.addToxic('ghost', { type: 'latency' })).toThrow(/proxy not found/);
  });

  it('update changes upstream and listen; reset re-enables and clears toxics', async () => {
    await set.add({ name: 'p', upstream: '127.0.0.1:1' });
    expect((await set.update('p', { upstream: '127.0.0.1:2' })).upstream).toBe('127.0.0.1:2');
    await set.update('p', { enabled: false });
    set.addToxic('p', { type: 'slicer', attributes: { average_size: 10 } });
    await set.reset();
    expect(set.get('p')).toMatchObject({ enabled: true, toxics: [] });
  });
});
