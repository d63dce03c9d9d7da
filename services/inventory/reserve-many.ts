import type {
  ItemError,
  ReserveManyResponse,
  ReserveRequest,
  ReserveResponse,
} from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { InvalidArgument } from '../../platform/errors.js';
import { toWireError } from '../../platform/grpc/status.js';
import type { Logger } from '../../platform/logger.js';

/** Most requests one ReserveMany call may carry. */
export const MAX_RESERVE_MANY = 1_000;

/**
 * ReserveMany: every request runs at once through `reserve` (the plain Reserve path, so they meet
 * in the batcher and usually share one transaction), and each is answered exactly as its own
 * Reserve call would be: a response, or the status code, message and trailers of its failure.
 * One request failing never fails the others.
 */
export async function reserveMany(
  requests: ReserveRequest[],
  reserve: (req: ReserveRequest) => Promise<ReserveResponse>,
  logger: Logger,
): Promise<ReserveManyResponse> {
  if (requests.length === 0) throw new InvalidArgument('requests', 'must not be empty');
  if (requests.length > MAX_RESERVE_MANY)
    throw new InvalidArgument('requests', `at most ${MAX_RESERVE_MANY} per call (got ${requests.length})`);
  // `async` turns a synchronous validation throw into this request's rejection, not the call's.
  const settled = await Promise.allSettled(requests.map(async (req) => reserve(req)));
  return {
    results: settled.map((s) =>
      s.status === 'fulfilled'
        ? { result: { $case: 'response', value: s.value } }
        : { result: { $case: 'error', value: itemError(s.reason, logger) } },
    ),
  };
}

/** The wire form of one request's failure (unexpected causes are logged here, never sent). */
function itemError(err: unknown, logger: Logger): ItemError {
  const wire = toWireError(err);
  if (wire.unexpected) logger.error({ err }, 'unexpected failure of one ReserveMany request');
  const trailers: Record<string, string> = {};
  for (const [k, v] of Object.entries(wire.metadata.getMap())) trailers[k] = String(v);
  return { code: wire.code, message: wire.details, trailers };
}
