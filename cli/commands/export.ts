import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { K6ExportError } from '../../scenarios/k6/options.js';
import { exportK6 } from '../../scenarios/k6/script.js';
import { loadScenario, ScenarioError } from '../../scenarios/load.js';
import { readState } from '../../stack/state.js';
import { defineCommand } from '../command.js';
import { ExitCode, UsageError } from '../exit.js';

const FORMATS = ['k6'] as const;
const address = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port');

export default defineCommand({
  name: 'export',
  summary: 'write a k6 script (k6/net/grpc) that runs a scenario with k6',
  configure(cmd) {
    cmd
      .argument('<format>', 'what to export: k6')
      .requiredOption(
        '--scenario <name|file>',
        'a builtin scenario (flash-sale, steady-mix, ...) or a YAML file',
      )
      .option('--out <file>', 'write the script to FILE (default: stdout)')
      .option(
        '--orders <host:port>',
        'default orders endpoint (ECOM_ORDERS overrides; default: the running stack)',
      )
      .option('--inventory <host:port>', 'default inventory endpoint (ECOM_INVENTORY overrides)')
      .option('--users <host:port>', 'default users endpoint (ECOM_USERS overrides)')
      .option(
        '--proto-dir <dir>',
        "folder holding ecom/**/*.proto (ECOM_PROTO_DIR overrides; default: ecom's proto/)",
      )
      .option('--seed <n>', "seed of the script's random choices (ECOM_SEED overrides)", '1')
      .addHelpText(
        'after',
        `
The script runs the scenario with k6: the same executor and stages, thresholds, operation mix, SKU
popularity, quantities and payment outcomes. It reads ECOM_TOKENS_FILE (the buyers \`ecom seed\` wrote)
and the endpoints from the environment; its header says how to run it.

Examples:
  ecom export k6 --scenario flash-sale --out flash-sale.js
  ECOM_TOKENS_FILE=$PWD/.ecom/tokens.json k6 run flash-sale.js`,
      );
  },
  schema: z.object({
    args: z.tuple([z.string()]),
    scenario: z.string().min(1),
    out: z.string().min(1).optional(),
    orders: address.optional(),
    inventory: address.optional(),
    users: address.optional(),
    protoDir: z.string().min(1).optional(),
    seed: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
  }),
  async run(opts, ctx) {
    const [format] = opts.args;
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`unknown export format "${format}" (one of: ${FORMATS.join(', ')})`);
    }
    let script: string;
    try {
      const scenario = loadScenario(opts.scenario);
      const stack = stackEndpoints(ctx.dir);
      script = exportK6(scenario, {
        ordersAddress: opts.orders ?? stack.orders,
        inventoryAddress: opts.inventory ?? stack.inventory,
        usersAddress: opts.users ?? stack.users,
        protoDir: opts.protoDir,
        seed: opts.seed,
      });
    } catch (err) {
      if (err instanceof ScenarioError || err instanceof K6ExportError) throw new UsageError(err.message);
      throw err;
    }
    if (opts.out) {
      writeFileSync(opts.out, script);
      ctx.err.write(
        `wrote ${opts.out} (run it with: k6 run ${opts.out}; see its header for the environment)\n`,
      );
    } else ctx.out.write(script);
    return ExitCode.ok;
  },
});

/** First instance of each service of the stack running in `dir`, if any (defaults for the script). */
function stackEndpoints(dir: string): Partial<Record<'orders' | 'inventory' | 'users', string>> {
  let state;
  try {
    state = readState(dir);
  } catch {
    return {};
  }
  const first = (service: string) =>
    state?.components.find((c) => c.kind === 'service' && c.service === service)?.endpoint;
  return { orders: first('orders'), inventory: first('inventory'), users: first('users') };
}
