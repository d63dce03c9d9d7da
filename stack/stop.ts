import { pidAlive, readState, removeState } from './state.js';
import type { StackState } from './types.js';

/** What `ecom down` did. */
export interface StopReport {
  /** False when no stack was recorded in the folder. */
  found: boolean;
  durationMs: number;
  /** Pids that had to be killed with SIGKILL (the graceful path failed for them). */
  killed: number[];
  /** Pids still alive at the end (should always be empty). */
  leftover: number[];
  /** Containers runtime: ids of containers the supervisor had left behind, removed by label. */
  containers?: string[];
}

const GRACEFUL_MS = 15_000;

/**
 * Stops the stack recorded in `dir`: asks its supervisor to stop everything gracefully, waits for
 * it to exit, then kills whatever is left (the whole process group, then each recorded pid) and
 * removes the state file. Works on a stack whose supervisor already died.
 */
export async function stopStack(dir: string): Promise<StopReport> {
  const t0 = Date.now();
  const state = readState(dir);
  if (!state) return { found: false, durationMs: 0, killed: [], leftover: [] };
  const sup = state.supervisor.pid;
  if (pidAlive(sup)) {
    const asked = await askShutdown(state);
    if (!asked) signal(sup, 'SIGTERM');
    await waitGone([sup], GRACEFUL_MS);
  }
  const pids = [sup, ...state.components.map((c) => c.pid).filter((p): p is number => p !== undefined)];
  const killed = pids.filter(pidAlive);
  if (killed.length > 0) {
    signal(-state.supervisor.pgid, 'SIGKILL');
    for (const pid of killed) signal(pid, 'SIGKILL');
    await waitGone(killed, 5_000);
  }
  // Containers outlive a supervisor killed before it could remove them: remove them by label.
  const containers = state.runtime === 'containers' ? await removeContainers(dir) : undefined;
  removeState(dir);
  return {
    found: true,
    durationMs: Date.now() - t0,
    killed,
    leftover: pids.filter(pidAlive),
    ...(containers ? { containers } : {}),
  };
}

async function askShutdown(state: StackState): Promise<boolean> {
  if (!state.supervisor.control) return false;
  try {
    const res = await fetch(`http://${state.supervisor.control}/shutdown`, {
      method: 'POST',
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

async function removeContainers(dir: string): Promise<string[]> {
  const { removeStackContainers } = await import('../testcontainers/cleanup.js');
  return (await removeStackContainers(dir)).containers;
}
