import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import type { AuthConfig } from '../../platform/config.js';
import { createClient, type PromiseClient } from '../../platform/grpc/client.js';
import type { StackState } from '../../stack/types.js';
import { UsersServiceService } from '../../proto/gen/ecom/users/v1/users.js';

/** Helpers shared by the users integration tests and the benchmark (not used by the service). */
export type UsersClient = PromiseClient<typeof UsersServiceService>;

/** One client per users instance (index 0 = users-1), plus one over all of them. */
export function usersClients(
  state: StackState,
  deadlineMs = 10_000,
): { each: UsersClient[]; all: UsersClient } {
  const addresses = state.components.filter((c) => c.service === 'users').map((c) => c.endpoint);
  const make = (a: string[]) =>
    createClient(UsersServiceService, { name: 'users', addresses: a, defaultDeadlineMs: deadlineMs });
  return { each: addresses.map((a) => make([a])), all: make(addresses) };
}

/** Call options carrying `authorization: Bearer <token>`. */
export function bearer(token: string): { metadata: Metadata } {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return { metadata };
}

/** The gRPC status a call ended with (OK when it resolved). */
export function codeOf(p: Promise<unknown>): Promise<Status> {
  return p.then(
    () => Status.OK,
    (e: ServiceError) => (typeof e?.code === 'number' ? e.code : Status.UNKNOWN),
  );
}

/** The error a call failed with (throws if it succeeded). */
export async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** The token keys a users instance of the stack was given (with the private key). */
export function stackAuth(dir: string, instance = 'users-1'): AuthConfig {
  return (JSON.parse(readFileSync(join(dir, 'config', `${instance}.json`), 'utf8')) as { auth: AuthConfig })
    .auth;
}
