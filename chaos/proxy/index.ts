/**
 * The fault proxy (see proxy.ts for why it exists): a Toxiproxy-shaped TCP proxy set with its
 * HTTP API and a client for it.
 */
export { createProxySet, PARTITION_TOXIC } from './registry.js';
export type { ProxyDefinition, ProxyInfo, ProxySet, ProxySetOptions, ProxyUpdate } from './registry.js';
export type { ProxyStats } from './proxy.js';
export type { ProxyApiServer } from './server.js';
export { toxiproxyClient } from './client.js';
export type { ToxiproxyClient, ToxiproxyClientOptions } from './client.js';
export { TOXIC_TYPES } from './toxics/index.js';
export type { ProxyJson, Stream, ToxicInput, ToxicJson, ToxicPatch } from './types.js';
