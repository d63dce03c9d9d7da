-- Users and their credentials. Emails are stored in canonical form (NFC, lower-case ASCII), so a
-- binary collation makes the unique key exact.
CREATE TABLE users (
  id CHAR(36) CHARACTER SET ascii NOT NULL,
  email VARCHAR(254) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  display_name VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  -- "$scrypt$ln=..,r=..,p=..$salt$hash": the parameters travel with the hash.
  password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
  -- Increases by one on every profile update; the cache only ever moves forward in version.
  version BIGINT UNSIGNED NOT NULL DEFAULT 1,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_users_email (email)
) ENGINE=InnoDB;

-- Refresh tokens, stored as SHA-256 of the token (a leaked table reveals no usable token).
-- Rotation marks a token used and inserts its successor in the same family; presenting a used
-- token again revokes the whole family (reuse detection).
CREATE TABLE refresh_tokens (
  token_hash BINARY(32) NOT NULL,
  user_id CHAR(36) CHARACTER SET ascii NOT NULL,
  family_id CHAR(36) CHARACTER SET ascii NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (token_hash),
  KEY ix_refresh_tokens_family (family_id),
  KEY ix_refresh_tokens_user (user_id)
) ENGINE=InnoDB;

-- Profile versions whose cache entry may not be written yet: inserted in the update's transaction,
-- deleted once the cache holds that version. Any instance re-applies what is left (Redis was down,
-- or the writer crashed between commit and cache write).
CREATE TABLE profile_cache_repairs (
  user_id CHAR(36) CHARACTER SET ascii NOT NULL,
  version BIGINT UNSIGNED NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id)
) ENGINE=InnoDB;
