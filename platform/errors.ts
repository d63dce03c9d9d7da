import { status as Status } from '@grpc/grpc-js';

/**
 * Typed domain errors. Handlers throw these; {@link toGrpcError} maps them to gRPC status codes in
 * one place, so bad input is INVALID_ARGUMENT (never INTERNAL) everywhere.
 */
export class DomainError extends Error {
  constructor(
    readonly code: Status,
    message: string,
    /** Extra trailers for the client (e.g. retry-after-ms); values are strings. */
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidArgument extends DomainError {
  constructor(
    /** The request field that was wrong, e.g. "lines[0].quantity". */
    readonly field: string,
    problem: string,
  ) {
    super(Status.INVALID_ARGUMENT, `${field}: ${problem}`, { field });
  }
}

export class NotFound extends DomainError {
  constructor(message: string) {
    super(Status.NOT_FOUND, message);
  }
}

export class AlreadyExists extends DomainError {
  constructor(message: string) {
    super(Status.ALREADY_EXISTS, message);
  }
}

export class FailedPrecondition extends DomainError {
  constructor(message: string, details: Record<string, string> = {}) {
    super(Status.FAILED_PRECONDITION, message, details);
  }
}

export class Aborted extends DomainError {
  constructor(message: string) {
    super(Status.ABORTED, message);
  }
}

export class Unavailable extends DomainError {
  constructor(message: string) {
    super(Status.UNAVAILABLE, message);
  }
}

/** Trailer saying what a failed call did: `none` means nothing was done (a retry is a first try). */
export const OUTCOME_TRAILER = 'ecom-outcome';

/**
 * UNAVAILABLE for a call refused before it did anything (an open circuit breaker): clients may
 * count it as a definite failure instead of an unknown outcome.
 */
export class UnavailableNothingDone extends DomainError {
  constructor(message: string) {
    super(Status.UNAVAILABLE, message, { [OUTCOME_TRAILER]: 'none' });
  }
}

export class DeadlineExceeded extends DomainError {
  constructor(message: string) {
    super(Status.DEADLINE_EXCEEDED, message);
  }
}

export class Cancelled extends DomainError {
  constructor(message: string) {
    super(Status.CANCELLED, message);
  }
}

export class ResourceExhausted extends DomainError {
  constructor(message: string, retryAfterMs: number) {
    super(Status.RESOURCE_EXHAUSTED, message, {
      'retry-after-ms': String(Math.max(0, Math.ceil(retryAfterMs))),
    });
  }
}

export class Unauthenticated extends DomainError {
  constructor(message: string) {
    super(Status.UNAUTHENTICATED, message);
  }
}

export class PermissionDenied extends DomainError {
  constructor(message: string) {
    super(Status.PERMISSION_DENIED, message);
  }
}
