"""Split a PostgreSQL server log into golden client-query files.

The log must come from a server with log_statement = 'all' and
log_line_prefix = '%m [%p] %a: ', driven by the scripts in this directory,
which set application_name to "<client>-<step>" before each step.

Usage: /usr/bin/python3 extract_log.py LOG OUTDIR

Writes OUTDIR/<client>.sql. Each entry is

    -- step: <client>-<step>
    -- protocol: simple | extended <statement name>
    -- params: $1 = '41', ...        (extended protocol with parameters only)
    <SQL exactly as received>
    -- ----

The SET application_name statements that mark the steps are left out.
"""
import collections
import re
import sys

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[(\d+)\] (.*?): (LOG|DETAIL|ERROR|STATEMENT|WARNING|NOTICE|HINT|FATAL):  (.*)$")
STMT = re.compile(r"^(statement|execute ([^:]+)): (.*)$", re.S)
MARKER = re.compile(r"^SET application_name = '([a-z0-9]+)-([^']*)'$")


def parse(path):
    entries = []  # dicts: pid, app, proto, sql, params
    cur = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = LINE.match(line)
            if not m:
                # A continuation of a multi-line statement starts with a tab.
                if cur is not None and line.startswith("\t"):
                    cur["sql"] += "\n" + line[1:]
                continue
            pid, app, level, msg = m.groups()
            if level == "LOG":
                sm = STMT.match(msg)
                cur = None
                if sm:
                    proto = "simple" if sm.group(1) == "statement" else "extended " + sm.group(2)
                    cur = {"pid": pid, "app": app, "proto": proto, "sql": sm.group(3), "params": None}
                    entries.append(cur)
            elif level == "DETAIL" and msg.startswith("parameters: ") and entries and entries[-1]["pid"] == pid:
                entries[-1]["params"] = msg[len("parameters: "):]
            else:
                cur = None
    return entries


def main():
    log, outdir = sys.argv[1], sys.argv[2]
    entries = parse(log)
    # A connection's client is the prefix of any application_name it used;
    # statements sent before the first one (pgjdbc's startup SETs) belong
    # to its connect step.
    client_of = {}
    for e in entries:
        if "-" in e["app"]:
            client_of.setdefault(e["pid"], e["app"].split("-", 1)[0])
    files = collections.defaultdict(list)
    for e in entries:
        client = client_of.get(e["pid"])
        if client is None:
            continue
        app = e["app"] if e["app"].startswith(client + "-") else client + "-connect"
        mm = MARKER.match(e["sql"].strip())
        if mm and mm.group(1) == client and mm.group(2) != "connect":
            continue
        files[client].append((app, e))
    for client, items in files.items():
        with open("%s/%s.sql" % (outdir, client), "w", encoding="utf-8") as out:
            out.write("-- Queries %s sent to PostgreSQL 15, recorded by testdata/compat (see\n" % client)
            out.write("-- extract_log.py there for the format). Golden input: keep as recorded.\n\n")
            for app, e in items:
                out.write("-- step: %s\n-- protocol: %s\n" % (app, e["proto"]))
                if e["params"]:
                    out.write("-- params: %s\n" % e["params"])
                out.write(e["sql"].rstrip() + "\n-- ----\n\n")


if __name__ == "__main__":
    main()
