package pgcatalog

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/rows.txt")

// testEnv opens a catalog on Badger in t.TempDir with a table, a source,
// a materialized view over both and a sink.
func testEnv(t *testing.T) *Env {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		GCInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cat, err := catalog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	mustCreate := func(r *catalog.Relation) *catalog.Relation {
		t.Helper()
		r.CreatedAt = created
		out, _, err := cat.Create(r, false)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	orders := mustCreate(&catalog.Relation{
		Kind: catalog.Table, Name: "orders", Connector: "table",
		Columns: []types.Column{
			{Name: "id", Type: types.TInt8},
			{Name: "customer", Type: types.T{Fam: types.Varchar, Mod: 20}},
			{Name: "amount", Type: types.T{Fam: types.Numeric, Mod: types.NumericMod(10, 2)}},
			{Name: "ts", Type: types.TTimestamp},
			{Name: "tags", Type: types.TTextArray},
			{Name: "ok", Type: types.TBool},
		},
		SQL: "CREATE TABLE orders (id bigint, customer varchar(20), amount numeric(10,2), ts timestamp, tags text[], ok boolean)",
	})
	clicks := mustCreate(&catalog.Relation{
		Kind: catalog.Source, Name: "clicks", Connector: "kafka", Format: "JSON",
		Options: map[string]string{"topic": "clicks", "properties.bootstrap.server": "127.0.0.1:9092"},
		Columns: []types.Column{
			{Name: "user_id", Type: types.TInt4},
			{Name: "url", Type: types.TText},
			{Name: "ts", Type: types.TTimestamptz},
		},
		SQL: "CREATE SOURCE clicks (user_id int, url text, ts timestamptz) WITH (connector = 'kafka', topic = 'clicks') FORMAT JSON",
	})
	mustCreate(&catalog.Relation{
		Kind: catalog.MaterializedView, Name: "Order Totals",
		Columns: []types.Column{
			{Name: "customer", Type: types.T{Fam: types.Varchar, Mod: 20}},
			{Name: "total", Type: types.TNumeric},
			{Name: "n", Type: types.TInt8},
		},
		DependsOn: []uint32{orders.ID, clicks.ID},
		SQL: `CREATE MATERIALIZED VIEW "Order Totals" WITH (parallelism = 2) AS ` +
			`SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer`,
	})
	mustCreate(&catalog.Relation{
		Kind: catalog.Sink, Name: "out", Connector: "kafka",
		Columns: []types.Column{{Name: "n", Type: types.TInt8}},
		SQL:     "CREATE SINK out FROM orders WITH (connector = 'kafka')",
	})
	start := time.Date(2024, 1, 2, 3, 0, 0, 0, time.UTC)
	return &Env{
		Snapshot: cat.Snapshot(),
		User:     "alice",
		Settings: func() [][3]string {
			return [][3]string{
				{"server_version", "15.0", "Shows the server version."},
				{"DateStyle", "ISO, MDY", "Sets the display format for date and time values."},
				{"extra_float_digits", "1", "Sets the number of digits displayed for floating-point values."},
				{"standard_conforming_strings", "on", "Causes '...' strings to treat backslashes literally."},
			}
		},
		Sessions: func() []SessionInfo {
			return []SessionInfo{{
				PID: 42, User: "alice", ApplicationName: "psql", ClientAddr: "127.0.0.1",
				ClientPort: 50000, BackendStart: start, QueryStart: start.Add(time.Second),
				StateChange: start.Add(time.Second), State: "active",
				Query: "SELECT * FROM pg_stat_activity",
			}}
		},
	}
}

// TestAllRelationsProduceWellTypedRows reads every relation and checks
// that each value fits its column.
func TestAllRelationsProduceWellTypedRows(t *testing.T) {
	env := testEnv(t)
	ctx := context.Background()
	for _, tbl := range Tables() {
		rows, err := tbl.Rows(ctx, env)
		if err != nil {
			t.Errorf("%s.%s: %v", tbl.Schema, tbl.Name, err)
			continue
		}
		for i, row := range rows {
			if len(row) != len(tbl.Columns) {
				t.Fatalf("%s.%s row %d: %d values for %d columns", tbl.Schema, tbl.Name, i, len(row), len(tbl.Columns))
			}
			for j, d := range row {
				if !d.IsNull() && d.K != tbl.Columns[j].Type.Kind() {
					t.Errorf("%s.%s row %d column %s: kind %d for %s", tbl.Schema, tbl.Name, i, tbl.Columns[j].Name, d.K, tbl.Columns[j].Type)
				}
			}
			for _, j := range tbl.notNull {
				if row[j].IsNull() {
					t.Errorf("%s.%s row %d: NULL in NOT NULL column %s", tbl.Schema, tbl.Name, i, tbl.Columns[j].Name)
				}
			}
		}
	}
	// Without a snapshot or callbacks the relations still work.
	for _, tbl := range Tables() {
		if _, err := tbl.Rows(ctx, &Env{}); err != nil {
			t.Errorf("%s.%s with an empty Env: %v", tbl.Schema, tbl.Name, err)
		}
	}
}

// rowQueries are the rows testdata/rows.txt records: a relation, the
// columns to print and a filter on a column's text.
var rowQueries = []struct {
	rel    string
	cols   string
	filter string // col=value, or "" for all rows
}{
	{"pg_catalog.pg_namespace", "oid nspname nspowner", ""},
	{"pg_catalog.pg_class", "oid relname relnamespace relkind relam relnatts relowner relpersistence relreplident relispopulated", "relnamespace=2200"},
	{"pg_catalog.pg_class", "oid relname relnamespace relkind relam relnatts", "relname=pg_class"},
	{"pg_catalog.pg_attribute", "attrelid attname atttypid attlen attnum attndims atttypmod attbyval attalign attstorage attnotnull attcollation attfdwoptions", "attrelid=16384"},
	{"pg_catalog.pg_attribute", "attrelid attname atttypid attnum atttypmod attfdwoptions", "attrelid=16385"},
	{"pg_catalog.pg_attribute", "attrelid attname atttypid attnum atttypmod", "attrelid=16386"},
	{"pg_catalog.pg_attribute", "attname atttypid attnum attnotnull", "attrelid=1259"},
	{"pg_catalog.pg_database", "oid datname datdba encoding datlocprovider datallowconn datconnlimit dattablespace datcollate datctype datistemplate", ""},
	{"pg_catalog.pg_roles", "*", ""},
	{"pg_catalog.pg_user", "*", ""},
	{"pg_catalog.pg_authid", "oid rolname rolsuper rolcanlogin", ""},
	{"pg_catalog.pg_settings", "name setting short_desc context vartype source", ""},
	{"pg_catalog.pg_tables", "*", "schemaname=public"},
	{"pg_catalog.pg_matviews", "*", ""},
	{"pg_catalog.pg_foreign_data_wrapper", "oid fdwname fdwowner", ""},
	{"pg_catalog.pg_foreign_server", "oid srvname srvowner srvfdw", ""},
	{"pg_catalog.pg_foreign_table", "*", ""},
	{"pg_catalog.pg_depend", "classid objid refclassid refobjid deptype", ""},
	{"pg_catalog.pg_stat_activity", "datid datname pid usesysid usename application_name client_addr client_port backend_start xact_start query_start state query backend_type", ""},
	{"pg_catalog.pg_type", "oid typname typlen typbyval typtype typcategory typelem typarray typinput typoutput typalign typstorage typcollation", "typname=varchar"},
	{"pg_catalog.pg_type", "oid typname typlen typtype typcategory typelem typarray typinput", "typname=_text"},
	{"pg_catalog.pg_am", "oid amname amtype", ""},
	{"pg_catalog.pg_collation", "oid collname collprovider", ""},
	{"pg_catalog.pg_language", "oid lanname", ""},
	{"pg_catalog.pg_tablespace", "oid spcname", ""},
	{"pg_catalog.pg_proc", "oid proname prokind proargtypes prorettype", "proname=format_type"},
	{"information_schema.information_schema_catalog_name", "*", ""},
	{"information_schema.schemata", "catalog_name schema_name schema_owner", ""},
	{"information_schema.tables", "table_catalog table_schema table_name table_type is_insertable_into is_typed", "table_schema=public"},
	{"information_schema.views", "table_name view_definition check_option is_updatable", ""},
	{"information_schema.columns", "table_name column_name ordinal_position is_nullable data_type character_maximum_length character_octet_length numeric_precision numeric_precision_radix numeric_scale datetime_precision udt_name dtd_identifier is_updatable", "table_schema=public"},
	{"information_schema.character_sets", "character_set_name character_repertoire form_of_use default_collate_catalog", ""},
	{"information_schema.foreign_tables", "*", ""},
}

func formatDatum(d types.Datum, t types.T) string {
	if d.IsNull() {
		return "NULL"
	}
	return types.FormatText(d, t)
}

// TestRowsGolden prints selected rows for the test catalog; run with
// -rewrite to update testdata/rows.txt.
func TestRowsGolden(t *testing.T) {
	env := testEnv(t)
	var b strings.Builder
	for _, q := range rowQueries {
		schema, name, _ := strings.Cut(q.rel, ".")
		tbl, ok := Lookup(schema, name)
		if !ok {
			t.Fatalf("%s: no such relation", q.rel)
		}
		rows, err := tbl.Rows(context.Background(), env)
		if err != nil {
			t.Fatalf("%s: %v", q.rel, err)
		}
		var cols []int
		if q.cols == "*" {
			for i := range tbl.Columns {
				cols = append(cols, i)
			}
		} else {
			for _, c := range strings.Fields(q.cols) {
				i, ok := tbl.index[c]
				if !ok {
					t.Fatalf("%s has no column %s", q.rel, c)
				}
				cols = append(cols, i)
			}
		}
		fmt.Fprintf(&b, "%s", q.rel)
		if q.filter != "" {
			fmt.Fprintf(&b, " where %s", q.filter)
		}
		b.WriteString("\n")
		for i, c := range cols {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(tbl.Columns[c].Name)
		}
		b.WriteString("\n")
		fcol, fval, _ := strings.Cut(q.filter, "=")
		for _, row := range rows {
			if q.filter != "" && formatDatum(row[tbl.index[fcol]], tbl.Columns[tbl.index[fcol]].Type) != fval {
				continue
			}
			for i, c := range cols {
				if i > 0 {
					b.WriteString(" | ")
				}
				b.WriteString(formatDatum(row[c], tbl.Columns[c].Type))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	const path = "testdata/rows.txt"
	if *rewrite {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("rows differ from %s (run with -rewrite and review the diff):\n%s", path, diffLines(string(want), got))
	}
}

// diffLines returns the lines of got that want lacks and vice versa.
func diffLines(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, w, g)
		}
	}
	return b.String()
}
