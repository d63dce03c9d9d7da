import net from 'node:net';

/**
 * Connects to host:port, writes `payload` and collects the reply until `done(reply)` says it is
 * complete or the server closes the connection. Rejects on connection errors and after `timeoutMs`.
 */
export function tcpRequest(
  host: string,
  port: number,
  payload: string,
  opts: { timeoutMs: number; done?: (reply: string) => boolean },
): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete reply from ${host}:${port} within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (opts.done?.(reply)) finish(null);
    });
    socket.on('end', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('error', (err) => finish(err));
  });
}
