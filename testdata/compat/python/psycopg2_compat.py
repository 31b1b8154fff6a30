"""psycopg2 against a PostgreSQL-compatible server: connect, parameters
(client-side interpolation), server-side types, a transaction.

Usage: /usr/bin/python3 psycopg2_compat.py HOST PORT DB USER TABLE MATVIEW
Each step sets application_name to "psycopg2-<step>" first, so a server log
(log_statement = 'all', %a in log_line_prefix) can be split per step. Exits
non-zero on the first failed check.
"""
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
