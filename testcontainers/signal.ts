import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { KILLED_EXIT_MS } from '../stack/processes/child.js';

/**
 * A signal to a container as a process would take it: SIGSTOP/SIGCONT pause and unpause it (the
 * cgroup freezer, idempotently), any other signal goes to its main process.
 *
 * After a SIGKILL it waits (up to 10 s) for the engine to report the container stopped and
 * resolves true once it has: the caller's exit watch learns of the exit asynchronously, and a
 * start() right after the kill (a kill fault's heal) took the dying container for a running one
 * and did nothing (seen once in CI, the same race the process runtime had).
 */
export async function signalContainer(c: Dockerode.Container, sig: NodeJS.Signals): Promise<boolean> {
  if (sig === 'SIGSTOP') {
    if (!(await c.inspect()).State.Paused) await c.pause();
  } else if (sig === 'SIGCONT') {
    if ((await c.inspect()).State.Paused) await c.unpause();
  } else {
    await c.kill({ signal: sig });
    if (sig === 'SIGKILL') {
      const timeout = new AbortController();
      const exited = await Promise.race([
        c.wait().then(
          () => true,
          () => false,
        ),
        sleep(KILLED_EXIT_MS, false, { signal: timeout.signal }).catch(() => false),
      ]);
      timeout.abort();
      return exited;
    }
  }
  return false;
}
