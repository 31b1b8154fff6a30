-- Queries Grafana's PostgreSQL data source sends: the health check of
-- the backend, the version and TimescaleDB detection of the configuration
-- page, and the schema, table and column lists of the query editor
-- (public/app/plugins/datasource/grafana-postgresql-datasource/
-- postgresMetaQuery.ts), then dashboard queries as the backend expands
-- $__time(), $__timeFilter() and $__timeGroupAlias(). Golden input.

-- step: grafana-health
-- protocol: extended <unnamed>
SELECT 1
-- ----

-- step: grafana-config
-- protocol: extended <unnamed>
SELECT current_setting('server_version_num')::int/100 as version
-- ----

-- step: grafana-config
-- protocol: extended <unnamed>
SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'
-- ----

-- step: grafana-schemas
-- protocol: extended <unnamed>
SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name
-- ----

-- step: grafana-tables
-- protocol: extended <unnamed>
SELECT
    CASE WHEN 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          ) THEN 0 ELSE 1 END, 1
-- ----

-- step: grafana-tables-schema
-- protocol: extended <unnamed>
SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'public'
      ORDER BY 1
-- ----

-- step: grafana-columns
-- protocol: extended <unnamed>
SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('orders'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('orders'))[1]
          AND quote_ident(table_name) = (parse_ident('orders'))[2]
        ELSE quote_ident(table_name) = 'orders'
          AND 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      END
-- ----

-- step: grafana-columns
-- protocol: extended <unnamed>
SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('public.order_totals'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('public.order_totals'))[1]
          AND quote_ident(table_name) = (parse_ident('public.order_totals'))[2]
        ELSE quote_ident(table_name) = 'public.order_totals'
          AND 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      END
-- ----

-- step: grafana-panel-time-series
-- protocol: extended <unnamed>
SELECT
  ts AS "time",
  amount
FROM orders
WHERE
  ts BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-03T00:00:00Z'
ORDER BY 1
-- ----

-- step: grafana-panel-time-group
-- protocol: extended <unnamed>
SELECT
  floor(extract(epoch from ts)/3600)*3600 AS "time",
  customer AS metric,
  sum(amount) AS total
FROM orders
WHERE
  ts BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-03T00:00:00Z'
GROUP BY 1, 2
ORDER BY 1, 2
-- ----

-- step: grafana-panel-epoch-filter
-- protocol: extended <unnamed>
SELECT
  extract(epoch from ts) AS "time",
  amount
FROM orders
WHERE
  ts >= to_timestamp(1704067200) AND ts <= to_timestamp(1704240000)
ORDER BY 1
-- ----

-- step: grafana-variable
-- protocol: extended <unnamed>
SELECT DISTINCT customer FROM order_totals ORDER BY 1
-- ----

