import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { procStatFields } from '../state.js';

/** What to run, see {@link spawnChild}. */
export interface ChildSpec {
  /** Short name used in log lines and error messages ("mysql-primary", "redis"). */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  /** Defaults to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here; the folder is created if missing. */
  logFile: string;
  /** Default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
}

/** How a child ended: exactly one of `code` and `signal` is set. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link ChildHandle.stop}. */
export interface StopOptions {
  /** First signal to send; default SIGTERM. */
  signal?: NodeJS.Signals;
  /** How long to wait after the first signal (and again after SIGKILL); default 10 s. */
  timeoutMs?: number;
}

/** A started child process; see {@link spawnChild}. */
export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** Resolves when the process has exited (and has been reaped: its pid is gone). Never rejects. */
  readonly exited: Promise<ChildExit>;
  running(): boolean;
  /** Sends `sig` while it runs; a SIGKILL is remembered (see {@link stillRunning}). */
  signal(sig: NodeJS.Signals): void;
  /** Whether it was sent SIGKILL through {@link signal}. */
  killed(): boolean;
  /** Resolves true once it has exited, false after `ms` if it has not. */
  exitedWithin(ms: number): Promise<boolean>;
  /**
   * Sends the signal, waits for the exit event up to `timeoutMs`, then SIGKILL and waits again.
   * Idempotent (later calls return the first call's promise); resolves at once if already exited.
   */
  stop(opts?: StopOptions): Promise<void>;
}

/**
 * How long {@link stillRunning} waits for a child sent SIGKILL to exit (the kernel needs ms); the
 * containers runtime waits as long for a killed container.
 */
export const KILLED_EXIT_MS = 10_000;

/**
 * Resolves to whether the child still runs, after a kill the exit event may not have arrived yet:
 * a process that /proc says is gone (or a zombie) is waited for until its exit is processed. A
 * child sent SIGKILL is waited for (up to 10 s) first: while it dies its sockets close before /proc
 * shows a zombie, and a restart in that window took it for alive and did nothing (seen once in CI,
 * a kill fault's heal leaving the instance dead).
 */
export async function stillRunning(child: ChildHandle | undefined): Promise<boolean> {
  if (!child?.running()) return false;
  if (child.killed() && (await child.exitedWithin(KILLED_EXIT_MS))) return false;
  const state = procStatFields(child.pid)?.[0] ?? 'gone';
  if (state !== 'Z' && state !== 'gone') return true;
  await child.exited;
  return false;
}

/**
 * Starts a child process whose stdout and stderr are appended to `spec.logFile`.
 *
 * The child is deliberately not detached: it stays in the caller's process group, so killing that
 * group (the last resort of `ecom down`) takes the child with it. Liveness comes from the `exit`
 * event, never from `kill -0`, which a not-yet-reaped zombie still answers.
 *
 * @throws if the command cannot be started (not found, not executable).
 */
export function spawnChild(spec: ChildSpec): ChildHandle {
  fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
  fs.appendFileSync(
    spec.logFile,
    `--- ${new Date().toISOString()} starting ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`,
  );
  const fd = fs.openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: [spec.stdin ?? 'ignore', fd, fd],
      detached: false,
    });
  } finally {
    // The child has its own copy of the descriptor once spawn() returns.
    fs.closeSync(fd);
  }
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${spec.name}: cannot run ${spec.command}: not found or not executable`);
  }

  let exit: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const exitedWithin = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([exited.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };

  let killed = false;
  let stopping: Promise<void> | undefined;
  const doStop = async (opts: StopOptions): Promise<void> => {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    if (exit) return;
    child.kill(opts.signal ?? 'SIGTERM');
    if (await exitedWithin(timeoutMs)) return;
    child.kill('SIGKILL');
    if (await exitedWithin(timeoutMs)) return;
    const why = spawnError ? ` (${spawnError.message})` : '';
    throw new Error(`${spec.name} (pid ${pid}) has not exited ${timeoutMs} ms after SIGKILL${why}`);
  };

  return {
    name: spec.name,
    pid,
    process: child,
    logFile: spec.logFile,
    exited,
    running: () => exit === undefined,
    signal(sig) {
      if (exit) return;
      child.kill(sig);
      if (sig === 'SIGKILL') killed = true;
    },
    killed: () => killed,
    exitedWithin,
    stop(opts = {}) {
      stopping ??= doStop(opts).catch((err: unknown) => {
        stopping = undefined;
        throw err;
      });
      return stopping;
    },
  };
}
