import type { Logger } from '../platform/logger.js';
import type { ComponentState, InfraEndpoints, RuntimeName } from './types.js';

/** One part of the stack the supervisor runs (a server or a service instance), controllable by chaos. */
export interface ManagedComponent {
  state: ComponentState;
  /** Stops it (graceful, then forced); idempotent. */
  stop(): Promise<void>;
  /** Starts it again after stop(), with the same data and endpoint. */
  start(): Promise<void>;
  /** Sends a signal to its process (SIGSTOP/SIGCONT for pause faults). */
  signal(sig: NodeJS.Signals): Promise<void>;
  /** Resolves when it exits on its own (a crash), so the supervisor can record it. */
  running(): boolean;
}

/** The infrastructure of a stack: MariaDB primary + replica, Redis, ZooKeeper. */
export interface StartedInfra {
  endpoints: InfraEndpoints;
  components: ManagedComponent[];
  /** Stops every component (in parallel); idempotent. */
  stop(): Promise<void>;
}

/** What the supervisor gives a runtime to start infrastructure with. */
export interface InfraContext {
  /** The stack folder: data under dir/data, logs under dir/logs. */
  dir: string;
  logger: Logger;
  onProgress(component: string, status: 'starting' | 'ready'): void;
}

/** A way to run the infrastructure: local child processes, or containers through Testcontainers. */
export interface InfraRuntime {
  name: RuntimeName;
  start(ctx: InfraContext): Promise<StartedInfra>;
}

/**
 * Starts every component at once, reporting each one's progress; once all have settled, rejects
 * with the first failure (the caller stops what did start).
 */
export async function startAll(
  components: ManagedComponent[],
  onProgress: InfraContext['onProgress'],
): Promise<void> {
  const results = await Promise.allSettled(
    components.map(async (c) => {
      onProgress(c.state.name, 'starting');
      await c.start();
      onProgress(c.state.name, 'ready');
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
