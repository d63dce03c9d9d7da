import type { RowDataPacket } from 'mysql2/promise';
import type { Database } from '../../platform/mysql.js';

/** The outcome of presenting a refresh token. */
export type RotateResult =
  | { kind: 'ok'; userId: string; familyId: string }
  | { kind: 'unknown' }
  | { kind: 'expired' }
  /** Already used: someone replayed it, so its whole family was revoked. */
  | { kind: 'reused' };

/** SQL of refresh tokens (stored as SHA-256 hashes; rotation is one transaction on the primary). */
export function createRefreshStore(db: Database) {
  return {
    async insert(t: {
      hash: Buffer;
      userId: string;
      familyId: string;
      expiresAt: Date;
      now: Date;
    }): Promise<void> {
      await db.primary.execute(
        `INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at, used_at, created_at)
         VALUES (?, ?, ?, ?, NULL, ?)`,
        [t.hash, t.userId, t.familyId, t.expiresAt, t.now],
      );
    },

    /**
     * Uses the token `oldHash` once: marks it used and inserts its successor `next` in the same
     * family, atomically. A second use of the same token revokes every live token of its family.
     */
    rotate(oldHash: Buffer, next: { hash: Buffer; expiresAt: Date }, now: Date): Promise<RotateResult> {
      return db.transaction(async (conn): Promise<RotateResult> => {
        const [rows] = await conn.execute<RowDataPacket[]>(
          'SELECT user_id, family_id, expires_at, used_at FROM refresh_tokens WHERE token_hash = ? FOR UPDATE',
          [oldHash],
        );
        const r = rows[0];
        if (!r) return { kind: 'unknown' };
        const familyId = r.family_id as string;
        if (r.used_at !== null) {
          await conn.execute(
            'UPDATE refresh_tokens SET used_at = ? WHERE family_id = ? AND used_at IS NULL',
            [now, familyId],
          );
          return { kind: 'reused' };
        }
        if ((r.expires_at as Date).getTime() <= now.getTime()) return { kind: 'expired' };
        await conn.execute('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?', [now, oldHash]);
        const userId = r.user_id as string;
        await conn.execute(
          `INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at, used_at, created_at)
           VALUES (?, ?, ?, ?, NULL, ?)`,
          [next.hash, userId, familyId, next.expiresAt, now],
        );
        return { kind: 'ok', userId, familyId };
      });
    },
  };
}

export type RefreshStore = ReturnType<typeof createRefreshStore>;
