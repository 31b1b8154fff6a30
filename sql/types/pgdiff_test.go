package types

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streamsqld/sql/pgerror"
)

// TestAgainstPostgres checks the text and binary codecs against a real
// PostgreSQL 15 server (TimeZone UTC, DateStyle ISO, MDY): for each input
// and type it compares PostgreSQL's text output or SQLSTATE, and the binary
// send format, with ours. It runs only when STREAMSQLD_TEST_PG holds a
// connection string, e.g.
//
//	STREAMSQLD_TEST_PG='host=/tmp port=5432 user=postgres' go test ./sql/types -run Postgres
func TestAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("STREAMSQLD_TEST_PG")
	if dsn == "" {
		t.Skip("STREAMSQLD_TEST_PG not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, set := range []string{"SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'postgres'", "SET extra_float_digits = 1"} {
		if _, err := conn.Exec(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range pgDiffCases {
		typ, err := ParseTypeName(c.typ, c.mods)
		if err != nil {
			t.Fatalf("ParseTypeName(%q): %v", c.typ, err)
		}
		sqlType := typ.String()
		// Text: PostgreSQL's output (or error) for CAST(input AS type).
		want, rerr := queryRaw(ctx, conn, pgx.TextFormatCode, sqlType, c.in)
		wantCode := ""
		var pe *pgconn.PgError
		if errors.As(rerr, &pe) {
			wantCode = pe.Code
		} else if rerr != nil {
			t.Fatalf("%s %q: %v", sqlType, c.in, rerr)
		}
		d, gotErr := ParseText(c.in, typ)
		if wantCode != "" {
			if gotErr == nil {
				t.Errorf("%s %q: got %q, PostgreSQL fails with %s %s", sqlType, c.in, FormatText(d, typ), wantCode, pe.Message)
			} else if code := pgerror.Code(gotErr); code != wantCode || gotErr.Error() != pe.Message {
				t.Errorf("%s %q: got error %s %q, PostgreSQL %s %q", sqlType, c.in, code, gotErr.Error(), wantCode, pe.Message)
			}
			continue
		}
		if gotErr != nil {
			t.Errorf("%s %q: got error %v, PostgreSQL %q", sqlType, c.in, gotErr, want)
			continue
		}
		if got := FormatText(d, typ); got != want {
			t.Errorf("%s %q: text got %q, PostgreSQL %q", sqlType, c.in, got, want)
		}
		// Binary: PostgreSQL's send format of the same value.
		wantBinS, err := queryRaw(ctx, conn, pgx.BinaryFormatCode, sqlType, c.in)
		if err != nil {
			t.Fatalf("%s %q: binary: %v", sqlType, c.in, err)
		}
		wantBin := []byte(wantBinS)
		gotBin, err := AppendBinary(nil, d, typ)
		if err != nil {
			t.Errorf("%s %q: AppendBinary: %v", sqlType, c.in, err)
			continue
		}
		if !bytes.Equal(gotBin, wantBin) {
			t.Errorf("%s %q: binary got %x, PostgreSQL %x", sqlType, c.in, gotBin, wantBin)
		}
		back, err := ParseBinary(wantBin, typ)
		if err != nil {
			t.Errorf("%s %q: ParseBinary: %v", sqlType, c.in, err)
		} else if got := FormatText(back, typ); got != want {
			t.Errorf("%s %q: binary round trip got %q, want %q", sqlType, c.in, got, want)
		}
	}
}

// queryRaw returns PostgreSQL's output of CAST(in AS typ) in the given
// format, exactly as sent on the wire.
func queryRaw(ctx context.Context, conn *pgx.Conn, format int16, typ, in string) (string, error) {
	rows, err := conn.Query(ctx, "SELECT CAST($1::text AS "+typ+")", pgx.QueryResultFormats{format}, in)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		out = string(rows.RawValues()[0])
	}
	return out, rows.Err()
}

type pgDiffCase struct {
	typ  string
	mods []int
	in   string
}

func diffCases(typ string, mods []int, ins ...string) []pgDiffCase {
	out := make([]pgDiffCase, len(ins))
	for i, in := range ins {
		out[i] = pgDiffCase{typ, mods, in}
	}
	return out
}

var pgDiffCases = concatCases(
	diffCases("bool", nil, "t", "true", " TRUE ", "yes", "y", "on", "1", "f", "FALSE", "no", "off", "of", "0", "o", "tr", "x", "", "11"),
	diffCases("int2", nil, "0", "-32768", "32767", "32768", " 12 ", "+5", "1.5", "abc", "", "-"),
	diffCases("int4", nil, "0", "-2147483648", "2147483647", "2147483648", "-2147483649", "007", "1e3", " - 1", "12 3"),
	diffCases("int8", nil, "-9223372036854775808", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999"),
	diffCases("float8", nil, "0", "-0", "1", "1.5", "0.1", "1e20", "1e15", "1e14", "123456789012345678", "0.0001", "0.00001", "1e-5",
		"3.141592653589793", "1.7976931348623157e308", "1e400", "1e-400", "4.9e-324", "NaN", "nan", "Infinity", "-inf", " 2.5 ", "abc", "1e", ".5", "5.", "1/3", "100", "123456.789"),
	diffCases("float4", nil, "0", "1.5", "0.1", "1000000", "100000", "123456.7", "1e38", "1e39", "1e-46", "3.4028235e38", "-0.00001", "NaN", "1.17549435e-38", "16777217"),
	diffCases("numeric", nil, "0", "-0", "-0.00", "90.80", "1e5", " 1.50e1 ", ".5", "5.", "1e-3", "NaN", "nan", "Infinity", "-inf", "inf", "abc", "1.5.",
		"123456789012345678901234567890.123456789", "-0.0001", "10000", "1e-20", "12345678.87654321", "0.00012345", "1000000000000", "99999999.9999", "+3", "1e", "- 1"),
	diffCases("numeric", []int{5, 2}, "1.234", "1.235", "-1.235", "999.994", "999.995", "1234.5", "0", "NaN", "Infinity", "0.001"),
	diffCases("numeric", []int{3, 3}, "0.1234", "1"),
	diffCases("numeric", []int{10}, "12345.6"),
	diffCases("text", nil, "", "hello", "a b", "ünïcödé"),
	diffCases("varchar", nil, "abc"),
	diffCases("name", nil, "abc", "a123456789012345678901234567890123456789012345678901234567890123456789"),
	diffCases(`"char"`, nil, "a", "abc", "", `\101`),
	diffCases("bytea", nil, `\x`, `\x0102ff`, `\xDEADbeef`, `\x 01 02`, `\x012`, `\xzz`, "abc", `a\\b`, `a\001b`, `a\b`, ""),
	diffCases("date", nil, "2026-01-01", "1970-01-01", "2000-01-01", "1999-12-31", "0001-01-01 BC", "0001-01-01", "4714-11-24 BC", "4714-11-23 BC",
		"5874897-12-31", "5874898-01-01", "2026-13-01", "2026-02-29", "2024-02-29", "abc", "Jan 2 2026", "2 Jan 2026", "January 2, 2026",
		"01/02/2026", "20260102", "01/02/26", "2026-01-01 12:00", "infinity", "-infinity", "epoch", "10000-01-01", "2026.01.15", "1-2-3"),
	diffCases("timestamp", nil, "2026-01-01 00:00:02.63", "2026-01-01 12:00:00", "2026-01-01T12:00:00Z", "2026-01-01 12:00:00+02",
		"2026-01-01", "2026-01-01 12:00:00.123456", "2026-01-01 12:00:00.1234567", "2026-01-01 12:00:00.0000005",
		"2026-01-01 12:00:00.0000015", "2026-01-01 23:59:59.9999995", "2026-01-01 24:00", "2026-01-01 25:00", "2026-01-01 12:60",
		"0001-01-01 00:00:00 BC", "1969-12-31 23:59:59.5", "1900-03-01 01:02:03", "infinity", "-infinity", "epoch",
		"294277-01-01", "abc", "12:00", "2026-01-01 12:00:00 pm", "2026-01-01 01:00 pm",
		"2026-01-01 12:30 am", "2026-01-01 13:00 pm", "Jan 2 2026 10:00", "2026-01-01 10:00:00 UTC"),
	diffCases("timestamp", []int{2}, "2026-01-01 12:00:00.125", "2026-01-01 12:00:00.135", "1969-12-31 23:59:59.995"),
	diffCases("timestamp", []int{0}, "2026-01-01 12:00:00.5"),
	diffCases("timestamptz", nil, "2026-01-01 00:00:02.63", "2026-01-01 12:00:00+02", "2026-01-01 12:00:00+02:00", "2026-01-01 12:00:00-05:30",
		"2026-01-01 12:00:00 +0530", "2026-01-01T12:00:00Z", "2026-01-01T12:00:00.5+01", "2026-01-01", "0001-01-01 00:00:00 BC",
		"2026-07-01 12:00 Europe/Berlin", "2026-01-01 12:00 America/New_York", "2026-01-01 12:00 Foo/Bar", "infinity", "abc", "2026-01-01 12:00:00 GMT"),
	diffCases("interval", nil, "1 day 02:03:04.5", "5 seconds", "00:00:05", "1 minute", "1 day 2 hours", "01:02:03", "1 year", "P1DT2H",
		"1 year 2 mons 3 days", "-00:00:01", "-1 second", "1.5 months", "1.5 years", "1.5 days", "0.5 weeks", "1.7 mons", "5", "5min",
		"-01:02:03", "1 day -01:02:03", "P1Y2M3DT4H5M6.5S", "PT5S", "P1W", "P0.5Y", "P1.5M", "@ 1 day ago", "1 day 2 hours ago",
		"-1 day +2 hours", "1 year -1 mon", "1 microsecond", "1 ms", "1.5 ms", "3 decades", "1 century", "1 millennium", "2 h 3 m 4 s",
		"-1.5 seconds", "25 hours", "1:2", "1:2:3.5", "100:00:00", "abc", "1 foo", "1 day 1 day", "", "-1 days -2:00:00", "1 mon -1 day",
		"-1 year -2 mons", "9999999999 years", "2147483648 days", "1 2", "0", "-0.000001 s", "1 week", "2 weeks 1 day", "1 mon 30 days",
		"12 months", "13 months", "-13 months", "1 hour 30 minutes", "90 minutes", "3600 seconds", "1.25 hours", "2562047788 hours"),
	diffCases("interval", []int{0}, "1.5 seconds", "-1.5 seconds", "1 day 00:00:00.4"),
	diffCases("interval", nil, "1 day ago 5", "1 day 1 hour 01:00:00"),
	diffCases("json", nil, `{"b": 1, "a": [1, 2.50, "x"]}`, `  [1,2]  `, `{"a":}`, `nul`, `"a\u0041"`, `1e5`, `{"a":1,"a":2}`, `[1,`),
	diffCases("jsonb", nil, `{"b": 1, "a": [1, 2.50, "x"]}`, `{"aa":1,"b":2,"a":{"y":null,"x":true}}`, `{"a":1,"a":2}`, `[]`, `{}`,
		`"a\u0041\n"`, `1e2`, `-0`, `1.0`, `[1,2,[3,{"k":"v"}]]`, `"\u00e9"`, `{"a":}`, `tru`,
		`{"a":"\u00e9\t\u0001"}`, `"\ud83d\ude00"`, `"\ud83d"`, `"\u0000"`, `{"a": 1e400}`, `[1,2`),
	diffCases("text[]", nil, `{a,b,"c d",NULL}`, `{}`, `{"",null,"NULL","a\"b","a\\b"}`, `{ a , b }`, `{{a,b},{c,d}}`, `{a,b`, `{a,{b}}`, `a`,
		`{"a,b","{x}"}`, `{a b,  c  }`),
	diffCases("int4[]", nil, `{1,2,3}`, `{1,NULL}`, `{{1,2},{3,4}}`, `{1,x}`, `{{1},{2,3}}`),
	diffCases("numeric[]", nil, `{1.50,NaN}`),
	diffCases("float8[]", nil, `{1.5,Infinity,-0}`),
	diffCases("bytea[]", nil, `{"\\x01",NULL}`),
	diffCases("date[]", nil, `{2026-01-01,infinity}`),
	diffCases("timestamptz[]", nil, `{"2026-01-01 12:00:00+02"}`),
	diffCases("interval[]", nil, `{"1 day",00:00:01}`),
	diffCases("bool[]", nil, `{t,f}`),
	diffCases("varchar[]", nil, `{x,"y z"}`),
	diffCases("oid", nil, "0", "4294967295", "-1", "4294967296", "abc"),
	diffCases("regtype", nil, "23", "integer", "text[]", "nosuchtype"),
)

func concatCases(sets ...[]pgDiffCase) []pgDiffCase {
	var out []pgDiffCase
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

// TestCastAgainstPostgres compares Cast with PostgreSQL's explicit casts
// (see TestAgainstPostgres for how to run it).
func TestCastAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("STREAMSQLD_TEST_PG")
	if dsn == "" {
		t.Skip("STREAMSQLD_TEST_PG not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	for _, c := range castDiffCases {
		from, err := ParseTypeName(c.from, c.fromMods)
		if err != nil {
			t.Fatal(err)
		}
		to, err := ParseTypeName(c.to, c.toMods)
		if err != nil {
			t.Fatal(err)
		}
		var want string
		var wantErr *pgconn.PgError
		rows, err := conn.Query(ctx, "SELECT CAST(CAST($1::text AS "+from.String()+") AS "+to.String()+")",
			pgx.QueryResultFormats{pgx.TextFormatCode}, c.in)
		if err == nil {
			for rows.Next() {
				want = string(rows.RawValues()[0])
			}
			rows.Close()
			err = rows.Err()
		}
		if err != nil && !errors.As(err, &wantErr) {
			t.Fatal(err)
		}
		d, err := ParseText(c.in, from)
		if err != nil {
			t.Errorf("ParseText(%q, %s): %v", c.in, from, err)
			continue
		}
		got, err := Cast(d, from, to)
		switch {
		case wantErr != nil && err == nil:
			t.Errorf("%q::%s::%s: got %q, PostgreSQL fails with %s %s", c.in, from, to, FormatText(got, to), wantErr.Code, wantErr.Message)
		case wantErr != nil:
			if code := pgerror.Code(err); code != wantErr.Code || err.Error() != wantErr.Message {
				t.Errorf("%q::%s::%s: got error %s %q, PostgreSQL %s %q", c.in, from, to, code, err.Error(), wantErr.Code, wantErr.Message)
			}
		case err != nil:
			t.Errorf("%q::%s::%s: got error %v, PostgreSQL %q", c.in, from, to, err, want)
		default:
			if s := FormatText(got, to); s != want {
				t.Errorf("%q::%s::%s: got %q, PostgreSQL %q", c.in, from, to, s, want)
			}
		}
	}
}

type castDiffCase struct {
	from     string
	fromMods []int
	to       string
	toMods   []int
	in       string
}

func castCases(from string, fromMods []int, to string, toMods []int, ins ...string) []castDiffCase {
	out := make([]castDiffCase, len(ins))
	for i, in := range ins {
		out[i] = castDiffCase{from, fromMods, to, toMods, in}
	}
	return out
}

var castDiffCases = concatCastCases(
	castCases("numeric", nil, "int4", nil, "2.5", "-2.5", "3.5", "0.4999", "2147483647.4", "2147483647.5", "-2147483648.5", "NaN", "Infinity"),
	castCases("numeric", nil, "int2", nil, "32767.5", "-32768.4"),
	castCases("numeric", nil, "int8", nil, "9223372036854775807.4", "9223372036854775807.5", "-9223372036854775808.5", "1e30"),
	castCases("float8", nil, "int4", nil, "2.5", "3.5", "-2.5", "-3.5", "2147483647.4", "2147483647.5", "NaN", "Infinity", "1e10"),
	castCases("float8", nil, "int8", nil, "9.2233720368547758e18", "-9.2233720368547758e18", "1e18"),
	castCases("float4", nil, "int2", nil, "32767.4", "32767.6", "-32768.5"),
	castCases("int8", nil, "int4", nil, "2147483648", "-2147483648"),
	castCases("int4", nil, "int2", nil, "32768", "-32768"),
	castCases("int4", nil, "bool", nil, "0", "1", "-5"),
	castCases("bool", nil, "int4", nil, "t", "f"),
	castCases("bool", nil, "text", nil, "t", "f"),
	castCases("bool", nil, "varchar", []int{3}, "t"),
	castCases("float8", nil, "numeric", nil, "0.1", "1e20", "1.5e-7", "123456789.123456789", "3.141592653589793", "NaN", "-Infinity", "-0", "1e300"),
	castCases("float4", nil, "numeric", nil, "0.1", "1.5", "123456.7", "1e-10", "3.4e38"),
	castCases("numeric", nil, "float8", nil, "0.1", "123456789012345678901234567890", "NaN", "1e400", "-1e-400"),
	castCases("numeric", nil, "float4", nil, "0.1", "1e39", "1e-50"),
	castCases("float8", nil, "float4", nil, "1e39", "1e-50", "0.1", "NaN", "Infinity"),
	castCases("float4", nil, "float8", nil, "0.1", "1.5"),
	castCases("int8", nil, "float4", nil, "16777217", "9223372036854775807"),
	castCases("int8", nil, "float8", nil, "9223372036854775807"),
	castCases("numeric", nil, "numeric", []int{5, 2}, "1.005", "-1.005", "999.995", "NaN", "Infinity"),
	castCases("int4", nil, "numeric", []int{3, 1}, "99", "100"),
	castCases("float8", nil, "numeric", []int{4, 2}, "1.235", "99.999"),
	castCases("text", nil, "varchar", []int{3}, "abcdef", "ab", "äöüß"),
	castCases("varchar", []int{5}, "varchar", []int{2}, "abcde"),
	castCases("text", nil, `"char"`, nil, "xyz", ""),
	castCases("text", nil, "name", nil, "a123456789012345678901234567890123456789012345678901234567890123456789"),
	castCases("text", nil, "int4", nil, " 42 ", "x"),
	castCases("text", nil, "date", nil, "2026-03-04"),
	castCases("timestamp", nil, "date", nil, "2026-01-01 23:59:59", "1969-12-31 23:59:59", "infinity", "0001-01-01 12:00 BC"),
	castCases("timestamptz", nil, "date", nil, "2026-01-01 23:59:59+00", "-infinity"),
	castCases("date", nil, "timestamp", nil, "2026-01-01", "infinity", "1969-12-31"),
	castCases("date", nil, "timestamptz", nil, "2026-01-01", "5874897-01-01"),
	castCases("timestamp", nil, "timestamptz", nil, "2026-01-01 12:00:00.5"),
	castCases("timestamptz", nil, "timestamp", nil, "2026-01-01 12:00:00.5+02"),
	castCases("timestamp", nil, "timestamp", []int{1}, "2026-01-01 12:00:00.55", "2026-01-01 12:00:00.45"),
	castCases("timestamp", nil, "text", nil, "2026-01-01 12:00:00.5"),
	castCases("interval", nil, "text", nil, "1 day 2 hours"),
	castCases("numeric", nil, "text", nil, "1.50"),
	castCases("float8", nil, "text", nil, "0.1", "1e20"),
	castCases("float4", nil, "text", nil, "0.1"),
	castCases("bytea", nil, "text", nil, `\x0102`),
	castCases("text", nil, "bytea", nil, `\x0102`, "abc"),
	castCases("int4[]", nil, "int8[]", nil, "{1,2,NULL}"),
	castCases("int4[]", nil, "text", nil, "{1,2,NULL}"),
	castCases("text[]", nil, "int4[]", nil, "{1,2}", "{1,x}"),
	castCases("numeric[]", nil, "int4[]", nil, "{1.5,2.5}"),
	castCases("int4", nil, "oid", nil, "-1", "5"),
	castCases("int8", nil, "oid", nil, "4294967295", "4294967296", "-1"),
	castCases("oid", nil, "int4", nil, "4294967295"),
	castCases("oid", nil, "int8", nil, "4294967295"),
	castCases("json", nil, "jsonb", nil, `{"b":1,"a":2}`),
	castCases("jsonb", nil, "json", nil, `{"b":1,"a":2}`),
	castCases("jsonb", nil, "int4", nil, "1.5", "2.5", `"x"`),
	castCases("jsonb", nil, "numeric", nil, "1.50"),
	castCases("jsonb", nil, "bool", nil, "true", "1"),
	castCases("jsonb", nil, "float8", nil, "1.5"),
	castCases("jsonb", nil, "text", nil, `{"b":1,"a":2}`, `"abc"`),
	castCases("date", nil, "int4", nil, "2026-01-01"),
	castCases("int4", nil, "date", nil, "5"),
	castCases("interval", nil, "int8", nil, "1 day"),
	castCases("bool", nil, "int8", nil, "t"),
	castCases("int8", nil, "bool", nil, "1"),
	castCases("text", nil, "interval", nil, "1 day"),
)

func concatCastCases(sets ...[]castDiffCase) []castDiffCase {
	var out []castDiffCase
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

// TestRandomAgainstPostgres feeds random values of each type through our
// text output into PostgreSQL and checks that PostgreSQL prints and sends
// them exactly as we do (see TestAgainstPostgres for how to run it).
func TestRandomAgainstPostgres(t *testing.T) {
	dsn := os.Getenv("STREAMSQLD_TEST_PG")
	if dsn == "" {
		t.Skip("STREAMSQLD_TEST_PG not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET TimeZone = 'UTC'"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(6, 2))
	for _, typ := range []T{TInt2, TInt4, TInt8, TFloat4, TFloat8, TNumeric, TTimestamp, TTimestamptz, TDate, TInterval, TBytea, TText, TBool, ArrayOf(Int4), ArrayOf(Text)} {
		var ins []string
		var datums []Datum
		for i := 0; i < 2000; i++ {
			d := randomDatum(rng, typ)
			datums = append(datums, d)
			ins = append(ins, FormatText(d, typ))
		}
		for _, format := range []int16{pgx.TextFormatCode, pgx.BinaryFormatCode} {
			rows, err := conn.Query(ctx, "SELECT CAST(x AS "+typ.String()+") FROM unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n",
				pgx.QueryResultFormats{format}, ins)
			if err != nil {
				t.Fatal(err)
			}
			i := 0
			for rows.Next() {
				raw := rows.RawValues()[0]
				if format == pgx.TextFormatCode {
					if string(raw) != ins[i] {
						t.Errorf("%s: we print %q, PostgreSQL reads and prints %q", typ, ins[i], raw)
					}
				} else {
					got, err := AppendBinary(nil, datums[i], typ)
					if err != nil || !bytes.Equal(got, raw) {
						t.Errorf("%s %q: binary got %x (%v), PostgreSQL %x", typ, ins[i], got, err, raw)
					}
					back, err := ParseBinary(raw, typ)
					if err != nil || Compare(back, datums[i]) != 0 || FormatText(back, typ) != ins[i] {
						t.Errorf("%s %q: ParseBinary gives %q (%v)", typ, ins[i], FormatText(back, typ), err)
					}
				}
				i++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
		}
	}
}
