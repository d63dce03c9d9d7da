import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../platform/grpc/health-client.js';
import { stackStatus } from '../stack/status.js';
import { pollUntil, startTestStack } from '../test/harness.js';
import { containersAvailability } from './availability.js';
import { stackFilter } from './labels.js';

const run = promisify(execFile);
const docker = async (...args: string[]) => (await run('docker', args)).stdout.trim();

// Needs the services image too (`ecom images build --only services`); CI builds it and sets
// ECOM_REQUIRE_CONTAINERS=1, so there a missing image fails instead of skipping.
const availability = await containersAvailability({}, true).catch((err: unknown) => ({
  ok: false,
  reason: (err as Error).message,
}));
if (!availability.ok) {
  const message = `--services-in-containers tests: ${availability.reason}`;
  if (process.env.ECOM_REQUIRE_CONTAINERS === '1') throw new Error(message);
  console.warn(`SKIPPED ${message}`);
}

describe.skipIf(!availability.ok)('containers runtime with --services-in-containers', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const services = () => stack.state.components.filter((c) => c.kind === 'service');

  beforeAll(async () => {
    stack = await startTestStack({
      runtime: 'containers',
      servicesInContainers: true,
      replicas: { users: 1, inventory: 1, payments: 0, gateway: 0, orders: 0, analytics: 0 },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs every service instance as a container of the services image on the host network', async () => {
    expect(
      services()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['inventory-1', 'users-1']);
    for (const s of services()) {
      expect(s.pid).toBeUndefined();
      const [mode, labels] = (
        await docker(
          'inspect',
          '--format',
          '{{.HostConfig.NetworkMode}} {{json .Config.Labels}}',
          s.containerId!,
        )
      ).split(' ');
      expect(mode).toBe('host');
      expect(JSON.parse(labels!)).toMatchObject({ 'ecom.component': s.name, 'ecom.stack': stack.dir });
      expect(await checkHealth(s.endpoint)).toBe('SERVING');
    }
    const status = await stackStatus(stack.state);
    expect(status.components.filter((c) => !c.healthy)).toEqual([]);
  });

  it('pauses an instance (docker pause), and replaces a killed one with a fresh container', async () => {
    const users = services().find((s) => s.name === 'users-1')!;
    await stack.control.signal('users-1', 'SIGSTOP');
    expect(await docker('inspect', '--format', '{{.State.Paused}}', users.containerId!)).toBe('true');
    expect(await checkHealth(users.endpoint, '', 500)).toMatch(/^UNREACHABLE: Deadline exceeded/);
    await stack.control.signal('users-1', 'SIGCONT');
    expect(
      await pollUntil(
        () => checkHealth(users.endpoint),
        (h) => h === 'SERVING',
        15_000,
      ),
    ).toBe('SERVING');

    await stack.control.signal('users-1', 'SIGKILL');
    await stack.control.start('users-1');
    const after = (await stack.control.state()).components.find((c) => c.name === 'users-1')!;
    expect(after.containerId).not.toBe(users.containerId);
    expect(after.endpoint).toBe(users.endpoint);
    expect(await checkHealth(after.endpoint)).toBe('SERVING');
  });

  it('leaves no container behind after stop()', async () => {
    await stack.stop();
    expect(await docker('ps', '-aq', '--filter', `label=${stackFilter(stack.dir)}`)).toBe('');
  });
});
