import { status as Status } from '@grpc/grpc-js';
import {
  InventoryServiceService,
  type ReserveManyResult,
  type ReserveResponse,
} from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { createClient, type ClientOptions, type PromiseClient } from '../../platform/grpc/client.js';
import { Coalescer, localError, type Settled } from '../../platform/grpc/coalescer.js';

export type InventoryClient = PromiseClient<typeof InventoryServiceService>;

/** Options of {@link createInventoryClient}. */
export interface InventoryClientOptions extends ClientOptions {
  /**
   * Most Reserve calls sent together as one ReserveMany (concurrent calls made in the same
   * event-loop turn); 1 sends every Reserve on its own.
   */
  coalesceReserves: number;
  /** Receives the size of every ReserveMany sent. */
  onBatch?: (size: number) => void;
}

/**
 * A client over every inventory instance whose `reserve` coalesces concurrent calls into
 * ReserveMany calls (see {@link Coalescer}); every other method is the plain RPC.
 */
export function createInventoryClient(opts: InventoryClientOptions): InventoryClient {
  const client = createClient(InventoryServiceService, opts);
  if (opts.coalesceReserves <= 1) return client;
  const coalescer = new Coalescer({
    one: client.reserve,
    many: async (requests, o) => (await client.reserveMany({ requests }, o)).results.map(settled),
    maxBatch: opts.coalesceReserves,
    defaultDeadlineMs: opts.defaultDeadlineMs,
    onBatch: opts.onBatch,
  });
  return { ...client, reserve: coalescer.call };
}

function settled(r: ReserveManyResult): Settled<ReserveResponse> {
  if (r.result?.$case === 'response') return { ok: true, value: r.result.value };
  if (r.result?.$case === 'error') {
    const e = r.result.value;
    return { ok: false, error: localError(e.code as Status, e.message, e.trailers) };
  }
  return { ok: false, error: localError(Status.INTERNAL, 'ReserveMany answered a request with nothing') };
}
