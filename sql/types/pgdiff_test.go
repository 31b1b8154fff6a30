package types

import (
	"bytes"
	"context"
	"errors"
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
		var want string
		wantCode := ""
		rerr := conn.QueryRow(ctx, "SELECT CAST($1::text AS "+sqlType+")::text", c.in).Scan(&want)
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
		rows, err := conn.Query(ctx, "SELECT CAST($1::text AS "+sqlType+")", pgx.QueryResultFormats{pgx.BinaryFormatCode}, c.in)
		if err != nil {
			t.Fatal(err)
		}
		var wantBin []byte
		for rows.Next() {
			wantBin = append([]byte(nil), rows.RawValues()[0]...)
		}
		rows.Close()
		if rows.Err() != nil {
			t.Fatalf("%s %q: binary: %v", sqlType, c.in, rows.Err())
		}
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
		"294276-12-31 23:59:59.999999", "294277-01-01", "abc", "12:00", "2026-01-01 12:00:00 pm", "2026-01-01 01:00 pm",
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
	diffCases("json", nil, `{"b": 1, "a": [1, 2.50, "x"]}`, `  [1,2]  `, `{"a":}`, `nul`, `"a\u0041"`, `1e5`, `{"a":1,"a":2}`, `[1,`),
	diffCases("jsonb", nil, `{"b": 1, "a": [1, 2.50, "x"]}`, `{"aa":1,"b":2,"a":{"y":null,"x":true}}`, `{"a":1,"a":2}`, `[]`, `{}`,
		`"a\u0041\n"`, `1e2`, `-0`, `1.0`, `[1,2,[3,{"k":"v"}]]`, `"\u00e9"`, `{"a":}`, `tru`),
	diffCases("text[]", nil, `{a,b,"c d",NULL}`, `{}`, `{"",null,"NULL","a\"b","a\\b"}`, `{ a , b }`, `{{a,b},{c,d}}`, `{a,b`, `{a,{b}}`, `a`,
		`{"a,b","{x}"}`, `{a b,  c  }`),
	diffCases("int4[]", nil, `{1,2,3}`, `{1,NULL}`, `{{1,2},{3,4}}`, `{1,x}`, `[0:1]={1,2}`, `{{1},{2,3}}`),
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
