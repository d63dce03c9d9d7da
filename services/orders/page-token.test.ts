import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../platform/errors.js';
import { decodePageToken, encodePageToken } from './page-token.js';

const cursor = { createdKey: '2025-01-02 03:04:05.123456', orderId: '0b7c2a1e-8f3d-4c55-9a0e-2f1d3c4b5a69' };

describe('ListOrders page tokens', () => {
  it('round-trips a cursor for the same query', () => {
    expect(decodePageToken(encodePageToken(cursor, 'u1|0'), 'u1|0')).toEqual(cursor);
  });

  it('refuses a token of another query', () => {
    expect(() => decodePageToken(encodePageToken(cursor, 'u1|0'), 'u2|0')).toThrow(/another query/);
  });

  it('answers INVALID_ARGUMENT on page.page_token for any garbage', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (token) => {
        try {
          decodePageToken(token, 'u1|0');
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidArgument);
          expect((err as InvalidArgument).field).toBe('page.page_token');
          return;
        }
        throw new Error(`accepted ${JSON.stringify(token)}`);
      }),
    );
  });
});
