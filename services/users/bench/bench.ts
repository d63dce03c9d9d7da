/**
 * Users benchmark: Login/s (scrypt-bound) against the in-process scrypt ceiling, and GetProfile/s
 * with the Redis cache on vs off. Two real stacks run side by side (one users instance each, cache
 * on / off) and the measurements alternate in short rounds, so background load on a shared machine
 * hits both sides alike. Run after `npm run build`:
 *   node dist/services/users/bench/bench.js [--rounds 5] [--round-seconds 1] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type StartedStack } from '../../../stack/start.js';
import { ScryptConfig } from '../config.js';
import { createPasswordHasher } from '../password.js';
import { seedUsers, type SeededUser } from '../seed.js';
import { bearer, usersClients, type UsersClient } from '../testing.js';

const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = option('--rounds', 5);
const roundMs = option('--round-seconds', 1) * 1000;
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Latencies of one kind of call, accumulated over rounds. */
class Series {
  readonly latencies: number[] = [];
  seconds = 0;
  errors = 0;
  constructor(readonly name: string) {}

  /** Runs `op` from `concurrency` loops for `ms`, timing each call. */
  async run(concurrency: number, ms: number, op: (i: number) => Promise<unknown>): Promise<void> {
    let i = 0;
    const end = Date.now() + ms;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const s = performance.now();
          try {
            await op(i++);
            this.latencies.push(performance.now() - s);
          } catch {
            this.errors++;
          }
        }
      }),
    );
    this.seconds += (performance.now() - t0) / 1000;
  }

  result() {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));
    return {
      name: this.name,
      opsPerSecond: Math.round(sorted.length / this.seconds),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      ops: sorted.length,
      errors: this.errors,
    };
  }
}

async function stackWithUsers(cacheEnabled: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-users-bench-'));
  const stack = await startStack({
    dir,
    logLevel: 'warn',
    replicas: { users: 1, inventory: 0, payments: 0, gateway: 0, orders: 0, analytics: 0 },
    serviceOverrides: { users: { users: { profileCache: { enabled: cacheEnabled } } } },
  });
  const { all } = usersClients(stack.state, 30_000);
  const users = await seedUsers(all, { count: 200, concurrency: 8 });
  for (const u of users) await all.getProfile({ userId: u.userId }, bearer(u.accessToken)); // warm
  return { dir, stack, client: all, users };
}

const getProfile = (client: UsersClient, users: SeededUser[]) => (i: number) => {
  const u = users[i % users.length]!;
  return client.getProfile({ userId: u.userId }, bearer(u.accessToken));
};

const scrypt = ScryptConfig.parse({});
const hasher = createPasswordHasher(scrypt);
const stacks: { dir: string; stack: StartedStack; client: UsersClient }[] = [];
try {
  const [on, off] = await Promise.all([stackWithUsers(true), stackWithUsers(false)]);
  stacks.push(on, off);
  const series = {
    ceiling: new Series(
      `scrypt hash in-process, N=2^${scrypt.log2N} r=${scrypt.r} p=${scrypt.p} (ceiling, 4 in flight)`,
    ),
    login: new Series('Login (8 in flight)'),
    cached: new Series('GetProfile cached (16 in flight)'),
    uncached: new Series('GetProfile uncached: MySQL primary (16 in flight)'),
  };
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}`);
    await series.ceiling.run(4, roundMs, () => hasher.hash('bench-password'));
    await series.login.run(8, roundMs, (i) =>
      on.client.login({ email: on.users[i % on.users.length]!.email, password: 'seed-password' }),
    );
    await series.cached.run(16, roundMs, getProfile(on.client, on.users));
    await series.uncached.run(16, roundMs, getProfile(off.client, off.users));
  }
  const results = Object.values(series).map((s) => s.result());
  for (const r of results)
    log(
      `${r.name}: ${r.opsPerSecond}/s p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms (${r.ops} ok, ${r.errors} errors)`,
    );
  if (process.argv.includes('--json'))
    process.stdout.write(`${JSON.stringify({ scrypt, rounds, roundMs, results }, null, 2)}\n`);
} finally {
  for (const s of stacks) {
    s.client.close();
    await s.stack.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
}
