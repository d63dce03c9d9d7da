import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from '../logger.js';

/** What a handler knows about the call it serves. */
export interface CallContext {
  /** Full method path, e.g. "/ecom.inventory.v1.InventoryService/Reserve". */
  readonly method: string;
  readonly metadata: Metadata;
  /** Absolute deadline (epoch ms); the server's default applies when the client sent none. */
  readonly deadline: number;
  /** Aborted when the client cancels or the deadline passes. */
  readonly signal: AbortSignal;
  /** The call's logger (component, method and, once authenticated, user). */
  logger: Logger;
  readonly peer: string;
  /** Set by the auth interceptor. */
  user?: { id: string };
  /**
   * Trailing metadata sent with a successful response (e.g. the GTID of a write, for
   * read-your-writes). Always set by the server; optional so hand-made contexts need not build one.
   */
  readonly trailer?: Metadata;
  /** Milliseconds left until the deadline (never negative). */
  remainingMs(): number;
}

/** Something that wraps every call: auth, logging, metrics. Calls `next()` to continue. */
export type Interceptor = (ctx: CallContext, next: () => Promise<unknown>) => Promise<unknown>;
