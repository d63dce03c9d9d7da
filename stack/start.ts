import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { distRoot } from '../platform/paths.js';
import { tailFile } from './processes/wait.js';
import { stackControl, type StackControl } from './control-client.js';
import { pidAlive, readState } from './state.js';
import { stopStack } from './stop.js';
import type { SupervisorMessage } from './supervisor/supervisor.js';
import { StackOptions, type StackOptionsInput, type StackState } from './types.js';

/** A running stack: its state, and `stop()`. Supports `await using`. */
export interface StartedStack extends AsyncDisposable {
  readonly state: StackState;
  /** Stop, start or signal one component through the supervisor. */
  readonly control: StackControl;
  /** Stops every component and waits until no process of the stack is left. */
  stop(): Promise<void>;
}

/** A stack is already running in that folder. */
export class StackRunningError extends Error {
  constructor(readonly state: StackState) {
    super(
      `a stack is already running in ${state.dir} (supervisor pid ${state.supervisor.pid}, started ${state.startedAt}): ` +
        'run `ecom down` first',
    );
    this.name = 'StackRunningError';
  }
}

/**
 * Starts a stack: spawns its supervisor (a detached process leading its own process group) and
 * resolves when every component is healthy. Non-persistent stacks (the default; tests, demo) stop
 * by themselves when this process exits, even if it crashes.
 */
export async function startStack(
  input: StackOptionsInput,
  opts: { onProgress?: (component: string, status: 'starting' | 'ready') => void; signal?: AbortSignal } = {},
): Promise<StartedStack> {
  const options = StackOptions.parse({ ...input, dir: resolve(input.dir) });
  const existing = readState(options.dir);
  if (existing && pidAlive(existing.supervisor.pid)) throw new StackRunningError(existing);
  // A stack whose supervisor died: make sure nothing of it lingers before starting anew.
  if (existing) await stopStack(options.dir);

  mkdirSync(join(options.dir, 'logs'), { recursive: true });
  const logFile = join(options.dir, 'logs', 'supervisor.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', '--max-semi-space-size=4', join(distRoot(), 'stack', 'supervisor', 'main.js')],
    {
      detached: true,
      stdio: ['ignore', fd, fd, 'ipc'],
      env: process.env,
    },
  );
  closeSync(fd);

  const state = await new Promise<StackState>((resolveReady, reject) => {
    const onAbort = () => {
      child.kill('SIGTERM');
      reject(new Error('aborted while starting: the stack is being stopped'));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (msg: SupervisorMessage) => {
      if (msg.type === 'progress') opts.onProgress?.(msg.component, msg.status);
      else if (msg.type === 'ready') resolveReady(msg.state);
      else if (msg.type === 'failed') reject(new Error(`the stack failed to start: ${msg.error}`));
    });
    child.once('exit', (code, sig) =>
      reject(
        new Error(
          `the stack supervisor exited (${sig ?? `code ${code}`}) before the stack was ready; ` +
            `its log ends:\n${tailFile(logFile, 30)}`,
        ),
      ),
    );
    child.once('error', reject);
    child.send({ type: 'start', options });
  }).catch(async (err: unknown) => {
    await waitExit(child, 30_000);
    throw err;
  });

  if (options.persistent) {
    child.disconnect();
    child.unref();
  }
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopStack(options.dir).then(() => waitExit(child, 1_000)));
  return { state, control: stackControl(state), stop, [Symbol.asyncDispose]: stop };
}

function waitExit(child: import('node:child_process').ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const timer = setTimeout(resolveExit, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
  });
}
