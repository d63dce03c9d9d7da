import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../platform/errors.js';
import { TOXIC_TYPES, toxicType } from './index.js';

describe('toxic registry', () => {
  it("holds Toxiproxy's toxics by type name, plus partition", () => {
    expect([...TOXIC_TYPES.keys()].sort()).toEqual(
      ['bandwidth', 'latency', 'limit_data', 'partition', 'reset_peer', 'slicer', 'timeout'].sort(),
    );
    for (const t of TOXIC_TYPES.values()) {
      expect(t.description.length).toBeGreaterThan(10);
      expect(t.scope === 'link' ? t.stage : typeof t.stage).toBe(t.scope === 'link' ? undefined : 'function');
    }
  });

  it('rejects an unknown type as "invalid toxic type" on field type', () => {
    expect(() => toxicType('jitterbug')).toThrow(InvalidArgument);
    expect(() => toxicType('jitterbug')).toThrow(/^type: invalid toxic type "jitterbug"/);
  });

  it('partition takes no attributes', () => {
    expect(toxicType('partition').parse({})).toEqual({});
    expect(() => toxicType('partition').parse({ timeout: 1 })).toThrow(/attributes\.timeout: unknown/);
  });
});
