import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnChild, stillRunning, type ChildHandle } from '../processes/child.js';
import { waitFor } from '../processes/wait.js';
import type { ManagedComponent } from '../infra.js';
import { requireExecutable } from '../which.js';

/**
 * Prometheus (Debian's `prometheus` package) as a component of the stack: scrapes with
 * `configFile`, keeps its data under `<dir>/data/prometheus`, listens on 127.0.0.1:`port`, logs to
 * `<dir>/logs/prometheus.log`. Ready when /-/ready answers 200.
 */
export function prometheusComponent(opts: {
  dir: string;
  port: number;
  configFile: string;
}): ManagedComponent {
  const binary = requireExecutable('prometheus', 'prometheus');
  const dataDir = join(opts.dir, 'data', 'prometheus');
  const base = `http://127.0.0.1:${opts.port}`;
  let child: ChildHandle | undefined;
  const state = {
    name: 'prometheus',
    kind: 'prometheus' as const,
    endpoint: `127.0.0.1:${opts.port}`,
    metrics: `${base}/metrics`,
    pid: undefined as number | undefined,
  };
  return {
    state,
    running: () => child?.running() ?? false,
    async start() {
      // A start right after a kill -9 waits for that exit, as every other child does.
      if (await stillRunning(child)) return;
      mkdirSync(dataDir, { recursive: true });
      const c = spawnChild({
        name: 'prometheus',
        command: binary,
        args: [
          `--config.file=${opts.configFile}`,
          `--storage.tsdb.path=${dataDir}`,
          `--web.listen-address=127.0.0.1:${opts.port}`,
          '--storage.tsdb.retention.time=2d',
          '--log.level=warn',
        ],
        logFile: join(opts.dir, 'logs', 'prometheus.log'),
      });
      child = c;
      state.pid = c.pid;
      await waitFor(
        async () => (await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(1_000) })).status === 200,
        { timeoutMs: 30_000, intervalMs: 100, what: `prometheus on ${state.endpoint}`, child: c },
      );
    },
    async stop() {
      await child?.stop({ timeoutMs: 8_000 });
    },
    async signal(sig) {
      child?.signal(sig);
    },
  };
}
