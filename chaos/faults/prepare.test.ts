import { describe, expect, it } from 'vitest';
import type { StackState } from '../../stack/types.js';
import { FaultSpecError } from '../fault.js';
import { planFaults } from '../schedule.js';

const service = (name: string, service: string) => ({
  name,
  kind: 'service' as const,
  endpoint: '127.0.0.1:1',
  service: service as never,
  metrics: 'http://127.0.0.1:2/metrics',
});
const state = {
  faultProxy: '127.0.0.1:9',
  components: [
    service('inventory-1', 'inventory'),
    service('inventory-2', 'inventory'),
    service('orders-1', 'orders'),
    service('gateway-1', 'gateway'),
    { name: 'zookeeper', kind: 'zookeeper', endpoint: '127.0.0.1:3' },
    { name: 'mysql-primary', kind: 'mysql', endpoint: '127.0.0.1:4' },
  ],
} as unknown as StackState;

describe('fault specs are validated against the registry and the stack before anything runs', () => {
  it('resolves targets: an instance, a service, or all', () => {
    const [a, b, c] = planFaults(
      ['kill:target=orders-1', 'pause:target=inventory', 'zk-partition:target=all'],
      state,
    );
    expect(a!.fault.target(a!.params)).toBe('orders-1');
    expect(b!.fault.target(b!.params)).toBe('inventory-1, inventory-2');
    expect(c!.fault.target(c!.params)).toBe('inventory-1, inventory-2, orders-1, gateway-1');
  });

  it.each([
    ['teleport:target=orders-1', /unknown fault kind "teleport"/],
    ['kill', /target= is required/],
    ['kill:target=shipping-1', /matches no service instance/],
    ['kill:target=orders-1,signal=9', /unknown parameter signal/],
    ['mysql-replica-lag:mode=slow', /mode must be stop or delay/],
    ['gateway-errors:rate=2', /rate must be a number in 0\.\.1/],
    ['gateway-slow:latency=fast', /not a duration/],
    ['link-latency:target=orders-1,to=nowhere', /no link from orders-1 to nowhere/],
    ['zk-pause:at=soon', /at=soon is not a duration/],
  ])('%s → %s', (spec, message) => {
    expect(() => planFaults([spec], state)).toThrow(FaultSpecError);
    expect(() => planFaults([spec], state)).toThrow(message);
  });

  it('refuses link faults on a stack without the fault proxy', () => {
    expect(() => planFaults(['zk-partition:target=orders-1'], { ...state, faultProxy: undefined })).toThrow(
      /direct links/,
    );
  });
});
