import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../../stack/ports.js';
import { startZooKeeper } from '../../stack/processes/zookeeper.js';
import { connectZooKeeper, type ZkSession } from './session.js';

/** A real standalone ZooKeeper in a temporary folder, for integration tests of the recipes. */
export interface TestZooKeeper {
  connect: string;
  port: number;
  /** Opens a session (closed by stop()). `via` overrides the address (e.g. a proxy). */
  session(opts?: { sessionTimeoutMs?: number; via?: string }): Promise<ZkSession>;
  stop(): Promise<void>;
}

/** Starts ZooKeeper (test helper; integration tests only). */
export async function startTestZooKeeper(): Promise<TestZooKeeper> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-zk-test-'));
  const logger = pino({ level: 'silent' });
  const [port] = (await freePorts(1)) as [number];
  const server = await startZooKeeper({ name: 'zookeeper', dir, port, logger });
  const sessions: ZkSession[] = [];
  const connect = `127.0.0.1:${port}`;
  return {
    connect,
    port,
    async session(opts = {}) {
      const s = await connectZooKeeper(
        { connect: opts.via ?? connect, sessionTimeoutMs: opts.sessionTimeoutMs ?? 2_000 },
        logger,
      );
      sessions.push(s);
      return s;
    },
    async stop() {
      await Promise.allSettled(sessions.map((s) => s.stop()));
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP proxy whose link can be black-holed: bytes are accepted and silently dropped. */
export interface BlackholeProxy {
  /** "127.0.0.1:port". */
  address: string;
  setBlackholed(on: boolean): void;
  stop(): Promise<void>;
}

/** Starts a {@link BlackholeProxy} in front of 127.0.0.1:`targetPort`. */
export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
  let holed = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (b) => {
      if (!holed) upstream.write(b);
    });
    upstream.on('data', (b) => {
      if (!holed) client.write(b);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    setBlackholed: (on) => {
      holed = on;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
