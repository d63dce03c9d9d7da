import { describe, expect, it } from 'vitest';
import { mariaDbConfig, type MariaDbConfigInput } from './mariadb.js';

const input: MariaDbConfigInput = {
  role: 'primary',
  datadir: '/x/data',
  socket: '/x/mysqld.sock',
  pidFile: '/x/mysqld.pid',
  tmpdir: '/x/tmp',
  port: 40001,
  serverId: 1,
};
const settings = (cnf: string): Map<string, string> =>
  new Map(
    cnf
      .split('\n')
      .filter((l) => l && !l.startsWith('['))
      .map((l) => {
        const [k = '', v = ''] = l.split('=');
        return [k, v];
      }),
  );

describe('mariaDbConfig', () => {
  it('writes a loopback-only, replication-ready primary config', () => {
    const cnf = mariaDbConfig(input);
    expect(cnf.startsWith('[mariadbd]\n')).toBe(true);
    const s = settings(cnf);
    expect(s.get('port')).toBe('40001');
    expect(s.get('bind-address')).toBe('127.0.0.1');
    expect(s.get('user')).toBe('root');
    expect(s.get('server-id')).toBe('1');
    expect(s.get('binlog-format')).toBe('ROW');
    expect(s.get('gtid-strict-mode')).toBe('ON');
    expect(s.get('innodb_flush_log_at_trx_commit')).toBe('1');
    expect(s.has('read_only')).toBe(false);
  });

  it('makes the replica read-only, parallel and relaxed about flushing', () => {
    const s = settings(mariaDbConfig({ ...input, role: 'replica', serverId: 2 }));
    expect(s.get('server-id')).toBe('2');
    expect(s.get('read_only')).toBe('ON');
    expect(s.get('slave_parallel_threads')).toBe('4');
    expect(s.get('slave_parallel_mode')).toBe('optimistic');
    expect(s.get('innodb_flush_log_at_trx_commit')).toBe('2');
    expect(s.get('sync_binlog')).toBe('0');
  });
});
