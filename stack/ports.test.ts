import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from './ports.js';

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('freePorts', () => {
  it('returns n distinct ports', async () => {
    const ports = await freePorts(8);
    expect(ports).toHaveLength(8);
    expect(new Set(ports).size).toBe(8);
  });

  it('returns an empty list for 0 and rejects bad counts', async () => {
    expect(await freePorts(0)).toEqual([]);
    await expect(freePorts(-1)).rejects.toThrow(/non-negative/);
  });
});
