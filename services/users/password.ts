import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ScryptConfig } from './config.js';

/** Hashes and checks passwords with scrypt, off the event loop (libuv's thread pool). */
export interface PasswordHasher {
  /** "$scrypt$ln=14,r=8,p=1$<salt>$<hash>" (base64, no padding): params travel with the hash. */
  hash(password: string): Promise<string>;
  /** Constant-time comparison of the derived key; false for a malformed stored hash. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Spends the same work as {@link verify} and returns false: for unknown emails (no timing leak). */
  burn(password: string): Promise<false>;
}

const FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{16,88})$/;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, keyLength: number, log2N: number, r: number, p: number) {
  const options: ScryptOptions = { N: 2 ** log2N, r, p, maxmem: 256 * 2 ** log2N * r + 1024 * 1024 };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(Buffer.from(password, 'utf8'), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** Creates the hasher with the configured cost (used for new hashes; stored ones keep theirs). */
export function createPasswordHasher(cfg: ScryptConfig): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      const key = await derive(password, salt, cfg.keyLength, cfg.log2N, cfg.r, cfg.p);
      return `$scrypt$ln=${cfg.log2N},r=${cfg.r},p=${cfg.p}$${b64(salt)}$${b64(key)}`;
    },
    async verify(password, stored) {
      const m = FORMAT.exec(stored);
      if (!m) return false;
      const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
      // Bounds what a tampered row could make us spend.
      if (log2N < 1 || log2N > 20 || r < 1 || p < 1 || p > 16 || 128 * 2 ** log2N * r > 256 * 1024 * 1024)
        return false;
      const salt = Buffer.from(m[4]!, 'base64');
      const expected = Buffer.from(m[5]!, 'base64');
      const actual = await derive(password, salt, expected.length, log2N, r, p);
      return timingSafeEqual(actual, expected);
    },
    async burn(password) {
      await derive(password, randomBytes(SALT_BYTES), cfg.keyLength, cfg.log2N, cfg.r, cfg.p);
      return false;
    },
  };
}
