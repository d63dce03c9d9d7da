import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../platform/config.js';
import { UsersConfig } from './config.js';

const base = {
  service: 'users',
  instance: 1,
  grpcPort: 0,
  metricsPort: 0,
  mysql: {
    primary: { host: 'h', port: 1 },
    replica: { host: 'h', port: 2 },
    user: 'u',
    password: '',
    database: 'users',
  },
  redis: { host: 'h', port: 3 },
  auth: { activeKid: 'k', keys: [{ kid: 'k', publicKeyPem: '-----BEGIN PUBLIC KEY-----x' }] },
};

describe('UsersConfig', () => {
  it('fills every default of the users section', () => {
    const c = parseConfig(UsersConfig, base);
    expect(c.users.scrypt).toEqual({ log2N: 14, r: 8, p: 1, keyLength: 32 });
    expect(c.users.accessTokenTtlSeconds).toBe(900);
    expect(c.users.profileCache.enabled).toBe(true);
    expect(c.users.loginLimits.perEmail).toEqual({
      points: 5,
      durationSeconds: 60,
      blockSeconds: 300,
      failMode: 'closed',
    });
    expect(c.users.loginLimits.perAddress.failMode).toBe('closed');
  });

  it('keeps defaults beside partial overrides', () => {
    const c = parseConfig(UsersConfig, {
      ...base,
      users: {
        scrypt: { log2N: 10 },
        loginLimits: { perEmail: { points: 3, durationSeconds: 10, failMode: 'closed' } },
      },
    });
    expect(c.users.scrypt).toEqual({ log2N: 10, r: 8, p: 1, keyLength: 32 });
    expect(c.users.loginLimits.perEmail.blockSeconds).toBe(0);
    expect(c.users.loginLimits.perAddress.points).toBe(100);
  });

  it('names the field of a bad value', () => {
    expect(() => parseConfig(UsersConfig, { ...base, users: { scrypt: { log2N: 20, r: 32 } } })).toThrow(
      /users\.scrypt/,
    );
    expect(() => parseConfig(UsersConfig, { ...base, redis: undefined })).toThrow(/redis/);
    expect(() => parseConfig(UsersConfig, { ...base, users: { accessTokenTtlSeconds: 0 } })).toThrow(
      /users\.accessTokenTtlSeconds/,
    );
  });
});
