import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { redisPing } from './redis.js';

let server: net.Server | undefined;
const fakeRedis = async (replies: string[]): Promise<number> => {
  server = net.createServer((socket) => {
    socket.once('data', () => socket.write(replies.shift() ?? '+PONG\r\n'));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
};
const closeServer = async (): Promise<void> => {
  const s = server;
  server = undefined;
  if (s) await new Promise((resolve) => s.close(resolve));
};
afterEach(closeServer);

describe('redisPing', () => {
  it('is false while loading, true on PONG, and throws on anything else', async () => {
    const port = await fakeRedis([
      '-LOADING Redis is loading the dataset in memory\r\n',
      '+PONG\r\n',
      '-ERR nope\r\n',
    ]);
    expect(await redisPing('127.0.0.1', port)).toBe(false);
    expect(await redisPing('127.0.0.1', port)).toBe(true);
    await expect(redisPing('127.0.0.1', port)).rejects.toThrow(/unexpected reply to PING: "-ERR nope/);
  });

  it('rejects when nothing listens', async () => {
    const port = await fakeRedis([]);
    await closeServer();
    await expect(redisPing('127.0.0.1', port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
