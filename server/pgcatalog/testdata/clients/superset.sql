-- Queries Superset sends to PostgreSQL (SQLAlchemy 1.4 and psycopg2, as
-- superset/db_engine_specs/postgres.py drives them): test connection, the
-- schema and table lists of SQL Lab (tables, views, foreign tables,
-- materialized views), a table's metadata (columns, keys, indexes, comment,
-- unique and check constraints) with its data preview, and a view's
-- definition. Recorded from PostgreSQL 15 by running those inspector calls
-- with application_name set per step. Golden input.

-- step: superset-test-connection
-- protocol: simple
BEGIN
-- ----

-- step: superset-test-connection
-- protocol: simple
SELECT t.oid, typarray
FROM pg_type t JOIN pg_namespace ns
    ON typnamespace = ns.oid
WHERE typname = 'hstore';
-- ----

-- step: superset-test-connection
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-test-connection
-- protocol: simple
BEGIN
-- ----

-- step: superset-test-connection
-- protocol: simple
select pg_catalog.version()
-- ----

-- step: superset-test-connection
-- protocol: simple
select current_schema()
-- ----

-- step: superset-test-connection
-- protocol: simple
show transaction isolation level
-- ----

-- step: superset-test-connection
-- protocol: simple
show standard_conforming_strings
-- ----

-- step: superset-test-connection
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-test-connection
-- protocol: simple
BEGIN
-- ----

-- step: superset-test-connection
-- protocol: simple
SELECT 1
-- ----

-- step: superset-test-connection
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-schemas
-- protocol: simple
BEGIN
-- ----

-- step: superset-schemas
-- protocol: simple
SELECT t.oid, typarray
FROM pg_type t JOIN pg_namespace ns
    ON typnamespace = ns.oid
WHERE typname = 'hstore';
-- ----

-- step: superset-schemas
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-schemas
-- protocol: simple
BEGIN
-- ----

-- step: superset-schemas
-- protocol: simple
select pg_catalog.version()
-- ----

-- step: superset-schemas
-- protocol: simple
select current_schema()
-- ----

-- step: superset-schemas
-- protocol: simple
show transaction isolation level
-- ----

-- step: superset-schemas
-- protocol: simple
show standard_conforming_strings
-- ----

-- step: superset-schemas
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-schemas
-- protocol: simple
BEGIN
-- ----

-- step: superset-schemas
-- protocol: simple
SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%' ORDER BY nspname
-- ----

-- step: superset-schemas
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-tables
-- protocol: simple
BEGIN
-- ----

-- step: superset-tables
-- protocol: simple
SELECT t.oid, typarray
FROM pg_type t JOIN pg_namespace ns
    ON typnamespace = ns.oid
WHERE typname = 'hstore';
-- ----

-- step: superset-tables
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-tables
-- protocol: simple
BEGIN
-- ----

-- step: superset-tables
-- protocol: simple
select pg_catalog.version()
-- ----

-- step: superset-tables
-- protocol: simple
select current_schema()
-- ----

-- step: superset-tables
-- protocol: simple
show transaction isolation level
-- ----

-- step: superset-tables
-- protocol: simple
show standard_conforming_strings
-- ----

-- step: superset-tables
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-tables
-- protocol: simple
BEGIN
-- ----

-- step: superset-tables
-- protocol: simple
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind in ('r', 'p')
-- ----

-- step: superset-tables
-- protocol: simple
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')
-- ----

-- step: superset-tables
-- protocol: simple
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'f'
-- ----

-- step: superset-tables
-- protocol: simple
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('m')
-- ----

-- step: superset-tables
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-table
-- protocol: simple
BEGIN
-- ----

-- step: superset-table
-- protocol: simple
SELECT t.oid, typarray
FROM pg_type t JOIN pg_namespace ns
    ON typnamespace = ns.oid
WHERE typname = 'hstore';
-- ----

-- step: superset-table
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-table
-- protocol: simple
BEGIN
-- ----

-- step: superset-table
-- protocol: simple
select pg_catalog.version()
-- ----

-- step: superset-table
-- protocol: simple
select current_schema()
-- ----

-- step: superset-table
-- protocol: simple
show transaction isolation level
-- ----

-- step: superset-table
-- protocol: simple
show standard_conforming_strings
-- ----

-- step: superset-table
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-table
-- protocol: simple
BEGIN
-- ----

-- step: superset-table
-- protocol: simple

            SELECT c.oid
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname = 'public')
            AND c.relname = 'orders' AND c.relkind in
            ('r', 'v', 'm', 'f', 'p')
