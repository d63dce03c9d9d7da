import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { checkHealth } from '../platform/grpc/health-client.js';
import type { ManagedComponent } from '../stack/infra.js';
import type { InstancePlan } from '../stack/plan.js';
import { tailFile } from '../stack/processes/wait.js';
import { READY_TIMEOUT_MS } from '../stack/service-instance.js';
import { containerLabels, networkName } from './labels.js';
import { LoopbackContainer, ProbeWaitStrategy } from './loopback-container.js';
import { signalContainer } from './signal.js';

/** Where the instance's config is written inside its container. */
const CONFIG_PATH = '/etc/ecom/config.json';

/**
 * A service instance as a container of the services image (deploy/Dockerfile) instead of a host
 * process (`--services-in-containers`). It shares the host's network, so it listens on the same
 * loopback ports as a process would and reaches every dependency through the same fault-proxy
 * links: plans, proxies and link faults stay as they are. Its config is the plan's, written into
 * the container, without the stdin lifeline (a container has no supervisor stdin; `down` removes
 * it by label instead).
 *
 * Services keep no state of their own, so `stop()` removes the container and `start()` creates a
 * fresh one with the same config; SIGSTOP/SIGCONT pause and unpause it; other signals go to its
 * main process.
 */
export function serviceContainer(plan: InstancePlan, dir: string, image: string): ManagedComponent {
  const address = `127.0.0.1:${plan.grpcPort}`;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const logFile = join(dir, 'logs', `${plan.name}.log`);
  const config = JSON.stringify({ ...plan.config, lifeline: false }, null, 2);
  const state: ManagedComponent['state'] = {
    name: plan.name,
    kind: 'service',
    endpoint: address,
    metrics: `http://127.0.0.1:${plan.httpPort}/metrics`,
    service: plan.service,
    instance: plan.instance,
  };
  let started: StartedTestContainer | undefined;
  let running = false;
  let generation = 0;

  const remove = async () => {
    const old = started;
    started = undefined;
    running = false;
    generation++;
    if (!old) return;
    const client = await getContainerRuntimeClient();
    const c = client.container.getById(old.getId());
    if ((await c.inspect().catch(() => undefined))?.State.Paused) await c.unpause();
    // Testcontainers' timeout is in milliseconds: 10 s for the service to drain on SIGTERM.
    await old.stop({ remove: true, timeout: 10_000 });
  };

  return {
    state,
    running: () => running,
    async start() {
      if (running) return;
      await remove();
      const container = new LoopbackContainer(image)
        .withName(`${networkName(dir)}-${plan.name}`)
        .withNetworkMode('host')
        .withLabels(containerLabels(dir, plan.name))
        .withCommand([plan.service, '--config', CONFIG_PATH])
        .withCopyContentToContainer([{ content: config, target: CONFIG_PATH, mode: 0o644 }])
        .withLogConsumer((stream: Readable) => stream.pipe(createWriteStream(logFile, { flags: 'a' })))
        .withWaitStrategy(
          new ProbeWaitStrategy(
            `${plan.name} (${image}) serving on ${address}`,
            async () => (await checkHealth(address, '', 500)) === 'SERVING',
            () => tailFile(logFile, 30),
            READY_TIMEOUT_MS,
          ),
        );
      started = await container.start();
      state.containerId = started.getId();
      running = true;
      const gen = generation;
      const client = await getContainerRuntimeClient();
      const exited = () => {
        if (gen === generation) running = false;
      };
      client.container.getById(started.getId()).wait().then(exited, exited);
    },
    stop: remove,
    async signal(sig) {
      if (!started || !running) return;
      const client = await getContainerRuntimeClient();
      if (await signalContainer(client.container.getById(started.getId()), sig)) running = false;
    },
  };
}
