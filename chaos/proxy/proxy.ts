/**
 * The fault proxy: a Toxiproxy work-alike in TypeScript.
 *
 * Why it exists: every service instance reaches each dependency (MySQL primary and replica, Redis,
 * ZooKeeper, peer instances, the payment gateway) through its own proxied link, so a fault can cut
 * one instance off while the others keep working. Toxiproxy is the standard tool for this, but no
 * Toxiproxy binary can be installed on these machines (only npm and Debian packages are
 * reachable), so we wrote one. Its model and HTTP API are Toxiproxy's (proxies with name / listen /
 * upstream / enabled; toxics with name / type / stream / toxicity / attributes; the same toxic
 * names and attributes), so the same faults work against a real Toxiproxy server.
 *
 * This file is one proxy: a TCP listener on loopback forwarding each accepted connection to the
 * upstream as a {@link Link}, with its toxics applied to every live and future connection.
 */
import net from 'node:net';
import { AlreadyExists, FailedPrecondition, NotFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { formatAddress, type Address } from './address.js';
import { Link } from './link.js';
import { parseToxic, patchToxic, type ToxicSpec } from './toxic-spec.js';
import { STREAMS, type ProxyJson, type ToxicJson } from './types.js';

/** A validated proxy definition. */
export interface ProxyConfig {
  name: string;
  listen: Address;
  upstream: Address;
}

/** What a proxy gets from its set: a logger, and the set's random source and clock. */
export interface ProxyDeps {
  logger: Logger;
  random(): number;
  now(): number;
}

/** Connection statistics of one proxy. */
export interface ProxyStats {
  connections: number;
  /** Bytes the proxy currently holds in memory for its connections (queues + socket buffers). */
  bufferedBytes: number;
}

/** One TCP proxy; see the file comment. Created disabled: call {@link TcpProxy.setEnabled}(true). */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly links = new Set<Link>();
  private toxicList: ToxicSpec[] = [];
  private readonly logger: Logger;

  constructor(
    private config: ProxyConfig,
    private readonly deps: ProxyDeps,
  ) {
    this.logger = deps.logger.child({ proxy: config.name });
  }

  get name(): string {
    return this.config.name;
  }

  get enabled(): boolean {
    return this.server !== undefined;
  }

  /** The Toxiproxy JSON of this proxy (listen shows the bound port once it has listened). */
  json(): ProxyJson {
    return {
      name: this.config.name,
      listen: formatAddress(this.config.listen),
      upstream: formatAddress(this.config.upstream),
      enabled: this.enabled,
      toxics: this.toxics(),
    };
  }

  stats(): ProxyStats {
    let bufferedBytes = 0;
    for (const link of this.links) bufferedBytes += link.bufferedBytes;
    return { connections: this.links.size, bufferedBytes };
  }

  /**
   * Enabling listens (again on the same port once one was bound); disabling closes the listener
   * and every connection (Toxiproxy's disable). Toxics stay.
   */
  async setEnabled(on: boolean): Promise<void> {
    if (on && !this.server) await this.listen();
    else if (!on && this.server) await this.close();
  }

  /** Changes listen and/or upstream; an enabled proxy restarts (its connections close). */
  async reconfigure(patch: { listen?: Address; upstream?: Address }): Promise<void> {
    const next = { ...this.config, ...patch };
    const changed =
      formatAddress(next.listen) !== formatAddress(this.config.listen) ||
      formatAddress(next.upstream) !== formatAddress(this.config.upstream);
    if (!changed) return;
    const wasEnabled = this.enabled;
    await this.setEnabled(false);
    this.config = next;
    if (wasEnabled) await this.setEnabled(true);
  }

  /** The toxics, upstream ones first, each stream in the order added (Toxiproxy's listing). */
  toxics(): ToxicJson[] {
    return STREAMS.flatMap((s) => this.toxicList.filter((t) => t.json.stream === s).map((t) => t.json));
  }

  toxic(name: string): ToxicJson {
    return this.find(name).json;
  }

  /** Validates and adds a toxic; it reaches every open connection at once. */
  addToxic(input: unknown): ToxicJson {
    const spec = parseToxic(input);
    if (this.toxicList.some((t) => t.json.name === spec.json.name))
      throw new AlreadyExists(`toxic already exists: ${spec.json.name} on proxy ${this.name}`);
    this.toxicList = [...this.toxicList, spec];
    for (const link of this.links) link.attach(spec);
    this.logger.info({ toxic: spec.json }, 'toxic added');
    return spec.json;
  }

  /** Updates a toxic's attributes / toxicity; open connections restart it with the new values. */
  updateToxic(name: string, patch: unknown): ToxicJson {
    const current = this.find(name);
    const spec = patchToxic(current, patch);
    this.toxicList = this.toxicList.map((t) => (t === current ? spec : t));
    for (const link of this.links) link.attach(spec);
    this.logger.info({ toxic: spec.json }, 'toxic updated');
    return spec.json;
  }

  /** Removes a toxic; data it held flows on at once. */
  removeToxic(name: string): void {
    this.find(name);
    this.toxicList = this.toxicList.filter((t) => t.json.name !== name);
    for (const link of this.links) link.detach(name);
    this.logger.info({ toxic: name }, 'toxic removed');
  }

  /** Removes every toxic. */
  resetToxics(): void {
    for (const t of this.toxicList) this.removeToxic(t.json.name);
  }

  /** Disables the proxy and drops its toxics; idempotent. */
  async stop(): Promise<void> {
    this.resetToxics();
    await this.setEnabled(false);
  }

  private find(name: string): ToxicSpec {
    const found = this.toxicList.find((t) => t.json.name === name);
    if (!found) throw new NotFound(`toxic not found: ${name} on proxy ${this.name}`);
    return found;
  }

  private async listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.config.listen.host, port: this.config.listen.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      const where = formatAddress(this.config.listen);
      if (err.code === 'EADDRINUSE') throw new FailedPrecondition(`listen: ${where} is already in use`);
      throw err;
    });
    server.on('error', (err) => this.logger.warn({ err }, 'proxy listener error'));
    const bound = server.address() as net.AddressInfo;
    this.config = { ...this.config, listen: { host: this.config.listen.host, port: bound.port } };
    this.server = server;
    this.logger.info({ listen: formatAddress(this.config.listen) }, 'proxy listening');
  }

  private async close(): Promise<void> {
    const server = this.server as net.Server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const link of this.links) link.destroy();
    await closed;
    this.logger.info('proxy disabled');
  }

  private accept(socket: net.Socket): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    const link = new Link(socket, {
      upstream: this.config.upstream,
      logger: this.logger,
      random: this.deps.random,
      now: this.deps.now,
      toxics: () => this.toxicList,
      onClosed: (l) => this.links.delete(l),
    });
    this.links.add(link);
  }
}
