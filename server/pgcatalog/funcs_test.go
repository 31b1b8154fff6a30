package pgcatalog

import (
	"testing"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// The expected values below were produced by PostgreSQL 15.20.

func TestFormatType(t *testing.T) {
	for _, c := range []struct {
		oid    uint32
		typmod int32
		want   string
	}{
		{0, -1, "-"},
		{99999, -1, "???"},
		{1043, 24, "character varying(20)"},
		{1043, -1, "character varying"},
		{1043, 2, "character varying"},
		{1043, 4, "character varying"},
		{1043, 5, "character varying(1)"},
		{1015, 24, "character varying(20)[]"},
		{1015, 2, "character varying[]"},
		{1700, 655366, "numeric(10,2)"},
		{1700, 655360, "numeric(9,-4)"},
		{1700, -1, "numeric"},
		{1700, -5, "numeric"},
		{1700, 2, "numeric"},
		{1700, 0, "numeric"},
		{1231, 655366, "numeric(10,2)[]"},
		{1114, 3, "timestamp(3) without time zone"},
		{1114, 6, "timestamp(6) without time zone"},
		{1114, 7, "timestamp(7) without time zone"},
		{1184, -1, "timestamp with time zone"},
		{1184, -2, "timestamp with time zone"},
		{1184, 0, "timestamp(0) with time zone"},
		{1185, 3, "timestamp(3) with time zone[]"},
		{1115, -1, "timestamp without time zone[]"},
		{1186, -1, "interval"},
		{1186, 2147418118, "interval(6)"},
		{1186, 2147418112, "interval(0)"},
		{1186, 4<<16 | 6, "interval year(6)"},
		{1186, 4<<16 | 65535, "interval year"},
		{1186, 6<<16 | 65535, "interval year to month"},
		{1186, 1024<<16 | 3, "interval hour(3)"},
		{1187, 4<<16 | 65535, "interval year[]"},
		{1187, -1, "interval[]"},
		{18, -1, `"char"`},
		{1002, -1, `"char"[]`},
		{23, 5, "integer"},
		{21, -1, "smallint"},
		{16, -1, "boolean"},
		{1000, -1, "boolean[]"},
		{1005, -1, "smallint[]"},
		{20, -1, "bigint"},
		{25, -1, "text"},
		{1009, -1, "text[]"},
		{701, -1, "double precision"},
		{700, -1, "real"},
		{24, -1, "regproc"},
		{2206, -1, "regtype"},
		{2205, -1, "regclass"},
		{2249, -1, "record"},
		{2287, -1, "record[]"},
		{1082, -1, "date"},
		{17, -1, "bytea"},
		{3802, -1, "jsonb"},
		{114, -1, "json"},
		{19, -1, "name"},
		{26, -1, "oid"},
		{705, -1, "unknown"},
		{2278, -1, "void"},
	} {
		got, err := FormatType(c.oid, c.typmod)
		if err != nil || got != c.want {
			t.Errorf("format_type(%d, %d) = %q, %v; want %q", c.oid, c.typmod, got, err, c.want)
		}
	}
	// A field mask PostgreSQL does not define.
	if _, err := FormatType(1186, 5<<16|6); pgerror.Code(err) != pgerror.InvalidParameterValue {
		t.Errorf("format_type(interval, bad typmod): %v", err)
	}
}

func TestPgSizePretty(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"}, {10239, "10239 bytes"}, {10240, "10 kB"}, {-10240, "-10 kB"},
		{10751, "10 kB"}, {20479, "20 kB"}, {20480, "20 kB"}, {1048575, "1024 kB"},
		{1048576, "1024 kB"}, {10485760, "10 MB"}, {1073741824, "1024 MB"},
		{10737418240, "10 GB"}, {1099511627776, "1024 GB"}, {1125899906842624, "1024 TB"},
		{11258999068426240, "10 PB"}, {9223372036854775807, "8192 PB"},
		{-9223372036854775807, "-8192 PB"},
	} {
		if got := PgSizePretty(c.n); got != c.want {
			t.Errorf("pg_size_pretty(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"orders": "orders", "Order Totals": `"Order Totals"`, "select": `"select"`, "user": `"user"`,
		"name": "name", "a$b": `"a$b"`, "_x": "_x", "1abc": `"1abc"`, "Ab": `"Ab"`, `a"b`: `"a""b"`,
		"": `""`, "between": `"between"`, "int": `"int"`, "type": "type", "value": "value",
		"time": `"time"`, "left": `"left"`, "xmin": "xmin",
	} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("quote_ident(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestEncodingAndUser(t *testing.T) {
	for enc, want := range map[int32]string{-1: "", 0: "SQL_ASCII", 6: "UTF8", 8: "LATIN1", 41: "SHIFT_JIS_2004", 42: ""} {
		if got := PgEncodingToChar(enc); got != want {
			t.Errorf("pg_encoding_to_char(%d) = %q, want %q", enc, got, want)
		}
	}
	env := &Env{User: "alice"}
	if got := PgGetUserByID(env, 10); got != "alice" {
		t.Errorf("pg_get_userbyid(10) = %q", got)
	}
	if got := PgGetUserByID(env, 999); got != "unknown (OID=999)" {
		t.Errorf("pg_get_userbyid(999) = %q", got)
	}
	if got := PgGetUserByID(nil, 10); got != defaultUser {
		t.Errorf("pg_get_userbyid(10) without a user = %q", got)
	}
}

func TestRegclass(t *testing.T) {
	env := testEnv(t)
	snap := env.Snapshot
	for in, want := range map[string]uint32{
		"orders":                    16384,
		" orders ":                  16384,
		"ORDERS":                    16384,
		"Public.ORDERS":             16384,
		"streamsql.public.orders":   16384,
		`"Order Totals"`:            16386,
		`public."Order Totals"`:     16386,
		"pg_class":                  1259,
		"pg_catalog.pg_class":       1259,
		"information_schema.tables": 13425,
		"99999":                     99999,
	} {
		got, err := RegclassOID(snap, in)
		if err != nil || got != want {
			t.Errorf("%q::regclass = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, code := range map[string]string{
		"nope":            pgerror.UndefinedTable,
		`"ORDERS"`:        pgerror.UndefinedTable,
		"public.pg_class": pgerror.UndefinedTable,
		"tables":          pgerror.UndefinedTable,
		"out":             pgerror.UndefinedTable, // a sink is no relation
		`"abc`:            pgerror.InvalidName,
		"a..b":            pgerror.InvalidName,
		"a.b.c":           pgerror.FeatureNotSupported,
		"a.b.c.d":         pgerror.SyntaxError,
	} {
		if _, err := RegclassOID(snap, in); pgerror.Code(err) != code {
			t.Errorf("%q::regclass: %v, want SQLSTATE %s", in, err, code)
		}
	}
	if _, err := RegclassOID(snap, "nope"); err == nil || err.Error() != `relation "nope" does not exist` {
		t.Errorf("error text: %v", err)
	}
	for oid, want := range map[uint32]string{
		16384: "orders", 16386: `"Order Totals"`, 1259: "pg_class",
		13425: "information_schema.tables", 99999: "99999",
	} {
		if got := RegclassName(snap, oid); got != want {
			t.Errorf("%d::regclass = %q, want %q", oid, got, want)
		}
	}
	if got := RegnamespaceName(OIDInformationSchema); got != "information_schema" {
		t.Errorf("regnamespace = %q", got)
	}
}

func TestVisibility(t *testing.T) {
	env := testEnv(t)
	for oid, want := range map[uint32][2]bool{
		16384: {true, true}, 1259: {true, true}, 13425: {false, true}, 99999: {false, false},
	} {
		v, ok := PgTableIsVisible(env.Snapshot, oid)
		if v != want[0] || ok != want[1] {
			t.Errorf("pg_table_is_visible(%d) = %t, %t; want %v", oid, v, ok, want)
		}
	}
	if v, ok := PgTypeIsVisible(23); !v || !ok {
		t.Error("pg_type_is_visible(23)")
	}
	if _, ok := PgTypeIsVisible(9999); ok {
		t.Error("pg_type_is_visible(9999) is not NULL")
	}
}

func TestViewdef(t *testing.T) {
	env := testEnv(t)
	def, ok := PgGetViewdef(env.Snapshot, 16386)
	want := " SELECT customer, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer;"
	if !ok || def != want {
		t.Errorf("pg_get_viewdef = %q, %t", def, ok)
	}
	if _, ok := PgGetViewdef(env.Snapshot, 16384); ok {
		t.Error("pg_get_viewdef of a table is not NULL")
	}
	if def, ok, err := PgGetViewdefByName(env.Snapshot, `"Order Totals"`); err != nil || !ok || def != want {
		t.Errorf("pg_get_viewdef(name) = %q, %t, %v", def, ok, err)
	}
	for sql, want := range map[string]string{
		"CREATE MATERIALIZED VIEW v AS SELECT 1":                                     "SELECT 1",
		"create materialized view v with (a = 'as') as select x as y from t":         "select x as y from t",
		`CREATE MATERIALIZED VIEW "as" /* as */ -- as` + "\n AS SELECT 'as' FROM t;": "SELECT 'as' FROM t;",
		`CREATE MATERIALIZED VIEW "a""s" AS SELECT 2`:                                "SELECT 2",
		"CREATE MATERIALIZED VIEW IF NOT EXISTS v AS\n\tSELECT 3":                    "SELECT 3",
		"no query here": "no query here",
	} {
		if got := viewQuery(sql); got != want {
			t.Errorf("viewQuery(%q) = %q, want %q", sql, got, want)
		}
	}
}

func TestTypeAndProcLookups(t *testing.T) {
	if n, ok := TypeByOID(1009); !ok || n != "_text" {
		t.Errorf("TypeByOID(1009) = %q, %t", n, ok)
	}
	if oid, ok := TypeOIDByName("int4"); !ok || oid != 23 {
		t.Errorf("TypeOIDByName(int4) = %d, %t", oid, ok)
	}
	if n := RegprocName(1081); n != "format_type" {
		t.Errorf("RegprocName(1081) = %q", n)
	}
	if n := RegprocName(0); n != "-" {
		t.Errorf("RegprocName(0) = %q", n)
	}
	if oid, ok := RegprocOID("pg_catalog.int4in"); !ok || oid != 42 {
		t.Errorf("RegprocOID(int4in) = %d, %t", oid, ok)
	}
	ti, ok := TypeInfoByOID(1043)
	if !ok || ti.Name != "varchar" || ti.Array != 1015 || ti.Collation != 100 || ti.Category != 'S' {
		t.Errorf("TypeInfoByOID(1043) = %+v", ti)
	}
	// Every streamsqld type has its pg_type row, and its array type too.
	for oid := uint32(0); oid < 10000; oid++ {
		_, known := types.FromOID(oid)
		if _, ok := TypeInfoByOID(oid); ok != known {
			t.Errorf("type %d: pg_type row %t, streamsqld type %t", oid, ok, known)
		}
	}
	if got := OptionsToTable([]string{"topic=clicks", "a=b=c", "flag"}); len(got) != 3 || got[1] != [2]string{"a", "b=c"} || got[2] != [2]string{"flag", ""} {
		t.Errorf("OptionsToTable = %v", got)
	}
	if ServerOID("kafka") != ServerOID("KAFKA") || ServerOID("kafka") < firstServerOID || ServerOID("kafka") >= OIDWrapper {
		t.Errorf("ServerOID(kafka) = %d", ServerOID("kafka"))
	}
}
