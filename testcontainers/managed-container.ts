import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { getContainerRuntimeClient, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import type { Logger } from '../platform/logger.js';
import type { ManagedComponent } from '../stack/infra.js';
import { tailFile, tailText } from '../stack/processes/wait.js';
import type { ComponentKind } from '../stack/types.js';
import { containerLabels, networkName } from './labels.js';
import { LoopbackContainer, ProbeWaitStrategy } from './loopback-container.js';
import { signalContainer } from './signal.js';

/** One server of the stack as a container: what {@link managedContainer} starts. */
export interface ContainerSpec {
  /** Component name; also the container's alias on the stack network ("mysql-primary"). */
  name: string;
  kind: ComponentKind;
  image: string;
  /** The port the server listens on inside the container. */
  port: number;
  /** Where it is published on the host's 127.0.0.1; fixed, so a restart keeps the endpoint. */
  hostPort: number;
  command?: string[];
  env?: Record<string, string>;
  /** Files written into the container before it first starts. */
  files?: { content: string; target: string; mode?: number }[];
  /** Readiness: a real request to the published port; false or a throw means "not yet". */
  probe(host: string, port: number): Promise<boolean>;
  /** Default 90 s (a cold container on a busy 2-core machine). */
  readyTimeoutMs?: number;
  /** Seconds `docker stop` waits for a clean shutdown before SIGKILL; default 10. */
  stopTimeoutS?: number;
}

/** What every container of one stack shares. */
export interface ContainerContext {
  /** The stack folder: container logs go to dir/logs/<name>.log. */
  dir: string;
  network: StartedNetwork;
  logger: Logger;
}

/** A {@link ManagedComponent} backed by a container, plus what the runtime needs from it. */
export interface ManagedContainer extends ManagedComponent {
  /** The started container, once start() has run. */
  container(): StartedTestContainer | undefined;
  /** Stops and removes the container with its volumes (teardown); idempotent. */
  remove(): Promise<void>;
}

/**
 * A container with the semantics of a managed child process: `stop()` stops it (SIGTERM, SIGKILL
 * after `stopTimeoutS`) but keeps it, so `start()` brings it back with the same data (its volumes)
 * on the same host port; SIGSTOP/SIGCONT pause and unpause it (cgroup freezer); other signals are
 * sent to its main process. `running()` turns false as soon as the container exits, by any cause.
 */
export function managedContainer(spec: ContainerSpec, ctx: ContainerContext): ManagedContainer {
  const endpoint = `127.0.0.1:${spec.hostPort}`;
  mkdirSync(join(ctx.dir, 'logs'), { recursive: true });
  const logFile = join(ctx.dir, 'logs', `${spec.name}.log`);
  const state: ManagedComponent['state'] = { name: spec.name, kind: spec.kind, endpoint };
  // Testcontainers takes stop timeouts in milliseconds (and truncates them to whole seconds for
  // the engine): seconds passed as-is would become 0, an immediate SIGKILL after the SIGTERM.
  const stopTimeoutMs = (spec.stopTimeoutS ?? 10) * 1000;
  let started: StartedTestContainer | undefined;
  let running = false;
  let generation = 0;
  let removing: Promise<void> | undefined;

  const appendLogs = (stream: Readable) => {
    stream.pipe(createWriteStream(logFile, { flags: 'a' }));
  };
  const readiness = () =>
    new ProbeWaitStrategy(
      `${spec.name} (${spec.image} on ${endpoint})`,
      () => spec.probe('127.0.0.1', spec.hostPort),
      () => tailFile(logFile, 30),
      spec.readyTimeoutMs ?? 90_000,
    );
  const dockerContainer = async () => {
    const client = await getContainerRuntimeClient();
    return client.container.getById(started!.getId());
  };
  // Notices an exit of any cause (crash, kill, stop) through the engine's wait API.
  const watchExit = async () => {
    const gen = ++generation;
    running = true;
    const c = await dockerContainer();
    const exited = () => {
      if (gen === generation) running = false;
    };
    c.wait().then(exited, exited);
  };

  return {
    state,
    container: () => started,
    running: () => running,
    async start() {
      if (running || removing) return;
      const t0 = Date.now();
      if (!started) {
        const container = new LoopbackContainer(spec.image)
          .withName(`${networkName(ctx.dir)}-${spec.name}`)
          .withNetworkAlias(ctx.network.getName(), spec.name)
          .withExposedPorts({ container: spec.port, host: spec.hostPort })
          .withLabels(containerLabels(ctx.dir, spec.name))
          .withEnvironment(spec.env ?? {})
          .withWaitStrategy(readiness())
          .withLogConsumer(appendLogs);
        if (spec.command) container.withCommand(spec.command);
        if (spec.files) container.withCopyContentToContainer(spec.files);
        started = await container.start();
        state.containerId = started.getId();
      } else {
        // A stopped container is started again (same volumes, same host port) through the engine
        // directly, then probed: Testcontainers' own restart() removes the container with its
        // volumes when the probe fails, which would lose the data this restart exists to keep.
        // Like a restart policy, one that exits while starting is started once more; every
        // attempt's log is appended to the log file, and a second failure is an error quoting both.
        const c = await dockerContainer();
        const tails: string[] = [];
        for (let attempt = 1; ; attempt++) {
          const since = Math.floor(Date.now() / 1000);
          const failed = await (async () => {
            if (!(await c.inspect()).State.Running) await c.start();
            await readiness().waitUntilReady(c);
          })().then(
            () => undefined,
            (err: unknown) => (err instanceof Error ? err.message : String(err)),
          );
          if (failed === undefined) {
            appendLogs(await started.logs({ since }));
            break;
          }
          const logs = await collect(await started.logs({ since }), 2_000);
          writeFileSync(logFile, logs, { flag: 'a' });
          tails.push(`${failed}\n--- start ${attempt}: the container's log ---\n${tailText(logs, 20)}`);
          ctx.logger.warn({ name: spec.name, attempt, error: failed }, 'container failed to start again');
          if (attempt === 2) throw new Error(tails.join('\n'));
        }
      }
      await watchExit();
      ctx.logger.info(
        { name: spec.name, image: spec.image, endpoint, readyMs: Date.now() - t0 },
        'container ready',
      );
    },
    async stop() {
      if (!started) return;
      const client = await getContainerRuntimeClient();
      await client.container.stop(await dockerContainer(), { timeout: stopTimeoutMs });
      running = false;
    },
    async signal(sig) {
      if (!started || !running) return;
      if (await signalContainer(await dockerContainer(), sig)) running = false;
    },
    remove() {
      removing ??= (async () => {
        if (!started) return;
        generation++;
        running = false;
        const c = await dockerContainer();
        // A paused container cannot shut down cleanly.
        if ((await c.inspect().catch(() => undefined))?.State.Paused) await c.unpause();
        await started.stop({ remove: true, removeVolumes: true, timeout: stopTimeoutMs });
      })();
      return removing;
    },
  };
}

/** A finite log stream as text (what arrived within `ms`, if it does not end by itself). */
function collect(stream: Readable, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      stream.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(done, ms);
    stream.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
    stream.once('end', done);
    stream.once('error', done);
  });
}
