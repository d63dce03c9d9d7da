import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { seedCatalog } from '../../services/inventory/seed.js';
import { seedUsers } from '../../services/users/seed.js';
import { createClients } from '../../scenarios/clients.js';
import { SEED_PASSWORD } from '../../scenarios/setup.js';
import { pidAlive, readState } from '../../stack/state.js';
import { defineCommand } from '../command.js';
import { EnvironmentError, ExitCode } from '../exit.js';
import { addressesOf } from '../experiment.js';

const count = (max: number) => z.coerce.number().int().min(0).max(max);

export default defineCommand({
  name: 'seed',
  summary: 'create SKUs, warehouses, stock and users (with tokens for the load runner) in the running stack',
  configure(cmd) {
    cmd
      .option('--skus <n>', 'SKUs sku-000001… with a price', '100')
      .option('--warehouses <n>', 'warehouses wh-01…', '3')
      .option('--stock <n>', 'units of every SKU received in every warehouse', '100')
      .option('--users <n>', 'users user-000001@ecom.test… (password "seed-password")', '100')
      .option('--json', 'print what was created as JSON on stdout', false)
      .addHelpText(
        'after',
        `
Idempotent: running it again with the same numbers changes nothing (restocks carry idempotency
keys; existing users are signed in instead of registered). The users' tokens are written to
seed/users.json in the stack folder, for the load runner and for \`ecom export k6\`
(ECOM_TOKENS_FILE). Scenarios seed their own buyers and catalogue; this command is for exploring
the stack by hand.`,
      );
  },
  schema: z.object({
    skus: count(1_000_000),
    warehouses: count(99),
    stock: count(1_000_000_000),
    users: count(999_999),
    json: z.boolean(),
  }),
  async run(opts, ctx) {
    const state = readState(ctx.dir);
    if (!state || !pidAlive(state.supervisor.pid))
      throw new EnvironmentError(`no stack is running in ${ctx.dir}: start one with \`ecom up\``);
    const clients = createClients(
      {
        orders: addressesOf(state, 'orders'),
        inventory: addressesOf(state, 'inventory'),
        users: addressesOf(state, 'users'),
      },
      30_000,
    );
    try {
      const t0 = Date.now();
      const catalogue =
        opts.skus > 0
          ? await seedCatalog(
              clients.inventory,
              { skus: opts.skus, warehouses: Math.max(1, opts.warehouses), stock: opts.stock },
              (p) => {
                if (p.done === p.total) ctx.err.write(`  ${p.phase}: ${p.done}\n`);
              },
            )
          : undefined;
      const users = await seedUsers(
        clients.users,
        { count: opts.users, password: SEED_PASSWORD, concurrency: 16 },
        (done, total) => {
          if (done === total || done % 1000 === 0) ctx.err.write(`  users: ${done}/${total}\n`);
        },
      );
      mkdirSync(join(ctx.dir, 'seed'), { recursive: true });
      const file = join(ctx.dir, 'seed', 'users.json');
      writeFileSync(
        file,
        JSON.stringify(
          users.map((u) => ({ ...u, password: SEED_PASSWORD })),
          null,
          1,
        ) + '\n',
      );
      const summary = {
        skus: catalogue?.skus ?? 0,
        warehouses: catalogue?.warehouses ?? 0,
        restocks: catalogue?.restocks ?? 0,
        users: users.length,
        tokensFile: file,
        ms: Date.now() - t0,
      };
      if (opts.json) ctx.out.write(JSON.stringify(summary) + '\n');
      else
        ctx.err.write(
          `seeded ${summary.skus} SKUs × ${summary.warehouses} warehouses and ${summary.users} users in ${(summary.ms / 1000).toFixed(1)} s; tokens in ${file}\n`,
        );
      return ExitCode.ok;
    } finally {
      clients.close();
    }
  },
});
