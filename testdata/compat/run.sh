#!/bin/sh
# Runs the compatibility clients against a server that already holds the
# objects of streamsqld_setup.sql (or postgres_setup.sql):
#
#	sh testdata/compat/run.sh HOST PORT [DB] [USER]
#
# Each client checks what it reads and exits non-zero on a mismatch. A
# client whose runtime is missing is reported as SKIP. NODE_PATH must hold
# node-postgres (npm install pg). Exits non-zero if any client failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
host=${1:?host} port=${2:?port} db=${3:-streamsql} user=${4:-streamsql}
# streamsqld has no plain views; its materialized view stands in for one.
view=${COMPAT_VIEW:-order_totals}
failed=0 passed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # check NAME COMMAND...
	name=$1
	shift
	if "$@" >"$tmp/$name.out" 2>&1; then
		passed=$((passed + 1))
		echo "PASS $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		sed 's/^/    /' "$tmp/$name.out"
	fi
}

if command -v psql >/dev/null; then
	check psql sh "$here/psql.sh" "$host" "$port" "$db" "$user" orders "$view" order_totals clicks
else
	echo "SKIP psql: no psql on PATH (Debian: postgresql-client)"
fi
if command -v javac >/dev/null && [ -f /usr/share/java/postgresql.jar ]; then
	javac -d "$tmp/java" "$here/java/Compat.java" &&
		check jdbc java -cp "/usr/share/java/postgresql.jar:$tmp/java" Compat "$host" "$port" "$db" "$user" orders order_totals clicks
else
	echo "SKIP jdbc: needs javac and /usr/share/java/postgresql.jar (Debian: default-jdk-headless libpostgresql-jdbc-java)"
fi
if /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
	check psycopg2 /usr/bin/python3 "$here/python/psycopg2_compat.py" "$host" "$port" "$db" "$user"
else
	echo "SKIP psycopg2: /usr/bin/python3 cannot import psycopg2 (Debian: python3-psycopg2)"
fi
if /usr/bin/python3 -c 'import sqlalchemy' 2>/dev/null; then
	check sqlalchemy /usr/bin/python3 "$here/python/sqlalchemy_compat.py" "$host" "$port" "$db" "$user"
else
	echo "SKIP sqlalchemy: /usr/bin/python3 cannot import sqlalchemy (Debian: python3-sqlalchemy)"
fi
if command -v node >/dev/null && node -e 'require("pg")' 2>/dev/null; then
	check node node "$here/node/pg_compat.js" "$host" "$port" "$db" "$user"
else
	echo "SKIP node: needs node and node-postgres in NODE_PATH (npm install pg)"
fi
echo "compat: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
