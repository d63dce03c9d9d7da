import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../platform/errors.js';
import { gtidOf, laterGtid, parseGtid } from './gtid.js';

describe('GTIDs for read-your-writes', () => {
  it('reads the GTID from the OK packet session-state changes', () => {
    expect(gtidOf({ stateChanges: { systemVariables: { last_gtid: '0-1-42' } } })).toBe('0-1-42');
    expect(gtidOf({ stateChanges: { systemVariables: {}, gtids: ['0-1-7'] } })).toBe('0-1-7');
    expect(gtidOf({ affectedRows: 1 })).toBeUndefined();
    expect(gtidOf({ stateChanges: { systemVariables: { last_gtid: '' } } })).toBeUndefined();
  });

  it('validates GTIDs sent by clients', () => {
    expect(parseGtid('0-1-42')).toBe('0-1-42');
    expect(parseGtid('0-1-42,1-2-3')).toBe('0-1-42,1-2-3');
    for (const bad of ['', '0-1', 'x-1-2', "0-1-2'; DROP", '0-1-2,']) {
      expect(() => parseGtid(bad)).toThrow(InvalidArgument);
    }
  });

  it('keeps the later of two GTIDs', () => {
    expect(laterGtid('0-1-9', '0-1-10')).toBe('0-1-10');
    expect(laterGtid('0-1-10', '0-1-9')).toBe('0-1-10');
    expect(laterGtid(undefined, '0-1-3')).toBe('0-1-3');
    expect(laterGtid('0-1-3', undefined)).toBe('0-1-3');
  });
});
