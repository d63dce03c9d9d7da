import { describe, expect, it } from 'vitest';
import { mariaDbConfig } from '../stack/processes/mariadb.js';
import { mariaDbServerArgs, mariaDbSpec } from './mariadb.js';

describe('mariaDbServerArgs', () => {
  it("carries every server setting of the processes runtime's my.cnf, but none specific to a host", () => {
    for (const role of ['primary', 'replica'] as const) {
      const args = mariaDbServerArgs(role, 7);
      const cnf = mariaDbConfig({
        role,
        serverId: 7,
        datadir: '/d',
        socket: '/s',
        pidFile: '/p',
        tmpdir: '/t',
        port: 3306,
      });
      const settings = cnf.split('\n').filter((l) => l && !l.startsWith('['));
      const hostSpecific = settings.filter((l) =>
        /^(user|datadir|socket|pid-file|tmpdir|port|bind-address)=/.test(l),
      );
      expect(hostSpecific.length).toBe(7);
      for (const line of settings.filter((l) => !hostSpecific.includes(l)))
        expect(args).toContain(`--${line}`);
      expect(args.filter((a) => /^--(user|datadir|socket|pid-file|tmpdir|port)=/.test(a))).toEqual([]);
      expect(args).toContain('--bind-address=0.0.0.0');
    }
  });

  it('makes GTID replication strict and the replica read-only with parallel apply', () => {
    const primary = mariaDbServerArgs('primary', 1);
    const replica = mariaDbServerArgs('replica', 2);
    for (const a of ['--log-bin=mysql-bin', '--binlog-format=ROW', '--gtid-strict-mode=ON']) {
      expect(primary).toContain(a);
      expect(replica).toContain(a);
    }
    expect(primary).toContain('--server-id=1');
    expect(replica).toContain('--server-id=2');
    expect(replica).toEqual(expect.arrayContaining(['--read_only=ON', '--slave_parallel_mode=optimistic']));
    expect(primary).not.toContain('--read_only=ON');
  });
});

describe('mariaDbSpec', () => {
  it('creates the stack users without binary logging and keeps root inside the container', () => {
    const spec = mariaDbSpec({ role: 'replica', serverId: 2, image: 'ecom/mariadb:10.11', hostPort: 21000 });
    expect(spec).toMatchObject({ name: 'mysql-replica', kind: 'mysql', port: 3306, hostPort: 21000 });
    expect(spec.env).toMatchObject({ MARIADB_ROOT_HOST: 'localhost' });
    const init = spec.files![0]!;
    expect(init.target).toMatch(/^\/docker-entrypoint-initdb\.d\/.+\.sql$/);
    expect(init.content.split('\n')[0]).toBe('SET SESSION sql_log_bin = 0;');
    // The application user must not bypass the replica's read_only.
    expect(init.content).toMatch(/REVOKE SUPER, READ_ONLY ADMIN ON \*\.\* FROM 'ecom'/);
    expect(init.content).toMatch(/GRANT REPLICATION SLAVE ON \*\.\* TO 'repl'/);
  });
});
