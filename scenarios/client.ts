import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { OUTCOME_TRAILER } from '../platform/errors.js';
import { isServiceError } from '../platform/grpc/status.js';
import type { CompletionType } from './history.js';

/**
 * The thin client layer's error rule (Jepsen's): a call either happened (`ok`), definitely did
 * not happen (`fail`: the server refused it before acting), or nobody knows (`info`: deadline
 * exceeded, connection lost, server crashed mid-call — it may have been applied). `info` is never
 * counted as a success or a failure.
 */
const DEFINITE_FAILURES = new Set<Status>([
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.ALREADY_EXISTS,
  Status.PERMISSION_DENIED,
  Status.UNAUTHENTICATED,
  Status.FAILED_PRECONDITION,
  Status.RESOURCE_EXHAUSTED,
  Status.OUT_OF_RANGE,
  Status.UNIMPLEMENTED,
]);

/** A completed operation: its type and what the history records of the outcome. */
export interface Completion {
  type: CompletionType;
  value: Record<string, unknown>;
}

/** Classifies a thrown error into fail or info, keeping its code and message. */
export function classifyError(err: unknown): Completion {
  if (isServiceError(err)) {
    const e = err as ServiceError;
    // The server may say it did nothing (e.g. refused at an open circuit breaker): a definite failure.
    const nothingDone = e.metadata?.get(OUTCOME_TRAILER)[0] === 'none';
    return {
      type: DEFINITE_FAILURES.has(e.code) || nothingDone ? 'fail' : 'info',
      value: { code: Status[e.code], message: e.details || e.message },
    };
  }
  return { type: 'info', value: { code: 'CLIENT_ERROR', message: (err as Error)?.message ?? String(err) } };
}

/** Metadata carrying a bearer token. */
export function bearer(token: string | undefined): Metadata {
  const md = new Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
}

/** "ORDER_STATUS_CONFIRMED" → "CONFIRMED" for readable histories. */
export function shortEnum(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
