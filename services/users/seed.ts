import { status as Status, type ServiceError } from '@grpc/grpc-js';
import type { PromiseClient } from '../../platform/grpc/client.js';
import type { UsersServiceService } from '../../proto/gen/ecom/users/v1/users.js';

/** One seeded user, with tokens the load runner can send. */
export interface SeededUser {
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** Options of {@link seedUsers}. */
export interface SeedUsersOptions {
  /** How many users: user-000001@ecom.test … */
  count: number;
  /** Everyone's password (default "seed-password"). */
  password?: string;
  /** Calls in flight at once (default 8). */
  concurrency?: number;
}

/** The email of the n-th seeded user (1-based): user-000001@ecom.test. */
export const seedEmail = (n: number) => `user-${String(n).padStart(6, '0')}@ecom.test`;

const isCode = (err: unknown, code: Status) => (err as Partial<ServiceError>)?.code === code;

/**
 * Creates `count` users through the service (Register signs them in). Idempotent: a user that
 * already exists is logged in rather than registered again (so its password must be the same).
 * Results are in email order.
 */
export async function seedUsers(
  client: PromiseClient<typeof UsersServiceService>,
  opts: SeedUsersOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<SeededUser[]> {
  const { count } = opts;
  const password = opts.password ?? 'seed-password';
  const concurrency = opts.concurrency ?? 8;
  if (!Number.isInteger(count) || count < 0 || count > 999_999)
    throw new Error('count: must be an integer in 0..999999');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('concurrency: must be a positive integer');
  const out: SeededUser[] = new Array<SeededUser>(count);
  let next = 0;
  let done = 0;

  const one = async (i: number) => {
    const email = seedEmail(i + 1);
    let tokens;
    try {
      ({ tokens } = await client.register({ email, password, displayName: `User ${i + 1}` }));
    } catch (err) {
      if (!isCode(err, Status.ALREADY_EXISTS)) throw err;
      ({ tokens } = await client.login({ email, password }));
    }
    if (!tokens) throw new Error(`login of ${email} returned no tokens`);
    out[i] = {
      userId: tokens.userId,
      email,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    };
    onProgress?.(++done, count);
  };
  const worker = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}
