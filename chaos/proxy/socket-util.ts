import type net from 'node:net';

/**
 * Closes `socket` with a TCP RST (the peer sees ECONNRESET). A socket whose connect() was never
 * called has nothing to reset and is just destroyed; one still connecting is reset once connected.
 */
export function resetSocket(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.pending && !socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

/** Resolves when `socket` can take more writes ('drain') or will never again ('close'). */
export function drained(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
