import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { ConfigError } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { MissingDependencyError } from '../stack/which.js';
import { StackRunningError } from '../stack/start.js';
import type { CliContext, CommandModule } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EnvironmentError, ExitCode, UsageError } from './exit.js';

const DESCRIPTION =
  'A distributed e-commerce backend and the tool that proves it: start the stack, drive it with traffic, ' +
  'break it on purpose, and check that nothing was oversold, double-charged or lost.';

const MORE_HELP = `
Typical session:
  ecom doctor --fix          install what this machine lacks (Debian, as root)
  ecom up                    start MariaDB primary+replica, Redis, ZooKeeper and every service
  ecom seed                  create SKUs, warehouses, stock and users
  ecom simulate --scenario flash-sale
  ecom chaos --fault zk-partition:target=inventory-1,at=5s,for=10s --scenario steady-mix
  ecom verify                check every invariant against the stores
  ecom down                  stop everything ecom started

Exit codes: 0 ok, 1 an invariant was violated or a threshold failed (or the operation failed),
2 bad usage or config, 3 the environment lacks something (the message says how to get it).
--json prints one JSON document on stdout; progress and logs go to stderr.`;

/** Runs the CLI with process-style argv; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  // A closed pipe on stdout (`ecom status | head`) is the reader's choice, not our failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write('\ninterrupted: stopping what this command started (Ctrl-C again to force)\n');
      controller.abort(new Error('interrupted'));
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  let code: number = ExitCode.ok;
  const program = new Command('ecom')
    .description(DESCRIPTION)
    .addHelpText('after', MORE_HELP)
    .option('--dir <path>', 'the stack folder (state, data, logs)', process.env.ECOM_HOME ?? '.ecom')
    .showHelpAfterError('(run `ecom --help` or `ecom <command> --help` for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  for (const m of COMMANDS)
    register(
      program,
      m as CommandModule,
      () => contextOf(program, controller.signal),
      (c) => (code = c),
    );

  try {
    await program.parseAsync(argv);
  } catch (err) {
    code = exitCodeOf(err);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (controller.signal.aborted && code === ExitCode.ok) code = 130;
  return code;
}

function contextOf(program: Command, signal: AbortSignal): CliContext {
  const dir = resolve(program.opts<{ dir: string }>().dir);
  return {
    dir,
    logger: createLogger({ component: 'cli', level: process.env.ECOM_LOG_LEVEL ?? 'warn' }),
    out: process.stdout,
    err: process.stderr,
    signal,
    interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
  };
}

function register(
  program: Command,
  m: CommandModule,
  ctx: () => CliContext,
  setCode: (c: number) => void,
): void {
  const cmd = program.command(m.name).summary(m.summary).description(m.summary);
  m.configure(cmd);
  cmd.action(async (...args: unknown[]) => {
    const positional = args.slice(0, -2).filter((a) => typeof a === 'string');
    const parsed = m.schema.safeParse({ ...cmd.opts(), args: positional });
    if (!parsed.success) {
      throw new UsageError(
        parsed.error.issues.map((i) => `${flagName(i.path.map(String))}: ${i.message}`).join('\n'),
      );
    }
    setCode(await m.run(parsed.data, ctx()));
  });
}

function flagName(path: string[]): string {
  const [first, ...rest] = path;
  if (!first) return 'options';
  const flag = '--' + first.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
  return rest.length > 0 ? `${flag} (${rest.join('.')})` : flag;
}

function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof StackRunningError) {
    process.stderr.write(`ecom: ${message}\n`);
    return ExitCode.usage;
  }
  if (err instanceof EnvironmentError || err instanceof MissingDependencyError) {
    process.stderr.write(`ecom: ${message}\n`);
    return ExitCode.environment;
  }
  process.stderr.write(`ecom: ${message}\n`);
  if (process.env.ECOM_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  return ExitCode.violation;
}
