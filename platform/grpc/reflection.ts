import type { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/**
 * Serves gRPC server reflection (v1 and v1alpha) for the given .proto files, so grpcurl and
 * similar tools can call the service without local copies of the contracts.
 */
export function addReflection(server: Server, protoFiles: string[]): void {
  if (protoFiles.length === 0) return;
  const root = join(packageRoot(), 'proto');
  const definition = loadSync(protoFiles, {
    includeDirs: [root],
    keepCase: true,
    longs: Number,
    defaults: true,
  });
  new ReflectionService(definition).addToServer(server);
}
