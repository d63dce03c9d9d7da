import { getContainerRuntimeClient } from 'testcontainers';
import { stackFilter, networkName } from './labels.js';

/** What {@link removeStackContainers} removed. */
export interface CleanupReport {
  containers: string[];
  network: boolean;
}

/**
 * Removes every container labelled with the stack folder `dir` (running or not, with their
 * anonymous volumes) and the stack's network. `ecom down` uses it when the supervisor that owned
 * the containers died; the runtime uses it before starting, against leftovers of a crashed stack.
 */
export async function removeStackContainers(dir: string): Promise<CleanupReport> {
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const found = await docker.listContainers({
    all: true,
    filters: { label: [stackFilter(dir)] },
  });
  await Promise.all(
    found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone)),
  );
  const networks = await docker.listNetworks({ filters: { name: [networkName(dir)] } });
  // `name` filters by substring: only the exact name is ours.
  const ours = networks.filter((n) => n.Name === networkName(dir));
  await Promise.all(ours.map((n) => docker.getNetwork(n.Id).remove().catch(ignoreGone)));
  return { containers: found.map((c) => c.Id), network: ours.length > 0 };
}

function ignoreGone(err: unknown): void {
  const code = (err as { statusCode?: number }).statusCode;
  if (code !== 404 && code !== 409) throw err;
}
