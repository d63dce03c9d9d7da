import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type ReflectionClient = Client & {
  ServerReflectionInfo(opts: {
    deadline: Date;
  }): ClientDuplexStream<
    { list_services: string },
    { list_services_response?: { service: { name: string }[] } }
  >;
};

/** Lists the services a server exposes through gRPC server reflection (v1), as grpcurl would. */
export async function listServices(address: string, timeoutMs = 2_000): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@grpc/reflection/package.json'));
  const def = loadPackageDefinition(
    loadSync(join(pkgDir, 'build/proto/grpc/reflection/v1/reflection.proto'), { keepCase: true }),
  ) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (t: string, c: unknown) => ReflectionClient } } };
  };
  const client = new def.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const call = client.ServerReflectionInfo({ deadline: new Date(Date.now() + timeoutMs) });
      call.on('data', (res) => {
        resolve((res.list_services_response?.service ?? []).map((s: { name: string }) => s.name).sort());
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}
