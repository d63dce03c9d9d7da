-- Aggregates of the domain events (platform/outbox/events.ts), built idempotently: an event is
-- applied in the same transaction that records its id in processed_events, so a redelivered event
-- (at-least-once delivery) is recognised and changes nothing.
CREATE TABLE processed_events (
  event_id     CHAR(36)    NOT NULL,
  -- The batch (transaction) that applied it: lets one statement tell new ids from duplicates.
  batch_id     CHAR(16)    NOT NULL,
  type         VARCHAR(64) NOT NULL,
  processed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (event_id),
  KEY ix_processed_at (processed_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- All-time counters: metric (e.g. orders_confirmed, revenue) and dimension (currency, reason, sku).
CREATE TABLE agg_totals (
  metric     VARCHAR(32)  NOT NULL,
  dim        VARCHAR(160) NOT NULL,
  value      BIGINT       NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (metric, dim),
  KEY ix_totals_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The same counters per second of the events' own time (occurredAt), kept for the windowed views.
CREATE TABLE agg_series (
  bucket     BIGINT       NOT NULL,
  metric     VARCHAR(32)  NOT NULL,
  dim        VARCHAR(160) NOT NULL,
  value      BIGINT       NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (bucket, metric, dim),
  KEY ix_series_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
