import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { AlreadyExists } from '../../platform/errors.js';
import type { Database } from '../../platform/mysql.js';

/** A user's profile as stored. */
export interface UserRow {
  id: string;
  email: string;
  displayName: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A profile version whose cache entry may still be missing or old. */
export interface PendingRepair {
  userId: string;
  version: number;
}

const PROFILE_COLUMNS = 'id, email, display_name, version, created_at, updated_at';

function toRow(r: RowDataPacket): UserRow {
  return {
    id: r.id as string,
    email: r.email as string,
    displayName: r.display_name as string,
    version: Number(r.version),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

/**
 * SQL of users and profile-cache repairs. Every read here goes to the primary: a login right
 * after Register, and a cache fill right after UpdateProfile, must not see a lagging replica.
 */
export function createUsersStore(db: Database) {
  return {
    /** Inserts a new user at version 1; a taken email is ALREADY_EXISTS. */
    async insertUser(u: {
      id: string;
      email: string;
      displayName: string;
      passwordHash: string;
      now: Date;
    }): Promise<UserRow> {
      try {
        await db.primary.execute(
          `INSERT INTO users (id, email, display_name, password_hash, version, created_at, updated_at)
           VALUES (?, ?, ?, ?, 1, ?, ?)`,
          [u.id, u.email, u.displayName, u.passwordHash, u.now, u.now],
        );
      } catch (err) {
        if ((err as { code?: string }).code === 'ER_DUP_ENTRY')
          throw new AlreadyExists('email already registered');
        throw err;
      }
      return {
        id: u.id,
        email: u.email,
        displayName: u.displayName,
        version: 1,
        createdAt: u.now,
        updatedAt: u.now,
      };
    },

    async credentialsByEmail(email: string): Promise<{ id: string; passwordHash: string } | undefined> {
      const [rows] = await db.primary.execute<RowDataPacket[]>(
        'SELECT id, password_hash FROM users WHERE email = ?',
        [email],
      );
      const r = rows[0];
      return r ? { id: r.id as string, passwordHash: r.password_hash as string } : undefined;
    },

    async profile(id: string): Promise<UserRow | undefined> {
      const [rows] = await db.primary.execute<RowDataPacket[]>(
        `SELECT ${PROFILE_COLUMNS} FROM users WHERE id = ?`,
        [id],
      );
      return rows[0] ? toRow(rows[0]) : undefined;
    },

    /**
     * Sets the display name and bumps the version; with `trackCache`, in the same transaction records
     * that the cache must reach this version (profile_cache_repairs). Undefined for no such user.
     */
    updateDisplayName(
      id: string,
      displayName: string,
      now: Date,
      trackCache = true,
    ): Promise<UserRow | undefined> {
      return db.transaction(async (conn) => {
        const [res] = await conn.execute<ResultSetHeader>(
          'UPDATE users SET display_name = ?, version = version + 1, updated_at = ? WHERE id = ?',
          [displayName, now, id],
        );
        if (res.affectedRows !== 1) return undefined;
        const [rows] = await conn.execute<RowDataPacket[]>(
          `SELECT ${PROFILE_COLUMNS} FROM users WHERE id = ?`,
          [id],
        );
        const row = toRow(rows[0]!);
        if (!trackCache) return row;
        await conn.execute(
          `INSERT INTO profile_cache_repairs (user_id, version, created_at) VALUES (?, ?, ?)
           ON DUPLICATE KEY UPDATE version = GREATEST(version, VALUES(version))`,
          [id, row.version, now],
        );
        return row;
      });
    },

    /** The cache holds `version` (or newer): forget repairs up to it. */
    async clearRepair(userId: string, version: number): Promise<void> {
      await db.primary.execute('DELETE FROM profile_cache_repairs WHERE user_id = ? AND version <= ?', [
        userId,
        version,
      ]);
    },

    async pendingRepairs(limit: number): Promise<PendingRepair[]> {
      const [rows] = await db.primary.query<RowDataPacket[]>(
        'SELECT user_id, version FROM profile_cache_repairs ORDER BY created_at LIMIT ?',
        [limit],
      );
      return rows.map((r) => ({ userId: r.user_id as string, version: Number(r.version) }));
    },
  };
}

export type UsersStore = ReturnType<typeof createUsersStore>;
