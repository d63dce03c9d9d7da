-- Orders and their saga state. One row per order; the saga's progress lives in status/saga_step,
-- the compensation still to do in compensation_todo, and the runner that owns it in the lease
-- columns (claimed_by, claim_token, lease_until). lease_until is NULL once no work is left, so the
-- recovery sweep only ever scans rows that still need a saga.
CREATE TABLE orders (
  order_id          CHAR(36)      NOT NULL,
  user_id           VARCHAR(128)  NOT NULL,
  idempotency_key   VARCHAR(128)  NOT NULL,
  -- sha256 of the request (lines, payment token, currency): a reused key with another request is refused.
  request_hash      CHAR(64)      NOT NULL,
  status            ENUM('PENDING','CONFIRMED','REJECTED','CANCELLED') NOT NULL,
  saga_step         VARCHAR(32)   NOT NULL,
  reject_reason     VARCHAR(32)   NULL,
  reject_detail     VARCHAR(512)  NULL,
  -- Comma-separated compensation actions still to run (e.g. "refund,release"); NULL outside compensation.
  compensation_todo VARCHAR(64)   NULL,
  cancel_requested  TINYINT(1)    NOT NULL DEFAULT 0,
  cancel_reason     VARCHAR(256)  NULL,
  currency          CHAR(3)       NOT NULL,
  total_minor       BIGINT        NOT NULL,
  -- An opaque payment-method token (a reference, never card data); needed to resume a charge.
  payment_token     VARCHAR(256)  NOT NULL,
  payment_id        VARCHAR(128)  NULL,
  claimed_by        VARCHAR(64)   NULL,
  claim_token       CHAR(36)      NULL,
  lease_until       DATETIME(3)   NULL,
  created_at        DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at        DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (order_id),
  UNIQUE KEY uq_orders_user_key (user_id, idempotency_key),
  KEY ix_orders_user_created (user_id, created_at, order_id),
  KEY ix_orders_lease (lease_until)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE order_lines (
  order_id         CHAR(36)     NOT NULL,
  line_no          SMALLINT     NOT NULL,
  sku              VARCHAR(64)  NOT NULL,
  quantity         INT          NOT NULL,
  unit_price_minor BIGINT       NOT NULL,
  PRIMARY KEY (order_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only history of saga transitions: what happened, when, on which instance, how long it took.
CREATE TABLE saga_events (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  order_id    CHAR(36)     NOT NULL,
  step        VARCHAR(32)  NOT NULL,
  detail      VARCHAR(512) NULL,
  instance    VARCHAR(64)  NOT NULL,
  duration_ms INT          NULL,
  at          DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_saga_events_order (order_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
