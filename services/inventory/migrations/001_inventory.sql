-- Inventory schema (database `inventory`). The invariant checkers read these tables directly on the
-- primary, so every column name is plain and every quantity is an integer number of units.
--
-- skus(sku, name, price_minor, currency, created_at, updated_at)
--     The catalogue. Ids are at most 64 characters of [A-Za-z0-9._:-], compared byte by byte
--     (ascii_bin: case-sensitive, and sorted in the same order as JavaScript strings).
-- warehouses(warehouse_id, name, created_at)
-- fences(sku, token)
--     One row per SKU: the highest ZooKeeper fencing token (czxid of a lock node) that has written
--     the SKU's stock. Only the `zk+db` and `zk` lock strategies use it; see services/inventory/fence.ts.
-- stock(sku, warehouse_id, available, reserved, sold, received, adjusted, updated_at)
--     Current level per (sku, warehouse). Always, per row:
--         available + reserved + sold = received + adjusted,   available, reserved, sold >= 0
--     (both enforced by CHECK constraints as a last line of defence).
--     received: units restocked, plus units transferred in, minus units transferred out (it can
--     go below zero when units that came in by a positive adjustment are transferred away).
--     adjusted: signed sum of adjustments (shrinkage, counting corrections).
--     The API's StockLevel.received is received + adjusted.
-- movements(id, sku, warehouse_id, kind, d_available, d_reserved, d_sold, d_received, d_adjusted,
--           order_id, idempotency_key, reason, fence_token, instance, created_at)
--     The append-only ledger: one row per change of one stock row, with the signed deltas of each
--     column. Rows are only ever inserted. For every (sku, warehouse):
--         SUM(d_x) over its movements = stock.x          for x in available, reserved, sold, received, adjusted
--     and for every single movement d_available + d_reserved + d_sold = d_received + d_adjusted.
--     kind:  receive       restock                      d_available=+q d_received=+q      idempotency_key
--            reserve       order reserved               d_available=-q d_reserved=+q      order_id
--            release       reservation released         d_available=+q d_reserved=-q      order_id, reason
--            expire        reservation expired (TTL)    d_available=+q d_reserved=-q      order_id
--            sell          reservation committed        d_reserved=-q  d_sold=+q          order_id
--            adjust        signed correction            d_available=d  d_adjusted=d       idempotency_key, reason
--            transfer_out  units leaving a warehouse    d_available=-q d_received=-q      idempotency_key
--            transfer_in   units arriving               d_available=+q d_received=+q      idempotency_key
--     fence_token is the fencing token the writing batch held (NULL under `db` and `none`).
-- reservations(order_id, state, expires_at, reason, created_at, updated_at)
--     state: HELD (units counted in stock.reserved), COMMITTED (counted in stock.sold), RELEASED or
--     EXPIRED (units returned to available). Only HELD changes state, exactly once.
-- reservation_lines(order_id, sku, warehouse_id, quantity)
--     The allocation of a reservation: how many units of which SKU come from which warehouse.
--     So, per (sku, warehouse): stock.reserved = SUM(quantity) of HELD reservations and
--     stock.sold = SUM(quantity) of COMMITTED ones.
-- Secondary indexes are kept to what the service queries (the sweeper's (state, expires_at)):
-- every index is paid for on the hot path by each reservation; audits scan whole tables.
-- idempotency_keys(idempotency_key, kind, sku, warehouse_id, to_warehouse_id, quantity, created_at)
--     Restock / Adjust / Transfer requests already applied (a retry with the same key is a no-op).

CREATE TABLE skus (
  sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL DEFAULT '',
  price_minor BIGINT NOT NULL DEFAULT 0,
  currency CHAR(3) NOT NULL DEFAULT 'EUR',
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  CONSTRAINT skus_price_nonnegative CHECK (price_minor >= 0)
) ENGINE=InnoDB;

CREATE TABLE warehouses (
  warehouse_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)
) ENGINE=InnoDB;

CREATE TABLE fences (
  sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  token BIGINT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB;

CREATE TABLE stock (
  sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  warehouse_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  available BIGINT NOT NULL DEFAULT 0,
  reserved BIGINT NOT NULL DEFAULT 0,
  sold BIGINT NOT NULL DEFAULT 0,
  received BIGINT NOT NULL DEFAULT 0,
  adjusted BIGINT NOT NULL DEFAULT 0,
  updated_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  PRIMARY KEY (sku, warehouse_id),
  KEY stock_by_warehouse (warehouse_id, sku),
  CONSTRAINT stock_available_nonnegative CHECK (available >= 0),
  CONSTRAINT stock_reserved_nonnegative CHECK (reserved >= 0),
  CONSTRAINT stock_sold_nonnegative CHECK (sold >= 0),
  CONSTRAINT stock_conserved CHECK (available + reserved + sold = received + adjusted)
) ENGINE=InnoDB;

CREATE TABLE movements (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  warehouse_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind ENUM('receive','reserve','release','expire','sell','adjust','transfer_out','transfer_in') NOT NULL,
  d_available BIGINT NOT NULL DEFAULT 0,
  d_reserved BIGINT NOT NULL DEFAULT 0,
  d_sold BIGINT NOT NULL DEFAULT 0,
  d_received BIGINT NOT NULL DEFAULT 0,
  d_adjusted BIGINT NOT NULL DEFAULT 0,
  order_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  idempotency_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  reason VARCHAR(200) NULL,
  fence_token BIGINT UNSIGNED NULL,
  instance VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)
) ENGINE=InnoDB;

CREATE TABLE reservations (
  order_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  state ENUM('HELD','COMMITTED','RELEASED','EXPIRED') NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  reason VARCHAR(200) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  KEY reservations_by_expiry (state, expires_at)
) ENGINE=InnoDB;

CREATE TABLE reservation_lines (
  order_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  warehouse_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  quantity INT NOT NULL,
  PRIMARY KEY (order_id, sku, warehouse_id),
  CONSTRAINT reservation_lines_quantity_positive CHECK (quantity > 0)
) ENGINE=InnoDB;

CREATE TABLE idempotency_keys (
  idempotency_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  kind ENUM('receive','adjust','transfer') NOT NULL,
  sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  warehouse_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  to_warehouse_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  quantity BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)
) ENGINE=InnoDB;
