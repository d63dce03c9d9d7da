import { describe, expect, it } from 'vitest';
import { resolveImages } from './image-names.js';

const engineWith =
  (...present: string[]) =>
  async (image: string) =>
    present.includes(image);

describe('resolveImages', () => {
  it('takes a flag over the environment, the environment over the defaults', async () => {
    const r = await resolveImages({ mariadb: 'mariadb:11.4' }, ['mariadb', 'redis'], {
      env: { ECOM_IMAGE_MARIADB: 'x/mariadb:1', ECOM_IMAGE_REDIS: 'x/redis:1' },
      exists: engineWith('x/redis:1'),
    });
    expect(r).toEqual({
      mariadb: { image: 'mariadb:11.4', source: 'flag', present: false },
      redis: { image: 'x/redis:1', source: 'env', present: true },
    });
  });

  it('prefers the official image, then its local build, else names the official one to pull', async () => {
    const r = await resolveImages({}, ['mariadb', 'redis', 'zookeeper'], {
      env: {},
      exists: engineWith('mariadb:10.11', 'mariadb:10.11', 'ecom/mariadb:10.11', 'ecom/redis:7'),
    });
    expect(r).toEqual({
      mariadb: { image: 'mariadb:10.11', source: 'official', present: true },
      redis: { image: 'ecom/redis:7', source: 'local', present: true },
      zookeeper: { image: 'zookeeper:3.8', source: 'official', present: false },
    });
  });
});
