#!/bin/sh
# psql 15 meta-commands that people and scripts use to look around a
# database. Each runs in its own psql with application_name "psql-<step>" so
# a server log (log_statement = 'all', %a in log_line_prefix) can be split
# per command. Fails if any command fails, or if an error under VERBOSITY
# verbose does not show its SQLSTATE.
#
# Usage: psql.sh HOST PORT DB USER TABLE VIEW MATVIEW FOREIGN
set -eu
HOST=${1:-127.0.0.1} PORT=${2:-5432} DB=${3:-streamsql} USR=${4:-postgres}
TABLE=${5:-orders} VIEW=${6:-big_orders} MATVIEW=${7:-order_totals} FOREIGN=${8:-clicks}

run() { # run STEP COMMAND...
	step=$1
	shift
	echo "== $step"
	PGAPPNAME="psql-$step" psql -X -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$USR" -d "$DB" "$@"
}

run connect -c 'SELECT 1'
run conninfo -c '\conninfo'
run l -c '\l'
run dn -c '\dn'
run d -c '\d'
run dt -c '\dt'
run dv -c '\dv'
run dm -c '\dm'
run dE -c '\dE'
run di -c '\di'
run ds -c '\ds'
run du -c '\du'
run dt+ -c '\dt+'
run d-table -c "\\d $TABLE"
run d+-table -c "\\d+ $TABLE"
run d-view -c "\\d $VIEW"
run d+-view -c "\\d+ $VIEW"
run d-matview -c "\\d $MATVIEW"
run d-foreign -c "\\d $FOREIGN"
run x-select -c '\x' -c "SELECT * FROM $TABLE LIMIT 1"
run copy -c "\\copy (SELECT * FROM $TABLE ORDER BY 1) to stdout"
run copy-csv -c "\\copy (SELECT * FROM $TABLE ORDER BY 1) to stdout with (format csv, header)"

# An error under VERBOSITY verbose shows its SQLSTATE, and the session goes
# on: the statement after it runs in the same connection.
echo "== error-verbose"
out=$(PGAPPNAME=psql-error-verbose psql -X -h "$HOST" -p "$PORT" -U "$USR" -d "$DB" \
	-c '\set VERBOSITY verbose' -c 'SELECT * FROM no_such_relation' -c 'SELECT 41 + 1 AS after_error' 2>&1 || true)
echo "$out"
case $out in
*"ERROR:  42P01: relation \"no_such_relation\" does not exist"*) ;;
*) echo "FAIL: no SQLSTATE in the verbose error" >&2; exit 1 ;;
esac
case $out in
*after_error*42*) ;;
*) echo "FAIL: the session did not go on after the error" >&2; exit 1 ;;
esac
