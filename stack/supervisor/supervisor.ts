import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool } from 'mysql2/promise';
import type { Logger } from '../../platform/logger.js';
import { packageRoot } from '../../platform/paths.js';
import { generateAuthKeys } from '../auth-keys.js';
import { startHeartbeat } from '../heartbeat.js';
import type { ManagedComponent, InfraRuntime, StartedInfra } from '../infra.js';
import { discoverMigrations, migrate } from '../migrate.js';
import { directLinks, planInstances, type LinkResolver } from '../plan.js';
import { proxiedPlans } from '../links.js';
import { createProxySet, type ProxySet } from '../../chaos/proxy/index.js';
import { freePorts } from '../ports.js';
import { prometheusComponent } from '../prometheus/component.js';
import { writePrometheusConfig } from '../prometheus/config.js';
import { serviceFactory } from '../runtimes.js';
import { removeState, writeState } from '../state.js';
import type { StackOptions, StackState } from '../types.js';
import { startControlServer, type ControlTarget } from './control.js';

/** Messages the supervisor sends to the process that started it. */
export type SupervisorMessage =
  | { type: 'progress'; component: string; status: 'starting' | 'ready' }
  | { type: 'ready'; state: StackState }
  | { type: 'failed'; error: string };

/** The stack's MySQL account (a throwaway local stack). */
export const STACK_MYSQL = { user: 'ecom', password: 'ecom' };

/**
 * Owns a running stack: starts infrastructure through the runtime, applies migrations, starts
 * every service instance, keeps the state file, serves the control API, and tears everything
 * down (services first, then infrastructure) on shutdown.
 */
