import { describe, expect, it } from 'vitest';
import { requestHash } from './operations.js';

describe('requestHash', () => {
  it('ignores key order and changes with any value', () => {
    const a = requestHash({ amount_minor: 1, currency: 'EUR', metadata: { a: '1', b: '2' } });
    const b = requestHash({ metadata: { b: '2', a: '1' }, currency: 'EUR', amount_minor: 1 });
    expect(a).toBe(b);
    expect(requestHash({ amount_minor: 2, currency: 'EUR', metadata: { a: '1', b: '2' } })).not.toBe(a);
  });
});
