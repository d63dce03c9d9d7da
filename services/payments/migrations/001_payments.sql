-- Payments: one row per Charge idempotency key, written as an intent (PENDING) before the gateway
-- is called with the same key, settled from the gateway's answer or, when the answer was lost,
-- from asking the gateway (GET /v1/charges?idempotency_key=…).
--
-- A PENDING row is driven by at most one caller at a time: the one holding its lease
-- (lease_owner until lease_until). A caller that takes over an expired lease re-sends the same
-- idempotent request; the settler asks the gateway about PENDING rows whose lease expired.
CREATE TABLE payments (
  payment_id        VARCHAR(40)  NOT NULL,
  idempotency_key   VARCHAR(255) NOT NULL,
  -- sha256 of order_id, user_id, amount, currency and payment token: a reused key is detected.
  request_hash      CHAR(64)     NOT NULL,
  order_id          VARCHAR(255) NOT NULL,
  user_id           VARCHAR(255) NOT NULL,
  amount_minor      BIGINT       NOT NULL,
  currency          CHAR(3)      NOT NULL,
  status            ENUM('PENDING', 'CAPTURED', 'DECLINED', 'FAILED', 'REFUNDED', 'PARTIALLY_REFUNDED') NOT NULL,
  refunded_minor    BIGINT       NOT NULL DEFAULT 0,
  gateway_charge_id VARCHAR(64)  NULL,
  failure_reason    VARCHAR(255) NULL,
  fraud_score       DOUBLE       NULL,
  lease_owner       VARCHAR(80)  NULL,
  lease_until       TIMESTAMP(3) NULL,
  attempts          INT          NOT NULL DEFAULT 0,
  created_at        TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at        TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (payment_id),
  UNIQUE KEY uq_payments_idempotency_key (idempotency_key),
  KEY ix_payments_order_id (order_id),
  KEY ix_payments_pending (status, lease_until),
  CONSTRAINT ck_payments_amount CHECK (amount_minor > 0),
  CONSTRAINT ck_payments_refunded CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor)
) ENGINE = InnoDB;

-- Refunds of a payment, each once per idempotency key. A PENDING refund reserves its amount: the
-- sum of SUCCEEDED and PENDING refunds never exceeds the payment's amount.
CREATE TABLE refunds (
  refund_id         VARCHAR(40)  NOT NULL,
  idempotency_key   VARCHAR(255) NOT NULL,
  -- sha256 of payment_id, requested amount (0 = the whole remainder) and currency.
  request_hash      CHAR(64)     NOT NULL,
  payment_id        VARCHAR(40)  NOT NULL,
  amount_minor      BIGINT       NOT NULL,
  currency          CHAR(3)      NOT NULL,
  reason            VARCHAR(255) NULL,
  status            ENUM('PENDING', 'SUCCEEDED', 'FAILED') NOT NULL,
  gateway_refund_id VARCHAR(64)  NULL,
  failure_reason    VARCHAR(255) NULL,
  lease_owner       VARCHAR(80)  NULL,
  lease_until       TIMESTAMP(3) NULL,
  attempts          INT          NOT NULL DEFAULT 0,
  created_at        TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at        TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (refund_id),
  UNIQUE KEY uq_refunds_idempotency_key (idempotency_key),
  KEY ix_refunds_payment (payment_id, status),
  KEY ix_refunds_pending (status, lease_until),
  CONSTRAINT ck_refunds_amount CHECK (amount_minor > 0)
) ENGINE = InnoDB;
