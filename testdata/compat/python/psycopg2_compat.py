"""psycopg2 against a PostgreSQL-compatible server: connect, parameters
(client-side interpolation), server-side types, a named (server-side)
cursor, COPY TO STDOUT, a transaction.

Usage: /usr/bin/python3 psycopg2_compat.py HOST PORT DB USER TABLE MATVIEW
Each step sets application_name to "psycopg2-<step>" first, so a server log
(log_statement = 'all', %a in log_line_prefix) can be split per step. Exits
non-zero on the first failed check.
"""
import datetime
import decimal
import io
import sys

import psycopg2


def main():
    host, port, db, user, table, matview = (sys.argv[1:] + [None] * 6)[:6]
    host = host or "127.0.0.1"
    port = int(port or 5432)
    db = db or "streamsql"
    user = user or "postgres"
    table = table or "orders"
    matview = matview or "order_totals"

    conn = psycopg2.connect(host=host, port=port, dbname=db, user=user,
                            application_name="psycopg2-connect")
    conn.autocommit = True
    cur = conn.cursor()

    def step(name):
        cur.execute("SET application_name = %s", ("psycopg2-" + name,))
        print("==", name)

    step("version")
    cur.execute("SELECT version()")
    print(cur.fetchone()[0])

    step("params")
    cur.execute("SELECT %s::int + 1, %s::text, %s", (41, "it's", None))
    row = cur.fetchone()
    assert row == (42, "it's", None), row

    step("query-table")
    cur.execute("SELECT * FROM " + table + " WHERE id > %(min)s", {"min": 0})
    print([d.name for d in cur.description], [d.type_code for d in cur.description])
    cur.fetchall()

    step("query-matview")
    cur.execute("SELECT * FROM " + matview)
    print([d.name for d in cur.description])
    cur.fetchall()

    step("types")
    cur.execute("SELECT id, customer, amount, ts, ok, tags FROM " + table + " WHERE id = %s", (1,))
    row = cur.fetchone()
    assert row == (1, "ann", decimal.Decimal("150.50"), datetime.datetime(2024, 1, 1, 10, 0), True, ["a", "b"]), row

    step("named-cursor")
    # A named cursor is a server-side cursor: DECLARE ... CURSOR WITHOUT
    # HOLD FOR ..., then FETCH FORWARD itersize, inside a transaction.
    conn.autocommit = False
    with conn.cursor(name="compat_cursor") as named:
        named.itersize = 1
        named.execute("SELECT id FROM " + table + " WHERE id >= %s ORDER BY id", (1,))
        ids = [r[0] for r in named]
    conn.commit()
    conn.autocommit = True
    assert ids == [1, 2], ids

    step("copy-expert")
    buf = io.StringIO()
    cur.copy_expert("COPY (SELECT id, customer FROM " + table + " ORDER BY id) TO STDOUT WITH CSV HEADER", buf)
    assert buf.getvalue() == "id,customer\n1,ann\n2,bob\n", repr(buf.getvalue())

    step("transaction")
    conn.autocommit = False
    cur.execute("SELECT 1")
    assert cur.fetchone() == (1,)
    conn.commit()
    conn.autocommit = True

    conn.close()
    print("OK")


if __name__ == "__main__":
    main()
