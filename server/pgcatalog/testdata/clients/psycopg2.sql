-- Queries psycopg2 sent to PostgreSQL 15, recorded by testdata/compat (see
-- extract_log.py there for the format). Golden input: keep as recorded.

-- step: psycopg2-version
-- protocol: simple
SELECT version()
-- ----

-- step: psycopg2-params
-- protocol: simple
SELECT 41::int + 1, 'it''s'::text, NULL
-- ----

-- step: psycopg2-query-table
-- protocol: simple
SELECT * FROM orders WHERE id > 0
-- ----

-- step: psycopg2-query-matview
-- protocol: simple
SELECT * FROM order_totals
-- ----

-- step: psycopg2-transaction
-- protocol: simple
BEGIN
-- ----

-- step: psycopg2-transaction
-- protocol: simple
SELECT 1
-- ----

-- step: psycopg2-transaction
-- protocol: simple
COMMIT
-- ----

