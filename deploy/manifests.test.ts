import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { EnvVar } from 'kubernetes-models/v1/EnvVar';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Volume } from 'kubernetes-models/v1/Volume';
import { VolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { parseConfig, SERVICE_NAMES, type ServiceName } from '../platform/config.js';
import { ipv4Target } from '../platform/grpc/client.js';
import { exportK6 } from '../scenarios/k6/script.js';
import { loadScenario } from '../scenarios/load.js';
import { AnalyticsConfig } from '../services/analytics/config.js';
import { GatewayConfig } from '../services/gateway/config.js';
import { InventoryConfig } from '../services/inventory/config.js';
import { OrdersConfig } from '../services/orders/config.js';
import { PaymentsConfig } from '../services/payments/config.js';
import { UsersConfig } from '../services/users/config.js';

const here = dirname(fileURLToPath(import.meta.url));
const K8S = join(here, 'kubernetes');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<
  string,
  unknown
>;

/** Every object of a YAML stream. */
function documents(text: string, source: string): Manifest[] {
  return parseAllDocuments(text)
    .filter((d) => d.contents !== null)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${source}: ${d.errors[0]!.message}`);
      return d.toJS() as Manifest;
    });
}

/** The Kubernetes schema of each kind the manifests use (kubernetes-models: the OpenAPI schemas). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
};

/**
 * The k6 operator's TestRun (k6.io/v1alpha1), the fields this example uses, transcribed from the
 * operator's CRD; strict, so a misspelt field fails. Pod-level parts use the Kubernetes schemas.
 */
const k8s = <T>(Model: new (data: T) => { validate(): void }): z.ZodType<T> =>
  z.custom<T>((v) => {
    if (v === undefined) return false;
    new Model(v as T).validate();
    return true;
  });
const TestRun = z.strictObject({
  apiVersion: z.literal('k6.io/v1alpha1'),
  kind: z.literal('TestRun'),
  metadata: z.strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
    namespace: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    parallelism: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    separate: z.boolean().optional(),
    cleanup: z.literal('post').optional(),
    arguments: z.string().optional(),
    script: z.strictObject({
      configMap: z.strictObject({ name: z.string().min(1), file: z.string().min(1) }),
    }),
    runner: z.strictObject({
      image: z.string().min(1),
      env: z.array(k8s(EnvVar)),
      resources: k8s(ResourceRequirements),
      volumeMounts: z.array(k8s(VolumeMount)),
      volumes: z.array(k8s(Volume)),
    }),
  }),
});

const CONFIG_SCHEMAS: Record<ServiceName, z.ZodType> = {
  users: UsersConfig,
  inventory: InventoryConfig,
  payments: PaymentsConfig,
  gateway: GatewayConfig,
  orders: OrdersConfig,
  analytics: AnalyticsConfig,
};

const manifestFiles = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const objects = manifestFiles.flatMap((f) => documents(readFileSync(join(K8S, f), 'utf8'), f));
const secrets = documents(
  execFileSync(process.execPath, [join(K8S, 'make-secrets.mjs'), '--mysql-password', 'pw-for-the-test'], {
    encoding: 'utf8',
  }),
  'make-secrets.mjs',
);
const find = (kind: string, name: string) =>
  [...objects, ...secrets].find((o) => o.kind === kind && o.metadata.name === name);

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('are valid against the Kubernetes schemas, every one in the ecom namespace', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const o of [...objects, ...secrets]) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `${o.kind} ${o.metadata.name}: a kind the test knows`).toBeDefined();
      expect(() => new Model!(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
      expect(o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace).toBe('ecom');
    }
  });

  it('reject what the schemas forbid (the validation is real)', () => {
    const deployment = find('Deployment', 'orders') as Manifest & { spec: { replicas: unknown } };
    const broken = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
    const pdb = find('PodDisruptionBudget', 'orders') as Manifest;
    expect(() =>
      new PodDisruptionBudget({ ...pdb, spec: { maxUnavailable: [1] } } as never).validate(),
    ).toThrow();
  });

  it.each(SERVICE_NAMES)('%s: Deployment with gRPC health probes and resources, Service, PDB', (service) => {
    const d = find('Deployment', service) as unknown as {
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: {
          metadata: { labels: Record<string, string> };
          spec: {
            containers: {
              args: string[];
              ports: { name: string; containerPort: number }[];
              readinessProbe: { grpc?: { port: number } };
              livenessProbe: { grpc?: { port: number } };
              resources: { requests: Record<string, string>; limits: Record<string, string> };
            }[];
            volumes: { configMap?: { name: string }; secret?: { secretName: string } }[];
          };
        };
      };
    };
    expect(d, `Deployment ${service}`).toBeDefined();
    const pod = d.spec.template;
    const [c] = pod.spec.containers;
    expect(c!.args).toEqual([service]);
    const grpcPort = c!.ports.find((p) => p.name === 'grpc')!.containerPort;
    expect(c!.readinessProbe.grpc?.port).toBe(grpcPort);
    expect(c!.livenessProbe.grpc?.port).toBe(grpcPort);
    expect(Object.keys(c!.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(c!.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(pod.metadata.labels).toMatchObject(d.spec.selector.matchLabels);

    const svc = find('Service', service) as unknown as { spec: { selector: Record<string, string> } };
    expect(pod.metadata.labels).toMatchObject(svc.spec.selector);
    const pdb = find('PodDisruptionBudget', service) as unknown as {
      spec: { selector: { matchLabels: Record<string, string> } };
    };
    expect(pod.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);

    const configMap = pod.spec.volumes.find((v) => v.configMap)!.configMap!.name;
    const secret = pod.spec.volumes.find((v) => v.secret)!.secret!.secretName;
    expect(find('ConfigMap', configMap), configMap).toBeDefined();
    expect(find('Secret', secret), secret).toBeDefined();
  });

  it.each(SERVICE_NAMES)('%s: ConfigMap + Secret merge into a config the service accepts', (service) => {
    const dir = mkdtempSync(join(tmpdir(), 'ecom-k8s-config-'));
    try {
      const cm = find('ConfigMap', `ecom-${service}-config`) as unknown as { data: Record<string, string> };
      const secret = find('Secret', `ecom-${service}-secret`) as unknown as {
        stringData: Record<string, string>;
      };
      writeFileSync(join(dir, 'config.json'), cm.data['config.json']!);
      writeFileSync(join(dir, 'secret.json'), secret.stringData['secret.json']!);
      const merged = execFileSync(process.execPath, [join(here, 'config-merge.mjs'), service], {
        encoding: 'utf8',
        env: {
          ...process.env,
          HOSTNAME: `${service}-7d9f-abcde`,
          ECOM_CONFIG_FILES: `${dir}/config.json:${dir}/secret.json`,
        },
      });
      const config = parseConfig(CONFIG_SCHEMAS[service], JSON.parse(merged), `${service} config`) as {
        instance: number;
        host: string;
        mysql: { password: string };
        auth?: { keys: { privateKeyPem?: string }[] };
      };
      expect(config).toMatchObject({ host: '0.0.0.0', mysql: { password: 'pw-for-the-test' } });
      expect(config.instance).toBeGreaterThan(0);
      // Only users can mint tokens.
      expect(config.auth?.keys.some((k) => k.privateKeyPem) ?? false).toBe(service === 'users');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives orders its peers as Service names, which its gRPC clients resolve to every pod', () => {
    const cm = find('ConfigMap', 'ecom-orders-config') as unknown as { data: Record<string, string> };
    const peers = (JSON.parse(cm.data['config.json']!) as { peers: Record<string, string[]> }).peers;
    expect(Object.keys(peers).sort()).toEqual(['inventory', 'payments', 'users']);
    for (const [service, addresses] of Object.entries(peers)) {
      expect(find('Service', service)).toMatchObject({ spec: { clusterIP: 'None' } });
      expect(ipv4Target(addresses)).toBe(`dns:///${service}:50051`);
    }
  });

  it('kustomization.yaml lists every manifest', () => {
    const k = documents(
      readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'),
      'kustomization.yaml',
    )[0] as unknown as {
      resources: string[];
    };
    expect([...k.resources].sort()).toEqual([...manifestFiles].sort());
  });
});

