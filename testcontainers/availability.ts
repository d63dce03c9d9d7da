import { checkRequirements } from '../stack/requirements.js';
import { resolveImages, type ImageKind } from './image-names.js';

/** Whether the containers runtime can start here, and why (or why not), in one sentence. */
export interface ContainersAvailability {
  ok: boolean;
  reason: string;
}

/**
 * The containers runtime is usable when a Docker engine answers and the infrastructure images
 * (as {@link resolveImages} chooses them) are already on the machine — nothing to pull.
 *
 * @param needServices also require the services image (--services-in-containers)
 */
export async function containersAvailability(
  images: Partial<Record<ImageKind, string>> = {},
  needServices = false,
): Promise<ContainersAvailability> {
  const docker = (await checkRequirements('containers')).find((r) => r.name === 'docker');
  if (!docker?.ok) return { ok: false, reason: `no Docker engine: ${docker?.detail ?? 'not checked'}` };
  const kinds: ImageKind[] = [
    'mariadb',
    'redis',
    'zookeeper',
    ...(needServices ? ['services' as const] : []),
  ];
  const resolved = await resolveImages(images, kinds);
  const absent = kinds.filter((k) => !resolved[k]!.present).map((k) => resolved[k]!.image);
  if (absent.length > 0) {
    return {
      ok: false,
      reason: `a Docker engine answers, but ${absent.join(', ')} ${absent.length > 1 ? 'are' : 'is'} not present (\`ecom images build\` builds local ones)`,
    };
  }
  const list = kinds.map((k) => resolved[k]!.image).join(', ');
  return { ok: true, reason: `a Docker engine answers (${docker.detail}) and ${list} are present` };
}
