import type { Command } from 'commander';
import type { z } from 'zod';
import type { Logger } from '../platform/logger.js';
import type { ExitCode } from './exit.js';

/** What every command gets besides its options. */
export interface CliContext {
  /** The stack folder (--dir, ECOM_HOME, default ./.ecom). */
  dir: string;
  logger: Logger;
  /** Where --json documents go (stdout); everything else goes to stderr. */
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** True when stderr is a terminal (live ink views); false in CI and pipes. */
  interactive: boolean;
}

/**
 * One CLI command (one file per command): commander declares its flags, a zod schema validates
 * what commander parsed (a bad value is exit 2 naming the flag), `run` does the work and returns
 * the exit code.
 */
export interface CommandModule<S extends z.ZodType = z.ZodType> {
  name: string;
  summary: string;
  /** Adds arguments, options and long help to the commander command. */
  configure(cmd: Command): void;
  schema: S;
  run(opts: z.output<S>, ctx: CliContext): Promise<ExitCode>;
}

/** Declares a command module with its option types inferred from the schema. */
export function defineCommand<S extends z.ZodType>(m: CommandModule<S>): CommandModule<S> {
  return m;
}
