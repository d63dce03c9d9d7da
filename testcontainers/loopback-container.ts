import { GenericContainer, type WaitStrategy } from 'testcontainers';
import type Dockerode from 'dockerode';
import { WaitAbort, waitFor } from '../stack/processes/wait.js';

/**
 * A GenericContainer whose published ports listen on the host's 127.0.0.1 only (Testcontainers
 * binds every interface): a stack's servers have throwaway credentials and passwordless admin
 * accounts, and must not be reachable from the network.
 */
export class LoopbackContainer extends GenericContainer {
  private alias: { network: string; name: string } | undefined;

  /**
   * Attaches the container to `network` only, reachable there as `alias`. (Testcontainers'
   * withNetworkAliases also leaves it on the default bridge, shared with every other container.)
   */
  withNetworkAlias(network: string, alias: string): this {
    this.alias = { network, name: alias };
    return this.withNetworkMode(network);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    const bindings = this.hostConfig.PortBindings as Record<string, { HostIp?: string; HostPort?: string }[]>;
    for (const list of Object.values(bindings ?? {})) for (const b of list) b.HostIp = '127.0.0.1';
    if (this.alias) {
      this.createOpts.NetworkingConfig = {
        EndpointsConfig: { [this.alias.network]: { Aliases: [this.alias.name] } },
      };
    }
  }
}

/**
 * Readiness as the processes runtime checks it: a real request (SELECT 1, PING, `srvr`) from the
 * host to the published port, retried until it succeeds. Fails at once, with the end of the
 * container's log, if the container exits first.
 */
export class ProbeWaitStrategy implements WaitStrategy {
  private timeoutMs: number;
  private timeoutSet = false;

  constructor(
    private readonly what: string,
    private readonly probe: () => Promise<boolean>,
    private readonly logTail: () => string,
    timeoutMs = 60_000,
  ) {
    this.timeoutMs = timeoutMs;
  }

  async waitUntilReady(container: Dockerode.Container): Promise<void> {
    try {
      await waitFor(
        async () => {
          const state = (await container.inspect()).State;
          if (!state.Running) throw new WaitAbort(`container exited (code ${state.ExitCode})`);
          return this.probe();
        },
        { timeoutMs: this.timeoutMs, intervalMs: 100, what: this.what },
      );
    } catch (err) {
      const tail = this.logTail();
      throw new Error(`${(err as Error).message}${tail ? `\n--- container log ends ---\n${tail}` : ''}`);
    }
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.timeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}
