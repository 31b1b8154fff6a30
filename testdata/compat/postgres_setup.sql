-- The objects the compatibility clients expect, on PostgreSQL 15 (record.sh).
-- streamsqld_setup.sql creates the same names on streamsqld.
CREATE TABLE orders (id bigint NOT NULL, customer varchar(20), amount numeric(10,2), ts timestamp, tags text[], ok boolean);
CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;
CREATE MATERIALIZED VIEW order_totals AS SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer;
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE clicks (user_id int, url text, ts timestamptz) SERVER files OPTIONS (filename '/dev/null', format 'csv');
INSERT INTO orders VALUES (1, 'ann', 150.5, '2024-01-01 10:00', '{a,b}', true), (2, 'bob', 20, '2024-01-02', NULL, false);
REFRESH MATERIALIZED VIEW order_totals;
