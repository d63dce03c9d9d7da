import { Counter, Gauge, type Registry } from 'prom-client';

/** The gateway simulator's own metrics. */
export interface GatewayMetrics {
  requests: Counter<'route' | 'status'>;
  faults: Counter<'fault'>;
  inFlight: Gauge;
}

/** Registers the gateway's metrics on the process registry. */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    requests: new Counter({
      name: 'ecom_gateway_requests_total',
      help: 'Gateway API requests by route and HTTP status (client_gone: dropped unprocessed)',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    faults: new Counter({
      name: 'ecom_gateway_injected_faults_total',
      help: 'Faults injected by the behaviour knobs: error_before, error_after_commit, timeout',
      labelNames: ['fault'],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'ecom_gateway_in_flight',
      help: 'Gateway API requests being handled (held timeouts included)',
      registers: [registry],
    }),
  };
}
