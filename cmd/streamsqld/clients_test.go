package main_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streamsqld/internal/testserver"
	"streamsqld/server/pgcatalog"
)

// Client query goldens: server/pgcatalog/testdata/clients/<client>.sql
// holds the exact statements a client sends (recorded from PostgreSQL 15
// by testdata/compat/record.sh, or taken from a BI tool's source), and
// <client>.out what streamsqld answers to each, over the same protocol
// (simple, or extended with the recorded parameters). The relations are
// those of testdata/compat/streamsqld_setup.sql. Run with -rewrite to
// regenerate the answers, and review the diff.

const clientsDir = "../../server/pgcatalog/testdata/clients"

// clientEntry is one recorded statement.
type clientEntry struct {
	step     string
	extended bool
	params   []*string // nil entries are NULL
	sql      string
}

var paramRE = regexp.MustCompile(`\$(\d+) = ('(?:[^']|'')*'|NULL)`)

func parseClientFile(t *testing.T, path string) []clientEntry {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []clientEntry
	var cur *clientEntry
	var sqlLines []string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "-- step: "):
			cur = &clientEntry{step: strings.TrimPrefix(line, "-- step: ")}
			sqlLines = nil
		case cur == nil:
		case strings.HasPrefix(line, "-- protocol: "):
			cur.extended = strings.HasPrefix(strings.TrimPrefix(line, "-- protocol: "), "extended")
		case strings.HasPrefix(line, "-- params: ") && len(sqlLines) == 0:
			for _, m := range paramRE.FindAllStringSubmatch(line, -1) {
				n, _ := strconv.Atoi(m[1])
				for len(cur.params) < n {
					cur.params = append(cur.params, nil)
				}
				if m[2] != "NULL" {
					v := strings.ReplaceAll(m[2][1:len(m[2])-1], "''", "'")
					cur.params[n-1] = &v
				}
			}
		case line == "-- ----":
			cur.sql = strings.Join(sqlLines, "\n")
			out = append(out, *cur)
			cur = nil
		default:
			sqlLines = append(sqlLines, line)
		}
	}
	return out
}

// pgRelationOIDs are the OIDs the relations of postgres_setup.sql get in a
// fresh PostgreSQL 15 cluster, which psql and drivers put into the queries
// they send. The replay substitutes the OIDs of streamsqld's relations of
// the same names (streamsqld has no plain views: its materialized view
// stands in for big_orders).
var pgRelationOIDs = map[string]string{
	"16385": "orders", "16390": "order_totals", "16394": "order_totals", "16405": "clicks",
}

var pgOIDRE = regexp.MustCompile(`\b(16385|16390|16394|16405)\b`)

// volatile rewrites values that change from build to build or run to run.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\(streamsqld [^)]*\) on [^|]*`), "(streamsqld VERSION) on PLATFORM"},
}

// -clients-pg runs the client queries against a PostgreSQL 15 holding
// postgres_setup.sql instead and writes its answers to -clients-pg-out,
// to compare column types and values with streamsqld's.
var (
	clientsPG    = flag.String("clients-pg", "", "PostgreSQL URL to record reference answers from")
	clientsPGOut = flag.String("clients-pg-out", "", "directory for the reference answers of -clients-pg")
)

func TestClientQueries(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(clientsDir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no client query files in %s: %v", clientsDir, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if *clientsPG != "" {
		recordReference(t, ctx, files)
		return
	}
	srv := testserver.Start(t, "")
	setup := srv.ConnectSimple(t, ctx)
	script, err := os.ReadFile("../../testdata/compat/streamsqld_setup.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Exec(ctx, string(script)); err != nil {
		t.Fatalf("setup: %v", err)
	}
	oids := map[string]string{}
	for pg, name := range pgRelationOIDs {
		var oid uint32
		if err := setup.QueryRow(ctx, "SELECT $1::regclass::oid", name).Scan(&oid); err != nil {
			t.Fatalf("OID of %s: %v", name, err)
		}
		oids[pg] = strconv.FormatUint(uint64(oid), 10)
	}
	for _, file := range files {
		client := strings.TrimSuffix(filepath.Base(file), ".sql")
		t.Run(client, func(t *testing.T) {
			entries := parseClientFile(t, file)
			cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://streamsql@%s/streamsql?sslmode=disable&application_name=%s", srv.Addr, client))
			if err != nil {
				t.Fatal(err)
			}
			conn, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var got strings.Builder
			fmt.Fprintf(&got, "# streamsqld's answers to %s.sql (TestClientQueries; -rewrite regenerates).\n", client)
			failed := 0
			for i, e := range entries {
				e.sql = pgOIDRE.ReplaceAllStringFunc(e.sql, func(s string) string { return oids[s] })
				fmt.Fprintf(&got, "\n-- step: %s #%d\n-- %s\n", e.step, i+1, firstLine(e.sql))
				out, ok := runClientEntry(ctx, conn.PgConn(), e)
				if !ok {
					failed++
				}
				got.WriteString(out)
			}
			fmt.Fprintf(&got, "\n# %d statements, %d failed\n", len(entries), failed)
			t.Logf("%s: %d statements, %d failed", client, len(entries), failed)
			golden := filepath.Join(clientsDir, client+".out")
			if *rewrite {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -rewrite to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("answers differ from %s (run with -rewrite and review the diff):\n%s", golden, lineDiff(string(want), got.String()))
			}
		})
	}
}

