import net from 'node:net';

/** A loopback TCP server for tests and benchmarks of the proxy. */
export interface TestServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** The server side of every open connection. */
  readonly sockets: ReadonlySet<net.Socket>;
  stop(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (any free port) that runs `onConnection` for each connection.
 * Half-open connections are allowed, so tests see FIN propagation one way at a time.
 */
export async function startTestServer(onConnection: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    sockets,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An echo server: every byte comes back; FIN is answered with FIN. */
export function startEchoServer(): Promise<TestServer> {
  return startTestServer((socket) => socket.pipe(socket));
}

/** Connects to 127.0.0.1:`port` (no Nagle delay); rejects on connection errors. */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Reads exactly `n` bytes from `socket` (rejects if it ends or fails first, or after `timeoutMs`). */
export function readBytes(socket: net.Socket, n: number, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const cleanup = (): void => {
      // Paused, so bytes past `n` (unshifted back) wait for the next reader instead of being lost.
      socket.pause();
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', reject);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) {
        cleanup();
        const all = Buffer.concat(chunks);
        if (all.length > n) socket.unshift(all.subarray(n));
        resolve(all.subarray(0, n));
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`connection ended after ${got} of ${n} bytes`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${got} of ${n} bytes`));
    }, timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', reject);
    socket.resume();
  });
}

/** Writes `payload` and resolves with the elapsed ms once as many bytes came back. */
export async function roundTrip(socket: net.Socket, payload: Buffer, timeoutMs?: number): Promise<number> {
  const t0 = performance.now();
  const reply = readBytes(socket, payload.length, timeoutMs);
  socket.write(payload);
  await reply;
  return performance.now() - t0;
}
