import { z } from 'zod';
import { BaseConfig, MysqlConfig } from '../../platform/config.js';
import { Behaviour, NORMAL_BEHAVIOUR } from './behaviour.js';

/** The gateway simulator's own config section. */
export const GatewaySection = z.object({
  /**
   * Shared secret for request signatures (header Ecom-Signature, HMAC-SHA256). When set, every /v1
   * request must carry a valid signature (401 signature_invalid otherwise); unset: not checked.
   */
  signingSecret: z.string().min(16).optional(),
  /** How far a signature's timestamp may be from the gateway's clock. */
  signatureToleranceMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
  /** The behaviour at start and after `DELETE /admin/behaviour`. */
  behaviour: Behaviour.default(NORMAL_BEHAVIOUR),
  /** Seed of the outcome dice (replayable runs); default: random, logged at start. */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** Requests handled at once; more are answered 429 rate_limited. */
  maxInFlight: z.number().int().min(1).max(100_000).default(1_000),
  /** How long a "never answered" request holds its connection before the gateway drops it. */
  holdMs: z.number().int().min(1).max(3_600_000).default(300_000),
});
export type GatewaySection = z.infer<typeof GatewaySection>;

/** The config of one gateway simulator instance; it needs its own database (`gateway`). */
export const GatewayConfig = BaseConfig.extend({
  mysql: MysqlConfig,
  gateway: GatewaySection.default(GatewaySection.parse({})),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
