import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  checkRequirements,
  installDebianPackages,
  packagesToInstall,
  type RequirementResult,
} from './requirements.js';

const result = (over: Partial<RequirementResult>): RequirementResult => ({
  name: 'x',
  runtime: 'processes',
  ok: true,
  detail: '',
  debianPackages: [],
  hint: '',
  ...over,
});

describe('checkRequirements', () => {
  it('lists what each runtime needs with its Debian packages', async () => {
    const processes = await checkRequirements('processes');
    expect(Object.fromEntries(processes.map((r) => [r.name, r.debianPackages]))).toEqual({
      mariadb: ['mariadb-server'],
      'redis-server': ['redis-server'],
      java: ['default-jre-headless'],
      zookeeper: ['zookeeper'],
      prometheus: ['prometheus'],
      chromium: ['chromium'],
    });
    const containers = await checkRequirements('containers');
    expect(containers.filter((r) => r.runtime !== 'optional').map((r) => r.name)).toEqual([
      'docker',
      'debootstrap',
      'images',
    ]);
    for (const r of [...processes, ...containers]) expect(r.hint === '').toBe(r.ok);
  });

  it('is fast', async () => {
    const t0 = Date.now();
    await checkRequirements('all');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe('packagesToInstall', () => {
  it('collects the packages of failed required results, deduplicated', () => {
    const results = [
      result({ ok: false, debianPackages: ['mariadb-server'] }),
      result({ ok: false, debianPackages: ['mariadb-server'] }),
      result({ ok: true, debianPackages: ['redis-server'] }),
      result({ ok: false, runtime: 'optional', debianPackages: ['chromium'] }),
    ];
    expect(packagesToInstall(results)).toEqual(['mariadb-server']);
    expect(packagesToInstall(results, true)).toEqual(['mariadb-server', 'chromium']);
  });
});

describe('installDebianPackages', () => {
  it('does nothing for an empty list and rejects names that are not package names', async () => {
    const logger = pino({ level: 'silent' });
    await installDebianPackages([], logger);
    await expect(installDebianPackages(['-o', 'x'], logger)).rejects.toThrow(/not Debian package names: -o/);
  });
});
