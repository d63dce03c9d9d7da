import { describe, expect, it } from 'vitest';
import { BaseConfig, ConfigError, parseConfig, readRawConfig } from './config.js';

const valid = {
  service: 'inventory',
  instance: 1,
  grpcPort: 5000,
  metricsPort: 5001,
  mysql: {
    primary: { host: '127.0.0.1', port: 3306 },
    replica: { host: '127.0.0.1', port: 3307 },
    user: 'ecom',
    password: 'x',
    database: 'inventory',
  },
  zookeeper: { connect: '127.0.0.1:2181' },
  peers: { users: ['127.0.0.1:6000'] },
};

function issuesOf(raw: unknown): { field: string; message: string }[] {
  try {
    parseConfig(BaseConfig, raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('config validation', () => {
  it('fills documented defaults', () => {
    const c = parseConfig(BaseConfig, valid);
    expect(c.host).toBe('127.0.0.1');
    expect(c.logLevel).toBe('info');
    expect(c.deadlines).toEqual({ defaultMs: 5_000, maxMs: 30_000 });
    expect(c.mysql?.poolSize).toBe(10);
    expect(c.zookeeper?.sessionTimeoutMs).toBe(6_000);
    expect(c.lifeline).toBe(false);
  });

  it('names the offending field of a nested value', () => {
    const issues = issuesOf({
      ...valid,
      mysql: { ...valid.mysql, primary: { host: '127.0.0.1', port: 'x' } },
    });
    expect(issues.map((i) => i.field)).toEqual(['mysql.primary.port']);
  });

  it('rejects unknown services, bad ports and malformed peer addresses, each by name', () => {
    const issues = issuesOf({
      ...valid,
      service: 'shipping',
      grpcPort: 70000,
      peers: { users: ['nohostport'] },
    });
    expect(issues.map((i) => i.field).sort()).toEqual(['grpcPort', 'peers.users.0', 'service']);
  });

  it('rejects a malformed ZooKeeper connect string and a database name with odd characters', () => {
    const issues = issuesOf({
      ...valid,
      zookeeper: { connect: 'localhost' },
      mysql: { ...valid.mysql, database: 'Drop Table' },
    });
    expect(issues.map((i) => i.field).sort()).toEqual(['mysql.database', 'zookeeper.connect']);
  });

  it('says which field is missing', () => {
    const { service: _s, ...rest } = valid;
    expect(issuesOf(rest).map((i) => i.field)).toEqual(['service']);
  });

  it('puts every field and the source in the message', () => {
    try {
      parseConfig(BaseConfig, { ...valid, instance: 0, metricsPort: -1 }, 'x.json');
      throw new Error('unreachable');
    } catch (err) {
      expect((err as Error).message).toMatch(/x\.json/);
      expect((err as Error).message).toMatch(/instance:/);
      expect((err as Error).message).toMatch(/metricsPort:/);
    }
  });

  it('reads --config FILE or ECOM_CONFIG, and explains when neither is given', () => {
    expect(readRawConfig(['node', 'x'], { ECOM_CONFIG: '{"a":1}' })).toEqual({
      raw: { a: 1 },
      source: 'ECOM_CONFIG',
    });
    expect(() => readRawConfig(['node', 'x'], {})).toThrow(/--config FILE or set ECOM_CONFIG/);
    expect(() => readRawConfig(['node', 'x'], { ECOM_CONFIG: '{' })).toThrow(/not JSON/);
    expect(() => readRawConfig(['node', 'x', '--config', '/nonexistent/c.json'], {})).toThrow(/cannot read/);
  });
});
