import type { InfraRuntime, ManagedComponent } from './infra.js';
import type { InstancePlan } from './plan.js';
import { processesRuntime } from './processes/runtime.js';
import { serviceInstance } from './service-instance.js';
import type { RuntimeName, StackOptions } from './types.js';

/** The infrastructure runtime by name; `options` carries the containers runtime's image choices. */
export function runtimeFor(name: RuntimeName, options?: Pick<StackOptions, 'images'>): InfraRuntime {
  switch (name) {
    case 'processes':
      return processesRuntime;
    case 'containers':
      return {
        name: 'containers',
        // Loaded on demand: Testcontainers (and dockerode) cost every processes stack start otherwise.
        async start(ctx) {
          const { containersRuntime } = await import('../testcontainers/runtime.js');
          return containersRuntime(options?.images).start(ctx);
        },
      };
  }
}

/**
 * How the supervisor runs service instances: host processes (the default), or, with
 * `servicesInContainers` (containers runtime only), containers of the services image.
 *
 * @throws if servicesInContainers is asked for without the containers runtime, or the image is missing
 */
export async function serviceFactory(
  options: Pick<StackOptions, 'runtime' | 'servicesInContainers' | 'images'>,
  dir: string,
): Promise<(plan: InstancePlan) => ManagedComponent> {
  if (!options.servicesInContainers) return (plan) => serviceInstance(plan, dir);
  if (options.runtime !== 'containers') {
    throw new Error('servicesInContainers: service containers need the containers runtime');
  }
  const { resolveImages } = await import('../testcontainers/image-names.js');
  const { serviceContainer } = await import('../testcontainers/service-container.js');
  const services = (await resolveImages(options.images, ['services'])).services!;
  if (!services.present) {
    throw new Error(
      `servicesInContainers: the services image ${services.image} is not present: build it with ` +
        '`ecom images build --only services` (or `docker build -f deploy/Dockerfile .`), or name one with ECOM_IMAGE_SERVICES',
    );
  }
  return (plan) => serviceContainer(plan, dir, services.image);
}
