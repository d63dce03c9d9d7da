import { describe, expect, it } from 'vitest';
import { parseSlaveStatus } from './replication-status.js';

describe('parseSlaveStatus', () => {
  it('reports a healthy replica', () => {
    expect(
      parseSlaveStatus(
        {
          Slave_IO_Running: 'Yes',
          Slave_SQL_Running: 'Yes',
          Seconds_Behind_Master: 0,
          Last_IO_Error: '',
          Last_SQL_Error: '',
          Gtid_Slave_Pos: '0-1-42',
        },
        '',
      ),
    ).toEqual({
      ioRunning: true,
      sqlRunning: true,
      running: true,
      secondsBehind: 0,
      lastError: null,
      gtidSlavePos: '0-1-42',
    });
  });

  it('reports a stopped SQL thread with its error and NULL lag', () => {
    const s = parseSlaveStatus(
      {
        Slave_IO_Running: 'Connecting',
        Slave_SQL_Running: 'No',
        Seconds_Behind_Master: null,
        Last_IO_Error: 'error connecting to master',
        Last_SQL_Error: 'Duplicate entry',
      },
      '0-1-7',
    );
    expect(s).toMatchObject({
      ioRunning: false,
      sqlRunning: false,
      running: false,
      secondsBehind: null,
      gtidSlavePos: '0-1-7',
    });
    expect(s.lastError).toBe('IO: error connecting to master; SQL: Duplicate entry');
  });

  it('reports an unconfigured replica as not running', () => {
    expect(parseSlaveStatus(undefined, '')).toEqual({
      ioRunning: false,
      sqlRunning: false,
      running: false,
      secondsBehind: null,
      lastError: null,
      gtidSlavePos: '',
    });
  });
});
