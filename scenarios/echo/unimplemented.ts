import { status as Status } from '@grpc/grpc-js';
import { DomainError } from '../../platform/errors.js';

/** The echo server does not implement this method. */
export class UnimplementedError extends DomainError {
  constructor() {
    super(Status.UNIMPLEMENTED, 'not implemented by the echo server');
  }
}
