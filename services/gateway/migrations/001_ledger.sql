-- The payment gateway simulator's ledger: the ground truth of money moved. Invariant checkers read
-- these tables directly from the primary (database `gateway`).
--
-- charges: one row per charge the gateway accepted (declines included), created once per
-- idempotency key.
--   charge_id        "ch_<24 hex>"
--   idempotency_key  the caller's Idempotency-Key header; unique (a retry replays the same row)
--   request_hash     sha256 of the request parameters; the same key with other parameters is refused
--   order_id         metadata.order_id of the request (NULL when the caller sent none)
--   user_id          metadata.user_id of the request (NULL when none)
--   amount_minor     amount asked for, in minor units (cents)
--   currency         ISO 4217 code, upper case
--   status           'declined'   no money moved (failure_code says why)
--                    'authorized' held, not captured (capture=false; money not moved yet)
--                    'captured'   money moved: captured_minor taken from the customer
--   captured_minor   amount captured (0 unless status = 'captured')
--   refunded_minor   sum of the succeeded refunds of this charge (never more than captured_minor)
--   failure_code     e.g. 'card_declined' when declined, else NULL
--   metadata_json    the request's metadata object
--   created_at, captured_at, updated_at
-- Money kept from a charge = captured_minor - refunded_minor.
--
-- refunds: one row per succeeded refund (refused refunds are not recorded).
--   refund_id "re_<24 hex>", idempotency_key (unique), request_hash, charge_id, order_id (copied
--   from the charge), amount_minor, currency, reason, created_at.
CREATE TABLE charges (
  charge_id       VARCHAR(32)  NOT NULL,
  idempotency_key VARCHAR(255) NOT NULL,
  request_hash    CHAR(64)     NOT NULL,
  order_id        VARCHAR(255) NULL,
  user_id         VARCHAR(255) NULL,
  amount_minor    BIGINT       NOT NULL,
  currency        CHAR(3)      NOT NULL,
  status          ENUM('declined', 'authorized', 'captured') NOT NULL,
  captured_minor  BIGINT       NOT NULL DEFAULT 0,
  refunded_minor  BIGINT       NOT NULL DEFAULT 0,
  failure_code    VARCHAR(64)  NULL,
  metadata_json   TEXT         NOT NULL,
  created_at      TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  captured_at     TIMESTAMP(6) NULL,
  updated_at      TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (charge_id),
  UNIQUE KEY uq_charges_idempotency_key (idempotency_key),
  KEY ix_charges_order_id (order_id),
  CONSTRAINT ck_charges_amount CHECK (amount_minor > 0),
  CONSTRAINT ck_charges_refunded CHECK (refunded_minor >= 0 AND refunded_minor <= captured_minor)
) ENGINE = InnoDB;

CREATE TABLE refunds (
  refund_id       VARCHAR(32)  NOT NULL,
  idempotency_key VARCHAR(255) NOT NULL,
  request_hash    CHAR(64)     NOT NULL,
  charge_id       VARCHAR(32)  NOT NULL,
  order_id        VARCHAR(255) NULL,
  amount_minor    BIGINT       NOT NULL,
  currency        CHAR(3)      NOT NULL,
  reason          VARCHAR(255) NULL,
  created_at      TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (refund_id),
  UNIQUE KEY uq_refunds_idempotency_key (idempotency_key),
  KEY ix_refunds_charge_id (charge_id),
  CONSTRAINT ck_refunds_amount CHECK (amount_minor > 0)
) ENGINE = InnoDB;