export class Supervisor implements ControlTarget {
  private infra: StartedInfra | undefined;
  private services: ManagedComponent[] = [];
  /** Observers of the stack (Prometheus): started after the services, stopped before them. */
  private observers: ManagedComponent[] = [];
  private admin: Pool | undefined;
  private heartbeat: { stop(): Promise<void> } | undefined;
  private proxies: ProxySet | undefined;
  private proxyApi: { address: string; stop(): Promise<void> } | undefined;
  private control: { address: string; stop(): Promise<void> } | undefined;
  private current: StackState;
  private stopping: Promise<void> | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly options: StackOptions,
    private readonly runtime: InfraRuntime,
    private readonly logger: Logger,
    private readonly emit: (msg: SupervisorMessage) => void,
    private readonly onStopped: (code: number) => void,
  ) {
    this.current = {
      version: 1,
      runtime: runtime.name,
      dir: options.dir,
      startedAt: new Date().toISOString(),
      supervisor: { pid: process.pid, pgid: process.pid, control: '' },
      options,
      infra: {
        mysqlPrimary: { host: '127.0.0.1', port: 1 },
        mysqlReplica: { host: '127.0.0.1', port: 1 },
        redis: { host: '127.0.0.1', port: 1 },
        zookeeper: { host: '127.0.0.1', port: 1 },
      },
      components: [],
      mysql: STACK_MYSQL,
    };
  }

  /** Starts everything; emits `ready` with the state, or `failed` and stops what had started. */
  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  /** Throws if a stop was requested meanwhile, so start() ends at the next step. */
  private checkNotStopping(): void {
    if (this.stopping) throw new Error('stop requested while starting');
  }

  private async doStart(): Promise<void> {
    const t0 = Date.now();
    const { dir } = this.options;
    try {
      rmSync(join(dir, 'data'), { recursive: true, force: true });
      for (const sub of ['data', 'logs', 'config']) mkdirSync(join(dir, sub), { recursive: true });
      this.control = await startControlServer(this, this.logger);
      this.current.supervisor.control = this.control.address;
      // Written before anything starts, so `ecom down` can stop a stack that is still starting.
      writeState(this.current);

      this.infra = await this.runtime.start({
        dir,
        logger: this.logger,
        onProgress: (component, status) => this.emit({ type: 'progress', component, status }),
      });
      this.checkNotStopping();
      this.current.infra = this.infra.endpoints;
      this.current.components = this.infra.components.map((c) => c.state);
      writeState(this.current);

      this.progress('migrations', 'starting');
      const { host, port } = this.infra.endpoints.mysqlPrimary;
      this.admin = createPool({ host, port, ...STACK_MYSQL, connectionLimit: 2, multipleStatements: true });
      const conn = await this.admin.getConnection();
      try {
        const applied = await migrate(conn, discoverMigrations(join(packageRoot(), 'services')), this.logger);
        this.logger.info({ applied: applied.applied.length }, 'migrations applied');
      } finally {
        conn.release();
      }
      this.heartbeat = await startHeartbeat(this.admin, this.logger);
      this.progress('migrations', 'ready');
      this.checkNotStopping();

      const ports = await freePorts(2 * Object.values(this.options.replicas).reduce((a, b) => a + b, 0));
      const auth = generateAuthKeys();
      const infra = this.infra.endpoints;
      const plan = (link: LinkResolver) => planInstances(this.options, infra, STACK_MYSQL, ports, auth, link);
      let plans = plan(directLinks);
      if (this.options.links === 'proxied') {
        this.proxies = createProxySet(this.logger.child({ component: 'fault-proxy' }));
        plans = await proxiedPlans(plan, this.proxies);
        this.proxyApi = await this.proxies.serveHttp(0);
        this.current.faultProxy = this.proxyApi.address;
      }
      const makeService = await serviceFactory(this.options, dir);
      this.services = plans.map(makeService);
      this.current.components = [...this.current.components, ...this.services.map((s) => s.state)];
      writeState(this.current);
      await Promise.all(
        this.services.map(async (s) => {
          this.progress(s.state.name, 'starting');
          await s.start();
          this.progress(s.state.name, 'ready');
        }),
      );
      this.checkNotStopping();
      await this.startObservers(dir);
      this.checkNotStopping();
      this.current.startupMs = Date.now() - t0;
      writeState(this.current);
      this.logger.info({ ms: this.current.startupMs }, 'stack ready');
      this.emit({ type: 'ready', state: this.current });
    } catch (err) {
      if (this.stopping) return;
      this.logger.error({ err }, 'stack failed to start');
      this.emit({ type: 'failed', error: (err as Error).message });
      void this.stop(1);
    }
  }

  /** Writes the stack's Prometheus scrape config; starts Prometheus on it when asked. */
  private async startObservers(dir: string): Promise<void> {
    const components = this.state().components;
    if (!this.options.withPrometheus) {
      writePrometheusConfig(dir, components);
      return;
    }
    const [port] = await freePorts(1);
    const configFile = writePrometheusConfig(dir, components, { self: `127.0.0.1:${port}` });
    const prometheus = prometheusComponent({ dir, port: port!, configFile });
    this.observers.push(prometheus);
    this.current.components = [...this.current.components, prometheus.state];
    writeState(this.current);
    this.progress('prometheus', 'starting');
    await prometheus.start();
    this.progress('prometheus', 'ready');
  }

  private progress(component: string, status: 'starting' | 'ready') {
    this.emit({ type: 'progress', component, status });
  }

  state(): StackState {
    // Pids change when a component restarts.
    this.current.components = [...(this.infra?.components ?? []), ...this.services, ...this.observers].map(
      (c) => c.state,
    );
    return this.current;
  }

  shutdown(): void {
    void this.stop(0);
  }

  private find(name: string): ManagedComponent {
    const c = [...(this.infra?.components ?? []), ...this.services, ...this.observers].find(
      (x) => x.state.name === name,
    );
    if (!c) throw new Error(`no component named ${name}`);
    return c;
  }

  async stopComponent(name: string): Promise<void> {
    await this.find(name).stop();
  }

  async startComponent(name: string): Promise<void> {
    await this.find(name).start();
    writeState(this.state());
  }

  async signalComponent(name: string, sig: NodeJS.Signals): Promise<void> {
    await this.find(name).signal(sig);
  }

  /** Stops services (they drain), then infrastructure; removes the state file; idempotent. */
  stop(code: number): Promise<void> {
    this.stopping ??= (async () => {
      // Let a start in progress reach its next step (each is bounded) so nothing it is starting
      // escapes the teardown.
      await this.starting;
      const t0 = Date.now();
      await Promise.allSettled(this.observers.map((o) => o.stop()));
      // A paused component cannot handle SIGTERM: resume everything first.
      await Promise.allSettled(this.services.map((s) => s.signal('SIGCONT')));
      await Promise.allSettled(this.services.map((s) => s.stop()));
      await this.proxyApi?.stop();
      await this.proxies?.stop();
      await this.heartbeat?.stop();
      await this.admin?.end().catch(() => undefined);
      await Promise.allSettled((this.infra?.components ?? []).map((c) => c.signal('SIGCONT')));
      await this.infra?.stop();
      removeState(this.options.dir);
      await this.control?.stop();
      this.logger.info({ ms: Date.now() - t0 }, 'stack stopped');
      this.onStopped(code);
    })();
    return this.stopping;
  }
}