-- ----

-- step: superset-table
-- protocol: simple

            SELECT a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod),
              (
                SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid)
                FROM pg_catalog.pg_attrdef d
                WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                AND a.atthasdef
              ) AS DEFAULT,
              a.attnotnull,
              a.attrelid as table_oid,
              pgd.description as comment,
              a.attgenerated as generated,
                              (SELECT json_build_object(
                    'always', a.attidentity = 'a',
                    'start', s.seqstart,
                    'increment', s.seqincrement,
                    'minvalue', s.seqmin,
                    'maxvalue', s.seqmax,
                    'cache', s.seqcache,
                    'cycle', s.seqcycle)
                FROM pg_catalog.pg_sequence s
                JOIN pg_catalog.pg_class c on s.seqrelid = c."oid"
                WHERE c.relkind = 'S'
                AND a.attidentity != ''
                AND s.seqrelid = pg_catalog.pg_get_serial_sequence(
                    a.attrelid::regclass::text, a.attname
                )::regclass::oid
                ) as identity_options                
            FROM pg_catalog.pg_attribute a
            LEFT JOIN pg_catalog.pg_description pgd ON (
                pgd.objoid = a.attrelid AND pgd.objsubid = a.attnum)
            WHERE a.attrelid = 16385
            AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
-- ----

-- step: superset-table
-- protocol: simple

            SELECT t.typname as "name",
               pg_catalog.format_type(t.typbasetype, t.typtypmod) as "attype",
               not t.typnotnull as "nullable",
               t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema"
            FROM pg_catalog.pg_type t
               LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'd'
-- ----

-- step: superset-table
-- protocol: simple

            SELECT t.typname as "name",
               -- no enum defaults in 8.4 at least
               -- t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema",
               e.enumlabel as "label"
            FROM pg_catalog.pg_type t
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_catalog.pg_enum e ON t.oid = e.enumtypid
            WHERE t.typtype = 'e'
        ORDER BY "schema", "name", e.oid
-- ----

-- step: superset-table
-- protocol: simple

                SELECT a.attname
                FROM pg_attribute a JOIN (
                    SELECT unnest(ix.indkey) attnum,
                           generate_subscripts(ix.indkey, 1) ord
                    FROM pg_index ix
                    WHERE ix.indrelid = 16385 AND ix.indisprimary
                    ) k ON a.attnum=k.attnum
                WHERE a.attrelid = 16385
                ORDER BY k.ord
-- ----

-- step: superset-table
-- protocol: simple

        SELECT conname
           FROM  pg_catalog.pg_constraint r
           WHERE r.conrelid = 16385 AND r.contype = 'p'
           ORDER BY 1
-- ----

-- step: superset-table
-- protocol: simple

          SELECT r.conname,
                pg_catalog.pg_get_constraintdef(r.oid, true) as condef,
                n.nspname as conschema
          FROM  pg_catalog.pg_constraint r,
                pg_namespace n,
                pg_class c

          WHERE r.conrelid = 16385 AND
                r.contype = 'f' AND
                c.oid = confrelid AND
                n.oid = c.relnamespace
          ORDER BY 1
-- ----

-- step: superset-table
-- protocol: simple

              SELECT
                  i.relname as relname,
                  ix.indisunique, ix.indexprs,
                  a.attname, a.attnum, c.conrelid, ix.indkey::varchar,
                  ix.indoption::varchar, i.reloptions, am.amname,
                  pg_get_expr(ix.indpred, ix.indrelid),
                  ix.indnkeyatts as indnkeyatts
              FROM
                  pg_class t
                        join pg_index ix on t.oid = ix.indrelid
                        join pg_class i on i.oid = ix.indexrelid
                        left outer join
                            pg_attribute a
                            on t.oid = a.attrelid and a.attnum = ANY(ix.indkey)
                        left outer join
                            pg_constraint c
                            on (ix.indrelid = c.conrelid and
                                ix.indexrelid = c.conindid and
                                c.contype in ('p', 'u', 'x'))
                        left outer join
                            pg_am am
                            on i.relam = am.oid
              WHERE
                  t.relkind IN ('r', 'v', 'f', 'm', 'p')
                  and t.oid = 16385
                  and ix.indisprimary = 'f'
              ORDER BY
                  t.relname,
                  i.relname
-- ----

-- step: superset-table
-- protocol: simple

            SELECT
                pgd.description as table_comment
            FROM
                pg_catalog.pg_description pgd
            WHERE
                pgd.objsubid = 0 AND
                pgd.objoid = 16385
