import { BaseConfig, runService } from '../../platform/service-main.js';

// Placeholder until the inventory issue lands: a real process serving gRPC health, reflection and /metrics.
await runService(BaseConfig.passthrough(), async () => ({ bindings: [], protoFiles: [] }));
