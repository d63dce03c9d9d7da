import type Dockerode from 'dockerode';

/**
 * A signal to a container as a process would take it: SIGSTOP/SIGCONT pause and unpause it (the
 * cgroup freezer, idempotently), any other signal goes to its main process.
 */
export async function signalContainer(c: Dockerode.Container, sig: NodeJS.Signals): Promise<void> {
  if (sig === 'SIGSTOP') {
    if (!(await c.inspect()).State.Paused) await c.pause();
  } else if (sig === 'SIGCONT') {
    if ((await c.inspect()).State.Paused) await c.unpause();
  } else {
    await c.kill({ signal: sig });
  }
}
