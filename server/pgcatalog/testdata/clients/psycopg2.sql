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

-- step: psycopg2-types
-- protocol: simple
SELECT id, customer, amount, ts, ok, tags FROM orders WHERE id = 1
-- ----

-- step: psycopg2-named-cursor
-- protocol: simple
BEGIN
-- ----

-- step: psycopg2-named-cursor
-- protocol: simple
DECLARE "compat_cursor" CURSOR WITHOUT HOLD FOR SELECT id FROM orders WHERE id >= 1 ORDER BY id
-- ----

-- step: psycopg2-named-cursor
-- protocol: simple
FETCH FORWARD 1 FROM "compat_cursor"
-- ----

-- step: psycopg2-named-cursor
-- protocol: simple
FETCH FORWARD 1 FROM "compat_cursor"
-- ----

-- step: psycopg2-named-cursor
-- protocol: simple
FETCH FORWARD 1 FROM "compat_cursor"
-- ----

-- step: psycopg2-named-cursor
-- protocol: simple
CLOSE "compat_cursor"
-- ----

-- step: psycopg2-named-cursor
-- protocol: simple
COMMIT
-- ----

-- step: psycopg2-copy-expert
-- protocol: simple
COPY (SELECT id, customer FROM orders ORDER BY id) TO STDOUT WITH CSV HEADER
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

