#!/bin/sh
# Installs the clients of the compatibility suite when they are missing:
# Debian packages for psql, pgjdbc (with a JDK), psycopg2 and SQLAlchemy
# (for /usr/bin/python3) and node, and node-postgres from npm into
# testdata/compat/node/node_modules. Whatever cannot be installed (no
# network, not root, no apt-get) is reported with the reason; the suite
# then skips that client. Never fails.
#
#	sh testdata/compat/deps.sh
here=$(cd "$(dirname "$0")" && pwd)
missing=""
command -v psql >/dev/null || missing="$missing postgresql-client"
command -v javac >/dev/null || missing="$missing default-jdk-headless"
[ -f /usr/share/java/postgresql.jar ] || missing="$missing libpostgresql-jdbc-java"
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing="$missing python3-psycopg2"
/usr/bin/python3 -c 'import sqlalchemy' 2>/dev/null || missing="$missing python3-sqlalchemy"
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"

if [ -n "$missing" ]; then
	if ! command -v apt-get >/dev/null; then
		echo "compat-deps: cannot install$missing: no apt-get"
	elif [ "$(id -u)" != 0 ]; then
		echo "compat-deps: cannot install$missing: not root"
	else
		echo "compat-deps: installing$missing"
		export DEBIAN_FRONTEND=noninteractive
		if ! { timeout 300 apt-get update -qq >/dev/null 2>&1 &&
			timeout 600 apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; }; then
			echo "compat-deps: apt-get could not install$missing (offline?); those clients are skipped"
		fi
	fi
fi

if [ -d "$here/node/node_modules/pg" ]; then
	:
elif ! command -v npm >/dev/null; then
	echo "compat-deps: cannot install node-postgres: no npm"
elif ! (cd "$here/node" && timeout 120 npm install --no-save --no-audit --no-fund --silent pg@8 >/dev/null 2>&1); then
	echo "compat-deps: npm could not install node-postgres (offline?); the node client is skipped"
fi
exit 0
