import { Metadata, status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  Aborted,
  AlreadyExists,
  FailedPrecondition,
  InvalidArgument,
  NotFound,
  PermissionDenied,
  ResourceExhausted,
  Unauthenticated,
  Unavailable,
} from '../errors.js';
import { toWireError } from './status.js';

describe('error-to-status mapping', () => {
  it.each([
    [new InvalidArgument('lines[0].quantity', 'must be at least 1'), Status.INVALID_ARGUMENT],
    [new NotFound('order o-1 not found'), Status.NOT_FOUND],
    [new AlreadyExists('email taken'), Status.ALREADY_EXISTS],
    [new FailedPrecondition('reservation committed'), Status.FAILED_PRECONDITION],
    [new Aborted('fencing token stale'), Status.ABORTED],
    [new Unavailable('zookeeper down'), Status.UNAVAILABLE],
    [new ResourceExhausted('slow down', 1500), Status.RESOURCE_EXHAUSTED],
    [new Unauthenticated('token expired'), Status.UNAUTHENTICATED],
    [new PermissionDenied('not your order'), Status.PERMISSION_DENIED],
  ])('keeps the code and message of %s', (err, code) => {
    const wire = toWireError(err);
    expect(wire.code).toBe(code);
    expect(wire.details).toBe(err.message);
    expect(wire.unexpected).toBe(false);
  });

  it('names the field of an invalid argument in the message and a trailer', () => {
    const wire = toWireError(new InvalidArgument('email', 'not an email address'));
    expect(wire.details).toBe('email: not an email address');
    expect(wire.metadata.get('field')).toEqual(['email']);
  });

  it('sends retry-after-ms with RESOURCE_EXHAUSTED', () => {
    expect(toWireError(new ResourceExhausted('rate limited', 1234.2)).metadata.get('retry-after-ms')).toEqual(
      ['1235'],
    );
  });

  it('hides unexpected errors behind INTERNAL without leaking their text', () => {
    const wire = toWireError(new Error("ER_PARSE_ERROR near 'password=hunter2'"));
    expect(wire.code).toBe(Status.INTERNAL);
    expect(wire.details).not.toMatch(/hunter2/);
    expect(wire.unexpected).toBe(true);
    expect(toWireError('a string').code).toBe(Status.INTERNAL);
  });

  it('passes a downstream deadline or unavailability through', () => {
    const downstream = Object.assign(new Error('x'), {
      code: Status.DEADLINE_EXCEEDED,
      details: 'slow',
      metadata: new Metadata(),
    });
    expect(toWireError(downstream).code).toBe(Status.DEADLINE_EXCEEDED);
    const internal = Object.assign(new Error('x'), {
      code: Status.INTERNAL,
      details: 'boom',
      metadata: new Metadata(),
    });
    expect(toWireError(internal).code).toBe(Status.INTERNAL);
  });

  it('turns MySQL deadlocks into ABORTED (retryable)', () => {
    expect(toWireError(Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' })).code).toBe(
      Status.ABORTED,
    );
  });
});
