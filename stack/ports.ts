import net from 'node:net';

/** Opens a listener on 127.0.0.1 with an OS-chosen port and keeps it open until `close` is called. */
async function reservePort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error('freePort: the listener has no TCP address');
  }
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picked it for a listener that is now
 * closed). Another process may still grab it before the caller binds it; callers that start a server
 * on it should treat "address in use" as retryable.
 */
export async function freePort(): Promise<number> {
  const reserved = await reservePort();
  await reserved.close();
  return reserved.port;
}

/**
 * `n` distinct free ports on 127.0.0.1. All listeners stay open until the last port is chosen, so the
 * OS cannot hand out the same port twice within one call.
 */
export async function freePorts(n: number): Promise<number[]> {
  if (!Number.isInteger(n) || n < 0) throw new Error(`freePorts: n must be a non-negative integer, got ${n}`);
  const reserved: Awaited<ReturnType<typeof reservePort>>[] = [];
  try {
    for (let i = 0; i < n; i++) reserved.push(await reservePort());
    return reserved.map((r) => r.port);
  } finally {
    await Promise.all(reserved.map((r) => r.close()));
  }
}
