-- The objects the compatibility clients expect, on streamsqld: a table, a
-- materialized view over it and a source (a foreign table in pg_class).
-- streamsqld has no plain views: pass the materialized view as psql.sh's
-- VIEW argument.
CREATE TABLE orders (id BIGINT, customer VARCHAR(20), amount NUMERIC(10,2), ts TIMESTAMP, tags TEXT[], ok BOOLEAN);
INSERT INTO orders VALUES (1, 'ann', 150.5, TIMESTAMP '2024-01-01 10:00:00', ARRAY['a', 'b'], true),
    (2, 'bob', 20, TIMESTAMP '2024-01-02 00:00:00', NULL, false);
CREATE MATERIALIZED VIEW order_totals AS SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer;
CREATE SOURCE clicks (user_id INT, url TEXT, ts TIMESTAMP)
    WITH (connector = 'datagen', rows.per.second = '10', fields.user_id.kind = 'sequence') FORMAT JSON;
