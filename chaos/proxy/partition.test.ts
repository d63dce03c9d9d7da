import type net from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFound } from '../../platform/errors.js';
import { createProxySet, type ProxySet } from './registry.js';
import { connect, readBytes, roundTrip, startEchoServer, type TestServer } from './testing.js';

const logger = pino({ level: 'silent' });
let echo: TestServer;
let set: ProxySet;
let port: number;
const open: net.Socket[] = [];

beforeEach(async () => {
  echo = await startEchoServer();
  set = createProxySet(logger);
  const { listen } = await set.add({ name: 'svc-1->echo', upstream: `127.0.0.1:${echo.port}` });
  await set.add({ name: 'svc-2->echo', upstream: `127.0.0.1:${echo.port}` });
  port = Number(listen.split(':').pop());
});
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await set.stop();
  await echo.stop();
});

const client = async (): Promise<net.Socket> => {
  const s = await connect(port);
  s.on('error', () => undefined);
  open.push(s);
  return s;
};

/** True if nothing (no byte, no FIN) reaches `s` within `ms`. */
const silent = (s: net.Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const heard = () => finish(false);
    const finish = (quiet: boolean) => {
      clearTimeout(timer);
      s.off('data', heard).off('end', heard).off('close', heard);
      s.pause();
      resolve(quiet);
    };
    const timer = setTimeout(() => finish(true), ms);
    s.on('data', heard).on('end', heard).on('close', heard);
    s.resume();
  });

describe('partition', () => {
  it('stalls open connections both ways, black-holes new ones, and heal delivers what was held', async () => {
    const a = await client();
    await roundTrip(a, Buffer.from('warm'));
    const acceptedBefore = echo.accepted;
    set.partition('svc-1->echo');
    expect(set.toxics('svc-1->echo')).toEqual([
      { name: 'partition', type: 'partition', stream: 'downstream', toxicity: 1, attributes: {} },
    ]);

    a.write('held');
    const b = await client(); // the TCP connect succeeds: a partition looks like silence, not refusal
    b.write('new');
    expect(await silent(a, 300)).toBe(true);
    expect(await silent(b, 1)).toBe(true);
    expect(echo.accepted).toBe(acceptedBefore); // no upstream connection was opened for b

    set.heal('svc-1->echo');
    expect((await readBytes(a, 4)).toString()).toBe('held');
    expect((await readBytes(b, 3)).toString()).toBe('new');
    expect(echo.accepted).toBe(acceptedBefore + 1);
    expect(set.toxics('svc-1->echo')).toEqual([]);
  });

  it('holds a close from the server until heal (no FIN leaks through)', async () => {
    const a = await client();
    await roundTrip(a, Buffer.from('warm'));
    set.partition(['svc-1->echo']);
    for (const s of echo.sockets) s.end();
    expect(await silent(a, 300)).toBe(true);
    set.heal();
    const ended = new Promise((resolve) => a.once('end', resolve));
    a.resume();
    await ended;
  });

  it('applies to the named proxies only; other proxies keep working', async () => {
    set.partition('svc-2->echo');
    const a = await client();
    await roundTrip(a, Buffer.from('still fine'));
    expect(set.toxics('svc-2->echo').map((t) => t.type)).toEqual(['partition']);
    set.partition('svc-2->echo'); // idempotent
    expect(set.toxics('svc-2->echo')).toHaveLength(1);
  });

  it('rejects unknown names before partitioning anything', () => {
    expect(() => set.partition(['svc-1->echo', 'nope'])).toThrow(NotFound);
    expect(set.toxics('svc-1->echo')).toEqual([]);
  });

  it('stays shut while its toxic is updated (no gap lets data through)', async () => {
    const a = await client();
    set.partition('svc-1->echo');
    a.write('x');
    set.updateToxic('svc-1->echo', 'partition', { toxicity: 1 });
    expect(await silent(a, 200)).toBe(true);
    set.heal('svc-1->echo');
    expect((await readBytes(a, 1)).toString()).toBe('x');
  });

  it('is also healed by reset', async () => {
    const a = await client();
    set.partition(['svc-1->echo', 'svc-2->echo']);
    a.write('x');
    expect(await silent(a, 200)).toBe(true);
    await set.reset();
    expect((await readBytes(a, 1)).toString()).toBe('x');
    expect(set.list().every((p) => p.toxics.length === 0 && p.enabled)).toBe(true);
  });
});
