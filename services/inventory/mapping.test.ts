import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../platform/errors.js';
import { decodePageToken, encodePageToken, toStockLevel } from './mapping.js';

describe('mapping', () => {
  it('round-trips page tokens and rejects foreign ones as INVALID_ARGUMENT', () => {
    const last = { sku: 'sku-1', warehouseId: 'wh:2' };
    expect(decodePageToken(encodePageToken(last))).toEqual(last);
    expect(decodePageToken('')).toBeUndefined();
    expect(() => decodePageToken('not-a-token')).toThrow(InvalidArgument);
    expect(() => decodePageToken(Buffer.from('[1,2]').toString('base64url'))).toThrow(InvalidArgument);
  });

  it('reports received including adjustments', () => {
    const level = toStockLevel({
      sku: 's',
      warehouseId: 'w',
      available: 5,
      reserved: 2,
      sold: 1,
      received: 10,
      adjusted: -2,
    });
    expect(level).toEqual({ sku: 's', warehouseId: 'w', available: 5, reserved: 2, sold: 1, received: 8 });
  });
});
