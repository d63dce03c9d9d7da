import { z } from 'zod';
import { defineCommand, type CommandModule } from '../command.js';
import { UsageError } from '../exit.js';

/**
 * A command of the CLI contract whose issue has not landed yet: it is listed in --help, accepts
 * its documented flags, and exits 2 saying when it arrives.
 */
export function pendingCommand(name: string, summary: string, issue: number, usage: string): CommandModule {
  return defineCommand({
    name,
    summary: `${summary} (arrives with issue #${issue})`,
    configure(cmd) {
      cmd
        .allowUnknownOption(true)
        .allowExcessArguments(true)
        .addHelpText('after', `\nUsage when it lands:\n  ${usage}\n`);
    },
    schema: z.object({}).passthrough(),
    async run() {
      throw new UsageError(`\`ecom ${name}\` is not available yet: it arrives with issue #${issue}`);
    },
  });
}
