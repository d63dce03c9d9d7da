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
 * True if a process with this pid runs. A zombie (exited, not yet reaped by a parent that may
 * never reap it) counts as gone, although it still answers `kill -0`.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
