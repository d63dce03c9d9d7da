import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkHealth } from '../platform/grpc/health-client.js';
import { distRoot } from '../platform/paths.js';
import { spawnChild, stillRunning, type ChildHandle } from './processes/child.js';
import { waitFor } from './processes/wait.js';
import type { ManagedComponent } from './infra.js';
import type { InstancePlan } from './plan.js';

/**
 * How long a service instance may take to answer SERVING. Idle, one starts in about a second; but a
 * stack of nine Node processes starting at once on two cores already busy with another stack under
 * load (parallel test files) took over 30 s for one of them in a test run, so the bound is generous.
 */
export const READY_TIMEOUT_MS = 60_000;

/**
 * A service instance as a child process of the supervisor: its config written to
 * dir/config/<name>.json, its log to dir/logs/<name>.log, stdin a lifeline (it exits when the
 * supervisor is gone). Ready when grpc.health.v1 answers SERVING.
 */
export function serviceInstance(plan: InstancePlan, dir: string): ManagedComponent {
  const configFile = join(dir, 'config', `${plan.name}.json`);
  mkdirSync(join(dir, 'config'), { recursive: true });
  writeFileSync(configFile, JSON.stringify(plan.config, null, 2) + '\n');
  const entry = join(distRoot(), 'services', plan.service, 'index.js');
  const address = `127.0.0.1:${plan.grpcPort}`;
  let child: ChildHandle | undefined;

  const state = {
    name: plan.name,
    kind: 'service' as const,
    endpoint: address,
    metrics: `http://127.0.0.1:${plan.httpPort}/metrics`,
    service: plan.service,
    instance: plan.instance,
    pid: undefined as number | undefined,
  };

  const spawnIt = (): ChildHandle => {
    child = spawnChild({
      name: plan.name,
      command: process.execPath,
      // A small young generation: a dozen Node processes idle under 1 GiB together (V8's default
      // lets each grow tens of MiB of semi-space it rarely needs here).
      args: [
        '--enable-source-maps',
        '--max-semi-space-size=4',
        // Extra Node flags for every service instance, for profiling (PERFORMANCE.md):
        // ECOM_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". NODE_OPTIONS refuses --cpu-prof.
        ...(process.env.ECOM_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        entry,
        '--config',
        configFile,
      ],
      logFile: join(dir, 'logs', `${plan.name}.log`),
      stdin: 'pipe',
    });
    state.pid = child.pid;
    return child;
  };
  const ready = async (child: ChildHandle) => {
    await waitFor(async () => (await checkHealth(address, '', 500)) === 'SERVING', {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 100,
      what: `${plan.name} serving on ${address}`,
      child,
    });
  };
  return {
    state,
    running: () => child?.running() ?? false,
    async start() {
      // After a kill -9 the process may still be dying or its exit not yet processed: stillRunning
      // waits for that, then we respawn.
      if (await stillRunning(child)) return;
      await ready(spawnIt());
    },
    async stop() {
      await child?.stop({ timeoutMs: 8_000 });
    },
    async signal(sig) {
      child?.signal(sig);
    },
  };
}
