import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from './spec.js';

describe('fault specs', () => {
  it('parses kind, timing and the fault’s own parameters', () => {
    expect(parseFaultSpec('zk-partition:target=inventory-1,at=5s,for=10s')).toEqual({
      text: 'zk-partition:target=inventory-1,at=5s,for=10s',
      kind: 'zk-partition',
      atMs: 5_000,
      forMs: 10_000,
      params: { target: 'inventory-1' },
    });
    expect(parseFaultSpec('link-latency:target=orders,to=inventory,latency=200ms')).toMatchObject({
      atMs: 0,
      forMs: 10_000,
      params: { target: 'orders', to: 'inventory', latency: '200ms' },
    });
    expect(parseFaultSpec('zk-pause')).toMatchObject({ kind: 'zk-pause', params: {} });
  });

  it('says what is wrong', () => {
    expect(() => parseFaultSpec('ZK partition')).toThrow(/not of the form/);
    expect(() => parseFaultSpec('kill:target')).toThrow(/"target" is not key=value/);
    expect(() => parseFaultSpec('kill:at=soon')).toThrow(/at=soon is not a duration/);
    expect(() => parseFaultSpec('kill:target=a,target=b')).toThrow(/target given twice/);
  });
});
