"""SQLAlchemy 1.4 (psycopg2 dialect) against a PostgreSQL-compatible server:
engine connect (the dialect's initialization queries) and the inspector
calls BI tools and migration tools make.

Usage: /usr/bin/python3 sqlalchemy_compat.py HOST PORT DB USER TABLE MATVIEW
Each step sets application_name to "sqlalchemy-<step>" first, so a server log
can be split per step. Exits non-zero on the first failed check.
"""
import sys

import sqlalchemy as sa


def main():
    host, port, db, user, table, matview = (sys.argv[1:] + [None] * 6)[:6]
    host = host or "127.0.0.1"
    port = int(port or 5432)
    db = db or "streamsql"
    user = user or "postgres"
    table = table or "orders"
    matview = matview or "order_totals"

    engine = sa.create_engine(
        "postgresql+psycopg2://%s@%s:%d/%s" % (user, host, port, db),
        connect_args={"application_name": "sqlalchemy-connect"})
    with engine.connect() as conn:
        def step(name):
            conn.exec_driver_sql("SET application_name = 'sqlalchemy-%s'" % name)
            print("==", name)

        insp = sa.inspect(conn)

        step("get_schema_names")
        schemas = insp.get_schema_names()
        print(schemas)
        assert "public" in schemas, schemas

        step("get_table_names")
        tables = insp.get_table_names()
        print(tables)
        assert table in tables, tables

        step("get_view_names")
        print(insp.get_view_names())

        step("get_materialized_view_names")
        mvs = insp.get_view_names(include=("materialized",))
        print(mvs)
        assert matview in mvs, mvs

        step("get_columns-table")
        cols = insp.get_columns(table)
        print([(c["name"], str(c["type"]), c["nullable"]) for c in cols])
        assert cols, "no columns for " + table

        step("get_columns-matview")
        cols = insp.get_columns(matview)
        print([(c["name"], str(c["type"])) for c in cols])
        assert cols, "no columns for " + matview

        step("get_pk_constraint")
        print(insp.get_pk_constraint(table))

        step("get_foreign_keys")
        print(insp.get_foreign_keys(table))

        step("get_indexes")
        print(insp.get_indexes(table))

        step("has_table")
        assert insp.has_table(table)

        step("select")
        rows = conn.execute(sa.text("SELECT * FROM " + matview)).fetchall()
        print(len(rows), "rows")
    print("OK")


if __name__ == "__main__":
    main()
