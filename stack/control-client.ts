import type { StackState } from './types.js';

/** Talks to a running stack's supervisor: stop, start or signal one component (chaos, tests). */
export interface StackControl {
  /** Stops a component (kill faults); it stays down until start(). */
  stop(name: string): Promise<void>;
  /** Starts a stopped component again with the same ports and data; resolves when it is ready. */
  start(name: string): Promise<void>;
  /** SIGSTOP / SIGCONT (pause faults), SIGKILL (crash), SIGTERM. */
  signal(name: string, sig: 'SIGSTOP' | 'SIGCONT' | 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** The supervisor's current view of the stack (pids change after restarts). */
  state(): Promise<StackState>;
}

/** A control client for the supervisor named in the state file. */
export function stackControl(state: Pick<StackState, 'supervisor'>): StackControl {
  const base = `http://${state.supervisor.control}`;
  const post = async (path: string, timeoutMs: number) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`supervisor ${path}: ${res.status} ${await res.text()}`);
  };
  const component = (name: string) => `/components/${encodeURIComponent(name)}`;
  return {
    stop: (name) => post(`${component(name)}/stop`, 30_000),
    start: (name) => post(`${component(name)}/start`, 60_000),
    signal: (name, sig) => post(`${component(name)}/signal?sig=${sig}`, 5_000),
    async state() {
      const res = await fetch(`${base}/state`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`supervisor /state: ${res.status}`);
      return (await res.json()) as StackState;
    },
  };
}
