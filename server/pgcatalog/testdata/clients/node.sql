-- Queries node sent to PostgreSQL 15, recorded by testdata/compat (see
-- extract_log.py there for the format). Golden input: keep as recorded.

-- step: node-params
-- protocol: extended <unnamed>
-- params: $1 = '41', $2 = 'it''s', $3 = NULL
SELECT $1::int + 1 AS n, $2::text AS s, $3::text AS z
-- ----

-- step: node-rowmode-array
-- protocol: extended <unnamed>
-- params: $1 = '7', $2 = 't'
SELECT $1::bigint AS a, $2::bool AS b
-- ----

-- step: node-query-table
-- protocol: extended <unnamed>
-- params: $1 = '0'
SELECT * FROM orders WHERE id > $1
-- ----

-- step: node-query-matview
-- protocol: simple
SELECT * FROM order_totals
-- ----

-- step: node-named-prepared
-- protocol: extended count_gt
-- params: $1 = '0'
SELECT count(*) FROM orders WHERE id > $1
-- ----

-- step: node-named-prepared
-- protocol: extended count_gt
-- params: $1 = '1'
SELECT count(*) FROM orders WHERE id > $1
-- ----

-- step: node-named-prepared
-- protocol: extended count_gt
-- params: $1 = '2'
SELECT count(*) FROM orders WHERE id > $1
-- ----

-- step: node-transaction
-- protocol: simple
BEGIN
-- ----

-- step: node-transaction
-- protocol: simple
SELECT 1 AS one
-- ----

-- step: node-transaction
-- protocol: simple
COMMIT
-- ----

