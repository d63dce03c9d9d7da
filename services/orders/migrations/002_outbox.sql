-- Transactional outbox (platform/outbox): domain events written in the same transaction as the
-- business change they describe, then moved to the Redis Stream "ecom:events" by the relay.
-- A relayed row keeps the Redis "epoch" it went to and stays for a retention period, so events a
-- restarted (empty) Redis lost are relayed again; consumers deduplicate on event_id.
CREATE TABLE outbox (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  event_id      CHAR(36)     NOT NULL,
  type          VARCHAR(64)  NOT NULL,
  -- The whole event (envelope and data), JSON.
  payload       MEDIUMTEXT   NOT NULL,
  created_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  relayed_at    DATETIME(6)  NULL,
  relayed_epoch VARCHAR(32)  NULL,
  PRIMARY KEY (id),
  KEY ix_outbox_pending (relayed_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
