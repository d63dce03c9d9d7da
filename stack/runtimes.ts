import type { InfraRuntime } from './infra.js';
import { processesRuntime } from './processes/runtime.js';
import type { RuntimeName } from './types.js';

/** The infrastructure runtime by name. */
export function runtimeFor(name: RuntimeName): InfraRuntime {
  switch (name) {
    case 'processes':
      return processesRuntime;
    case 'containers':
      throw new Error('the containers runtime arrives with issue #8');
  }
}