-- ----

-- step: superset-table
-- protocol: simple

            SELECT
                cons.conname as name,
                cons.conkey as key,
                a.attnum as col_num,
                a.attname as col_name
            FROM
                pg_catalog.pg_constraint cons
                join pg_attribute a
                  on cons.conrelid = a.attrelid AND
                    a.attnum = ANY(cons.conkey)
            WHERE
                cons.conrelid = 16385 AND
                cons.contype = 'u'
-- ----

-- step: superset-table
-- protocol: simple

            SELECT
                cons.conname as name,
                pg_get_constraintdef(cons.oid) as src
            FROM
                pg_catalog.pg_constraint cons
            WHERE
                cons.conrelid = 16385 AND
                cons.contype = 'c'
-- ----

-- step: superset-table
-- protocol: simple
SELECT id, customer, amount, ts, tags, ok FROM public.orders LIMIT 100
-- ----

-- step: superset-table
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-view
-- protocol: simple
BEGIN
-- ----

-- step: superset-view
-- protocol: simple
SELECT t.oid, typarray
FROM pg_type t JOIN pg_namespace ns
    ON typnamespace = ns.oid
WHERE typname = 'hstore';
-- ----

-- step: superset-view
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-view
-- protocol: simple
BEGIN
-- ----

-- step: superset-view
-- protocol: simple
select pg_catalog.version()
-- ----

-- step: superset-view
-- protocol: simple
select current_schema()
-- ----

-- step: superset-view
-- protocol: simple
show transaction isolation level
-- ----

-- step: superset-view
-- protocol: simple
show standard_conforming_strings
-- ----

-- step: superset-view
-- protocol: simple
ROLLBACK
-- ----

-- step: superset-view
-- protocol: simple
BEGIN
-- ----

-- step: superset-view
-- protocol: simple

            SELECT c.oid
            FROM pg_catalog.pg_class c
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE (n.nspname = 'public')
            AND c.relname = 'order_totals' AND c.relkind in
            ('r', 'v', 'm', 'f', 'p')
-- ----

-- step: superset-view
-- protocol: simple

            SELECT a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod),
              (
                SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid)
                FROM pg_catalog.pg_attrdef d
                WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                AND a.atthasdef
              ) AS DEFAULT,
              a.attnotnull,
              a.attrelid as table_oid,
              pgd.description as comment,
              a.attgenerated as generated,
                              (SELECT json_build_object(
                    'always', a.attidentity = 'a',
                    'start', s.seqstart,
                    'increment', s.seqincrement,
                    'minvalue', s.seqmin,
                    'maxvalue', s.seqmax,
                    'cache', s.seqcache,
                    'cycle', s.seqcycle)
                FROM pg_catalog.pg_sequence s
                JOIN pg_catalog.pg_class c on s.seqrelid = c."oid"
                WHERE c.relkind = 'S'
                AND a.attidentity != ''
                AND s.seqrelid = pg_catalog.pg_get_serial_sequence(
                    a.attrelid::regclass::text, a.attname
                )::regclass::oid
                ) as identity_options                
            FROM pg_catalog.pg_attribute a
            LEFT JOIN pg_catalog.pg_description pgd ON (
                pgd.objoid = a.attrelid AND pgd.objsubid = a.attnum)
            WHERE a.attrelid = 16394
            AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
-- ----

-- step: superset-view
-- protocol: simple

            SELECT t.typname as "name",
               pg_catalog.format_type(t.typbasetype, t.typtypmod) as "attype",
               not t.typnotnull as "nullable",
               t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema"
            FROM pg_catalog.pg_type t
               LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'd'
-- ----

-- step: superset-view
-- protocol: simple

            SELECT t.typname as "name",
               -- no enum defaults in 8.4 at least
               -- t.typdefault as "default",
               pg_catalog.pg_type_is_visible(t.oid) as "visible",
               n.nspname as "schema",
               e.enumlabel as "label"
            FROM pg_catalog.pg_type t
                 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 LEFT JOIN pg_catalog.pg_enum e ON t.oid = e.enumtypid
            WHERE t.typtype = 'e'
        ORDER BY "schema", "name", e.oid
-- ----

-- step: superset-view
-- protocol: simple
SELECT pg_get_viewdef(c.oid) view_def FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = 'order_totals' AND c.relkind IN ('v', 'm')
-- ----

-- step: superset-view
-- protocol: simple
SELECT count(*) AS count FROM public.order_totals
-- ----

-- step: superset-view
-- protocol: simple
ROLLBACK
-- ----

