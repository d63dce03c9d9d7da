import { getContainerRuntimeClient, ImageName } from 'testcontainers';

/** The images the containers runtime uses. */
export const IMAGE_KINDS = ['mariadb', 'redis', 'zookeeper', 'services'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

/** The default images: the official ones (the services image has no official equivalent). */
export const OFFICIAL_IMAGES: Record<ImageKind, string> = {
  mariadb: 'mariadb:10.11',
  redis: 'redis:7',
  zookeeper: 'zookeeper:3.8',
  services: 'ecom/services:latest',
};

/** What `ecom images build` builds from Debian's packages, for machines without registry access. */
export const LOCAL_IMAGES: Record<ImageKind, string> = {
  mariadb: 'ecom/mariadb:10.11',
  redis: 'ecom/redis:7',
  zookeeper: 'ecom/zookeeper:3.8',
  services: 'ecom/services:latest',
};

/** The environment variable overriding each image. */
export const IMAGE_ENV: Record<ImageKind, string> = {
  mariadb: 'ECOM_IMAGE_MARIADB',
  redis: 'ECOM_IMAGE_REDIS',
  zookeeper: 'ECOM_IMAGE_ZOOKEEPER',
  services: 'ECOM_IMAGE_SERVICES',
};

/** One image as chosen by {@link resolveImages}, and why. */
export interface ResolvedImage {
  image: string;
  /** flag: --image-*; env: ECOM_IMAGE_*; official / local: the default, or its local build. */
  source: 'flag' | 'env' | 'official' | 'local';
  /** Whether the engine has it already (else starting pulls it, which needs a registry). */
  present: boolean;
}

/**
 * Chooses each image: an explicit name (flag) wins, then the environment; otherwise the official
 * image if the engine has it, else its `ecom images build` equivalent if the engine has that, else
 * the official name (to be pulled).
 */
export async function resolveImages(
  explicit: Partial<Record<ImageKind, string>>,
  kinds: readonly ImageKind[] = IMAGE_KINDS,
  opts: { env?: NodeJS.ProcessEnv; exists?: (image: string) => Promise<boolean> } = {},
): Promise<Partial<Record<ImageKind, ResolvedImage>>> {
  const env = opts.env ?? process.env;
  const exists = opts.exists ?? imageExists;
  const out: Partial<Record<ImageKind, ResolvedImage>> = {};
  for (const kind of kinds) {
    const named = explicit[kind] ?? env[IMAGE_ENV[kind]];
    if (named) {
      out[kind] = { image: named, source: explicit[kind] ? 'flag' : 'env', present: await exists(named) };
    } else if (await exists(OFFICIAL_IMAGES[kind])) {
      out[kind] = { image: OFFICIAL_IMAGES[kind], source: 'official', present: true };
    } else if (await exists(LOCAL_IMAGES[kind])) {
      out[kind] = { image: LOCAL_IMAGES[kind], source: 'local', present: true };
    } else {
      out[kind] = { image: OFFICIAL_IMAGES[kind], source: 'official', present: false };
    }
  }
  return out;
}

/** Whether the Docker engine has this image locally. */
export async function imageExists(image: string): Promise<boolean> {
  const client = await getContainerRuntimeClient();
  return client.image.exists(ImageName.fromString(image));
}