describe('k6 operator TestRun example (deploy/k6)', () => {
  const [run] = documents(readFileSync(join(here, 'k6', 'testrun.yaml'), 'utf8'), 'testrun.yaml');

  it('is a valid TestRun running on several pods', () => {
    const parsed = TestRun.parse(run);
    expect(parsed.spec.parallelism).toBeGreaterThan(1);
    expect(() => TestRun.parse({ ...run, spec: { ...(run!.spec as object), paralelism: 2 } })).toThrow();
  });

  it('mounts every .proto file the exported steady-mix script loads, where it looks for them', () => {
    const parsed = TestRun.parse(run);
    const env = Object.fromEntries(parsed.spec.runner.env.map((e) => [e?.name, e?.value]));
    const script = exportK6(loadScenario('steady-mix'), { protoDir: env.ECOM_PROTO_DIR });
    const loaded = [...script.matchAll(/proto: '([^']+\.proto)'/g)].map((m) => m[1]!);
    expect(loaded.length).toBeGreaterThan(0);
    const mount = parsed.spec.runner.volumeMounts.find((m) => m?.mountPath === env.ECOM_PROTO_DIR);
    const volume = parsed.spec.runner.volumes.find((v) => v?.name === mount?.name);
    const provided = (volume?.configMap?.items ?? []).map((i) => i.path);
    for (const proto of [...loaded, 'ecom/common/v1/common.proto']) expect(provided).toContain(proto);
    expect(env.ECOM_TOKENS_FILE).toMatch(/^\//);
  });
});
