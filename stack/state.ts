import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackState } from './types.js';

/** Path of the state file of a stack folder. */
export function statePath(dir: string): string {
  return join(dir, 'stack.json');
}

/** Writes the state file atomically (write to a temp file, rename). */
export function writeState(state: StackState): void {
  mkdirSync(state.dir, { recursive: true });
  const file = statePath(state.dir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

/** Reads the state file; null when there is none (no stack was started here, or it was stopped). */
export function readState(dir: string): StackState | null {
  let text: string;
  try {
    text = readFileSync(statePath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const state = JSON.parse(text) as StackState;
  if (state.version !== 1)
    throw new Error(`${statePath(dir)}: unknown state version ${String(state.version)}`);
  return state;
}

export function removeState(dir: string): void {
  rmSync(statePath(dir), { force: true });
}

/**
 * The fields of /proc/<pid>/stat after the parenthesised command name (which may itself hold spaces
 * and parentheses): [0] is field 3 of proc(5), the state; [11] and [12] are utime and stime.
 * Undefined when the process is gone or not visible.
 */
export function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * True if a process with this pid runs. A zombie (exited, not yet reaped by a parent that may
 * never reap it) counts as gone, although it still answers `kill -0`.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = procStatFields(pid)?.[0];
  return state !== undefined && state !== 'Z';
}
