-- Queries DBeaver sends to PostgreSQL through pgjdbc (prepared statements,
-- hence $n parameters), from its PostgreSQL plugin
-- (plugins/org.jkiss.dbeaver.ext.postgresql: PostgreDataSource,
-- PostgreDatabase, PostgreSchema): connect, the database and schema lists,
-- then, as the navigator opens the public schema and a table, its types,
-- tables, columns, constraints, indexes, functions, and the data editor's
-- first page. Golden input.

-- step: dbeaver-connect
-- protocol: extended <unnamed>
SET extra_float_digits = 3
-- ----

-- step: dbeaver-connect
-- protocol: extended <unnamed>
SELECT current_database()
-- ----

-- step: dbeaver-connect
-- protocol: extended <unnamed>
-- params: $1 = 'streamsql'
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE 1 = 1 AND datallowconn AND NOT datistemplate OR db.datname =$1
ORDER BY db.datname
-- ----

-- step: dbeaver-connect
-- protocol: extended <unnamed>
SELECT version()
-- ----

-- step: dbeaver-connect
-- protocol: extended <unnamed>
-- params: $1 = 'search_path'
SELECT reset_val FROM pg_settings WHERE name = $1
-- ----

-- step: dbeaver-connect
-- protocol: extended <unnamed>
SELECT current_schema(),session_user
-- ----

-- step: dbeaver-database
-- protocol: extended <unnamed>
-- params: $1 = 'streamsql'
SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname=$1
-- ----

-- step: dbeaver-database
-- protocol: extended <unnamed>
SELECT a.oid,a.* FROM pg_catalog.pg_roles a
ORDER BY a.oid
-- ----

-- step: dbeaver-database
-- protocol: extended <unnamed>
SELECT am.oid,am.* FROM pg_catalog.pg_am am
ORDER BY am.oid
-- ----

-- step: dbeaver-database
-- protocol: extended <unnamed>
SELECT t.oid,t.*,pg_tablespace_location(t.oid) loc
FROM pg_catalog.pg_tablespace t
ORDER BY t.oid
-- ----

-- step: dbeaver-database
-- protocol: extended <unnamed>
SELECT l.oid,l.*,p.pronamespace as handler_schema_id 
FROM pg_catalog.pg_language l
LEFT OUTER JOIN pg_catalog.pg_proc p ON p.oid=l.lanplcallfoid
ORDER BY l.oid
-- ----

-- step: dbeaver-schemas
-- protocol: extended <unnamed>
SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass
 ORDER BY nspname
-- ----

-- step: dbeaver-types
-- protocol: extended <unnamed>
-- params: $1 = '11'
SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description
FROM pg_catalog.pg_type t
LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem
LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid
LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid
WHERE t.typname IS NOT NULL
AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C')
AND t.typnamespace=$1
ORDER BY t.oid
-- ----

-- step: dbeaver-tables
-- protocol: extended <unnamed>
-- params: $1 = '2200'
SELECT c.oid,c.*,d.description,(select array_agg(i.inhparent) from pg_catalog.pg_inherits i where i.inhrelid = c.oid) parents
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0
WHERE c.relnamespace=$1 AND c.relkind not in ('i','c')
-- ----

-- step: dbeaver-tables
-- protocol: extended <unnamed>
-- params: $1 = '2200'
select c.oid,pg_catalog.pg_total_relation_size(c.oid) as total_rel_size,pg_catalog.pg_relation_size(c.oid) as rel_size
FROM pg_class c
WHERE c.relnamespace=$1
-- ----

-- step: dbeaver-columns
-- protocol: extended <unnamed>
-- params: $1 = '2200'
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
WHERE NOT a.attisdropped AND c.relnamespace=$1 AND c.relkind not in ('i','c')  ORDER BY a.attnum
-- ----

-- step: dbeaver-columns
-- protocol: extended <unnamed>
-- params: $1 = '16385'
SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description
FROM pg_catalog.pg_attribute a
INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)
LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)
LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)
WHERE NOT a.attisdropped AND c.oid=$1 ORDER BY a.attnum
-- ----

-- step: dbeaver-constraints
-- protocol: extended <unnamed>
-- params: $1 = '16385'
SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace
FROM pg_catalog.pg_constraint c
INNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid
LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid
WHERE c.conrelid=$1
ORDER BY c.oid
-- ----

-- step: dbeaver-indexes
-- protocol: extended <unnamed>
-- params: $1 = '16385'
SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,tc.relname as tabrelname,dsc.description,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr
FROM pg_catalog.pg_index i
INNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid
INNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid
LEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid
WHERE  i.indrelid=$1 ORDER BY c.relname
-- ----

-- step: dbeaver-functions
-- protocol: extended <unnamed>
-- params: $1 = '2200'
SELECT p.oid,p.*,d.description
FROM pg_catalog.pg_proc p
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=p.oid
WHERE p.pronamespace=$1
ORDER BY p.proname
-- ----

-- step: dbeaver-collations
-- protocol: extended <unnamed>
-- params: $1 = '2200'
SELECT c.oid,c.* FROM pg_catalog.pg_collation c 
WHERE c.collnamespace=$1
ORDER BY c.oid
-- ----

-- step: dbeaver-extensions
-- protocol: extended <unnamed>
-- params: $1 = '2200'
SELECT e.oid,e.* FROM pg_catalog.pg_extension e 
WHERE e.extnamespace=$1
ORDER BY e.oid
-- ----

-- step: dbeaver-view
-- protocol: extended <unnamed>
-- params: $1 = '16394'
SELECT pg_catalog.pg_get_viewdef($1, true)
-- ----

-- step: dbeaver-data
-- protocol: extended <unnamed>
SELECT * FROM public.orders
-- ----

-- step: dbeaver-data
-- protocol: extended <unnamed>
SELECT count(*) FROM public.orders
-- ----

