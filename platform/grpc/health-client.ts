import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';

type HealthClient = Client & {
  check(
    req: { service: string },
    opts: { deadline: Date },
    cb: (err: ServiceError | null, res?: { status: string }) => void,
  ): void;
};

let HealthCtor:
  (new (target: string, creds: ReturnType<typeof credentials.createInsecure>) => HealthClient) | undefined;

function ctor() {
  if (!HealthCtor) {
    const def = loadPackageDefinition(loadSync(protoPath, { keepCase: true, enums: String, defaults: true }));
    const grpc = def.grpc as { health: { v1: { Health: unknown } } };
    HealthCtor = grpc.health.v1.Health as typeof HealthCtor;
  }
  return HealthCtor!;
}

/**
 * Asks one server for its health through grpc.health.v1 ("" = the whole server). Resolves to the
 * serving status, or to "UNREACHABLE: <why>" when the call fails; never throws.
 */
export async function checkHealth(address: string, service = '', timeoutMs = 1_000): Promise<string> {
  const Ctor = ctor();
  const client = new Ctor(address, credentials.createInsecure());
  try {
    return await new Promise<string>((resolve) =>
      client.check({ service }, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) =>
        resolve(err ? `UNREACHABLE: ${err.details || err.message}` : (res?.status ?? 'UNKNOWN')),
      ),
    );
  } finally {
    client.close();
  }
}