func firstLine(sql string) string {
	s := strings.Join(strings.Fields(sql), " ")
	if len(s) > 100 {
		s = s[:100] + " ..."
	}
	return s
}

// runClientEntry runs one statement and renders the answer: the columns
// (name:type), the rows (text format, NULL as NULL) and the command tag,
// or the error's SQLSTATE and message. ok is false for an error.
func runClientEntry(ctx context.Context, pc *pgconn.PgConn, e clientEntry) (string, bool) {
	var b strings.Builder
	if first := strings.ToUpper(strings.Fields(e.sql + " x")[0]); first == "COPY" {
		var buf bytes.Buffer
		tag, err := pc.CopyTo(ctx, &buf, e.sql)
		if err != nil {
			return renderErr(err), false
		}
		b.WriteString(buf.String())
		fmt.Fprintf(&b, "-- tag: %s\n", tag.String())
		return b.String(), true
	}
	var results []*pgconn.Result
	if e.extended {
		params := make([][]byte, len(e.params))
		for i, p := range e.params {
			if p != nil {
				params[i] = []byte(*p)
			}
		}
		results = []*pgconn.Result{pc.ExecParams(ctx, e.sql, params, nil, nil, nil).Read()}
	} else {
		var err error
		results, err = pc.Exec(ctx, e.sql).ReadAll()
		if err != nil && len(results) == 0 {
			return renderErr(err), false
		}
	}
	ok := true
	for _, r := range results {
		if r.Err != nil {
			b.WriteString(renderErr(r.Err))
			ok = false
			continue
		}
		if len(r.FieldDescriptions) > 0 {
			cols := make([]string, len(r.FieldDescriptions))
			for i, f := range r.FieldDescriptions {
				name, found := pgcatalog.TypeByOID(f.DataTypeOID)
				if !found {
					name = strconv.FormatUint(uint64(f.DataTypeOID), 10)
				}
				cols[i] = f.Name + ":" + name
			}
			b.WriteString(strings.Join(cols, " ") + "\n")
		}
		for _, row := range r.Rows {
			vals := make([]string, len(row))
			for i, v := range row {
				if v == nil {
					vals[i] = "NULL"
					continue
				}
				s := strings.NewReplacer("\\", "\\\\", "\n", "\\n").Replace(string(v))
				for _, vr := range volatile {
					s = vr.re.ReplaceAllString(s, vr.with)
				}
				vals[i] = s
			}
			b.WriteString(strings.Join(vals, "|") + "\n")
		}
		fmt.Fprintf(&b, "-- tag: %s\n", r.CommandTag.String())
	}
	return b.String(), ok
}

func renderErr(err error) string {
	if pe, ok := err.(*pgconn.PgError); ok {
		return fmt.Sprintf("-- error: %s %s\n", pe.Code, pe.Message)
	}
	return fmt.Sprintf("-- error: %v\n", err)
}

// lineDiff lists the lines that differ, for a readable failure.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want: %s\n  got:  %s\n", i+1, wl, gl)
			if n++; n == 20 {
				b.WriteString("...\n")
				break
			}
		}
	}
	return b.String()
}

func recordReference(t *testing.T, ctx context.Context, files []string) {
	for _, file := range files {
		client := strings.TrimSuffix(filepath.Base(file), ".sql")
		conn, err := pgx.Connect(ctx, *clientsPG)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for i, e := range parseClientFile(t, file) {
			fmt.Fprintf(&got, "\n-- step: %s #%d\n-- %s\n", e.step, i+1, firstLine(e.sql))
			out, _ := runClientEntry(ctx, conn.PgConn(), e)
			got.WriteString(out)
		}
		conn.Close(ctx)
		if err := os.WriteFile(filepath.Join(*clientsPGOut, client+".out"), []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
