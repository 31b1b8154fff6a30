#!/bin/sh
# Records what the compatibility clients send to a real PostgreSQL 15 and
# rewrites the golden inputs in server/pgcatalog/testdata/clients.
#
# Needs (Debian): postgresql-15 postgresql-client libpostgresql-jdbc-java
# default-jdk-headless python3-psycopg2 python3-sqlalchemy, and node-postgres
# (npm install pg) in $NODE_PATH. Run as root from the repository root:
#
#	NODE_PATH=/tmp/nodepg/node_modules sh testdata/compat/record.sh
#
# It starts a throwaway cluster in a temporary directory, on port 54315,
# and stops it when done.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../server/pgcatalog/testdata/clients
port=${PGPORT_RECORD:-54315}
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/pgrecord.XXXXXX)
chown postgres "$dir"
cleanup() {
	su postgres -c "$bin/pg_ctl -D $dir/data -m fast stop" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

su postgres -c "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
log_statement = 'all'
log_line_prefix = '%m [%p] %a: '
CONF
su postgres -c "$bin/pg_ctl -D $dir/data -l $dir/log.txt -w start" >/dev/null
psql -X -q -h 127.0.0.1 -p "$port" -U postgres -c 'CREATE DATABASE streamsql'
psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d streamsql -f "$here/postgres_setup.sql"
start=$(stat -c %s "$dir/log.txt")

javac -d "$dir/java" "$here/java/Compat.java"
sh "$here/psql.sh" 127.0.0.1 "$port" streamsql postgres >/dev/null
java -cp "/usr/share/java/postgresql.jar:$dir/java" Compat 127.0.0.1 "$port" streamsql postgres >/dev/null
/usr/bin/python3 "$here/python/psycopg2_compat.py" 127.0.0.1 "$port" streamsql postgres >/dev/null
/usr/bin/python3 "$here/python/sqlalchemy_compat.py" 127.0.0.1 "$port" streamsql postgres >/dev/null
node "$here/node/pg_compat.js" 127.0.0.1 "$port" streamsql postgres >/dev/null

tail -c +"$((start + 1))" "$dir/log.txt" >"$dir/capture.log"
/usr/bin/python3 "$here/extract_log.py" "$dir/capture.log" "$out"
echo "recorded into $out"
