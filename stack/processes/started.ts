import type { ChildHandle } from './child.js';

/**
 * A server started as a child process on a loopback port: an object you can stop (the
 * Testcontainers `StartedTestContainer` shape). Supports `await using`.
 */
export interface StartedServer extends AsyncDisposable {
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  readonly child: ChildHandle;
  /** Stops the server (SIGTERM, SIGKILL after a timeout) and runs its cleanup; idempotent. */
  stop(): Promise<void>;
}

/**
 * Wraps a ready child into a {@link StartedServer}. `cleanup` runs once after the process has
 * exited (e.g. to remove a socket file kept outside the server's folder).
 */
export function startedServer(
  child: ChildHandle,
  port: number,
  opts: { stopTimeoutMs?: number; cleanup?: () => Promise<void> | void } = {},
): StartedServer {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await child.stop({ timeoutMs: opts.stopTimeoutMs ?? 10_000 });
      await opts.cleanup?.();
    })();
    return stopping;
  };
  return {
    name: child.name,
    host: '127.0.0.1',
    port,
    pid: child.pid,
    child,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
