package server

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"SELECT 1; SELECT 2", []string{"SELECT 1", " SELECT 2"}},
		{"SELECT ';'; SELECT \"a;b\"", []string{"SELECT ';'", ` SELECT "a;b"`}},
		{"SELECT $$a;b$$; SELECT $x$;$x$;", []string{"SELECT $$a;b$$", " SELECT $x$;$x$"}},
		{"SELECT 1 -- c;\n; /* x; /* y; */ */ SELECT 2", []string{"SELECT 1 -- c;\n", " /* x; /* y; */ */ SELECT 2"}},
		{"SELECT E'\\';'; ;;", []string{"SELECT E'\\';'"}},
		{"COPY (SELECT 1; ) TO STDOUT", []string{"COPY (SELECT 1; ) TO STDOUT"}},
		{"SELECT $1; SELECT 2", []string{"SELECT $1", " SELECT 2"}},
	}
	for _, c := range cases {
		if got := splitStatements(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitStatements(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestUtilityPieces(t *testing.T) {
	if _, ok := utilityPieces("SELECT * FROM tumble(t, ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE"); ok {
		t.Error("a query mentioning CLOSE is no utility statement")
	}
	pieces, ok := utilityPieces("BEGIN; DECLARE c CURSOR FOR SELECT 1; FETCH 1 FROM c")
	if !ok || len(pieces) != 3 || pieces[2].off != strings.Index("BEGIN; DECLARE c CURSOR FOR SELECT 1; FETCH 1 FROM c", " FETCH") {
		t.Errorf("pieces = %+v, %v", pieces, ok)
	}
}

func TestParseCopy(t *testing.T) {
	cases := []struct {
		sql  string
		want string // format, or the error's SQLSTATE
	}{
		{"COPY (SELECT 1) TO STDOUT", `csv=false delim="\t" null="\\N" header=false`},
		{"COPY (SELECT 1) TO STDOUT WITH CSV HEADER", `csv=true delim="," null="" header=true quote="\"" escape="\""`},
		{"COPY (SELECT 1) TO STDOUT (FORMAT csv, DELIMITER ';', NULL 'null', QUOTE '''', HEADER false)", `csv=true delim=";" null="null" header=false quote="'" escape="'"`},
		{"copy t (a, b) to stdout with delimiter as '|' null as ''", `csv=false delim="|" null="" header=false`},
		{"COPY t TO STDOUT (FORMAT binary)", "0A000"},
		{"COPY t FROM STDIN", "0A000"},
		{"COPY t TO '/tmp/x'", "0A000"},
		{"COPY t TO STDOUT (DELIMITER 'ab')", "0A000"},
		{"COPY t TO STDOUT (QUOTE '\"')", "0A000"},
		{"COPY t TO STDOUT (FORMAT xml)", "22023"},
		{"COPY t TO STDOUT (NOPE 1)", "42601"},
		{"COPY t TO", "42601"},
	}
	for _, c := range cases {
		h, _, err := parseUtility(c.sql)
		var got string
		if err != nil {
			got = pgerror.Code(err)
		} else {
			f := h.(*copyStmt).format
			got = fmt.Sprintf("csv=%v delim=%q null=%q header=%v", f.CSV, string(f.Delimiter), f.Null, f.Header)
			if f.CSV {
				got += fmt.Sprintf(" quote=%q escape=%q", string(f.Quote), string(f.Escape))
			}
		}
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.sql, got, c.want)
		}
	}
}

func TestParseCursorStatements(t *testing.T) {
	cases := []struct {
		sql  string
		want any
	}{
		{"FETCH c", &fetchStmt{name: "c", dir: fetchForward, n: 1}},
		{`FETCH FORWARD 2000 FROM "C_1"`, &fetchStmt{name: "C_1", dir: fetchForward, n: 2000}},
		{"FETCH ALL IN c", &fetchStmt{name: "c", dir: fetchForward, n: fetchAll}},
		{"FETCH BACKWARD ALL FROM c", &fetchStmt{name: "c", dir: fetchBackward, n: fetchAll}},
		{"FETCH -2 FROM c", &fetchStmt{name: "c", dir: fetchBackward, n: 2}},
		{"FETCH PRIOR c", &fetchStmt{name: "c", dir: fetchBackward, n: 1}},
		{"FETCH LAST FROM c", &fetchStmt{name: "c", dir: fetchAbsolute, n: -1}},
		{"FETCH RELATIVE 0 FROM c", &fetchStmt{name: "c", dir: fetchRelative, n: 0}},
		{"MOVE 3 c", &fetchStmt{name: "c", move: true, dir: fetchForward, n: 3}},
		{"CLOSE ALL", &closeStmt{}},
		{`CLOSE "x"`, &closeStmt{name: "x"}},
	}
	for _, c := range cases {
		h, _, err := parseUtility(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if !reflect.DeepEqual(h, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.sql, h, c.want)
		}
	}
	h, n, err := parseUtility(`DECLARE "c_1" CURSOR WITHOUT HOLD FOR SELECT $1::int`)
	if err != nil || n != 1 {
		t.Fatalf("DECLARE: %v %d", err, n)
	}
	if d := h.(*declareStmt); d.name != "c_1" || d.hold || d.query == nil {
		t.Errorf("DECLARE = %+v", d)
	}
	if _, _, err := parseUtility("DECLARE c BINARY CURSOR FOR SELECT 1"); pgerror.Code(err) != pgerror.FeatureNotSupported {
		t.Errorf("BINARY cursor: %v", err)
	}
}

// TestCursorFetch checks cursor positioning against PostgreSQL's rules:
// FETCH moves onto the rows it returns and past the end, BACKWARD walks
// back, ABSOLUTE and RELATIVE jump.
func TestCursorFetch(t *testing.T) {
	rows := make([]types.Row, 5)
	for i := range rows {
		rows[i] = types.Row{types.NewInt(int64(i + 1))}
	}
	c := &cursor{rows: rows}
	steps := []struct {
		sql  string
		want []int64
		pos  int64
	}{
		{"FETCH 2 FROM c", []int64{1, 2}, 2},
		{"FETCH NEXT FROM c", []int64{3}, 3},
		{"FETCH PRIOR FROM c", []int64{2}, 2},
		{"FETCH ALL FROM c", []int64{3, 4, 5}, 6},
		{"FETCH NEXT FROM c", nil, 6},
		{"FETCH BACKWARD 2 FROM c", []int64{5, 4}, 4},
		{"FETCH ABSOLUTE 1 FROM c", []int64{1}, 1},
		{"FETCH RELATIVE 0 FROM c", []int64{1}, 1},
		{"FETCH LAST FROM c", []int64{5}, 5},
		{"FETCH ABSOLUTE -2 FROM c", []int64{4}, 4},
		{"FETCH RELATIVE 3 FROM c", nil, 6},
		{"FETCH BACKWARD ALL FROM c", []int64{5, 4, 3, 2, 1}, 0},
		{"FETCH ABSOLUTE 0 FROM c", nil, 0},
		{"MOVE FORWARD 3 IN c", []int64{1, 2, 3}, 3},
	}
	for _, s := range steps {
		h, _, err := parseUtility(s.sql)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range c.fetch(h.(*fetchStmt)) {
			got = append(got, r[0].I)
		}
		if !reflect.DeepEqual(got, s.want) || c.pos != s.pos {
			t.Errorf("%s: rows %v at %d, want %v at %d", s.sql, got, c.pos, s.want, s.pos)
		}
	}
}

func TestSettingNormalization(t *testing.T) {
	v := newSessionVars(map[string]string{"application_name": "psql"}, "u")
	set := func(name, value string) string {
		if err := v.set(name, value); err != nil {
			return pgerror.Code(err)
		}
		got, _ := v.get(name)
		return got
	}
	cases := []struct{ name, value, want string }{
		{"lock_timeout", "1000", "1s"},
		{"statement_timeout", "90s", "90s"},
		{"statement_timeout", "1.5s", "1500ms"},
		{"statement_timeout", "2min", "2min"},
		{"statement_timeout", "0", "0"},
		{"statement_timeout", "soon", "22023"},
		{"enable_seqscan", "OFF", "off"},
		{"enable_seqscan", "t", "on"},
		{"enable_seqscan", "maybe", "22023"},
		{"plan_cache_mode", "FORCE_custom_plan", "force_custom_plan"},
		{"plan_cache_mode", "never", "22023"},
		{"myapp.setting", "x", "x"},
		{"no_such_setting", "1", "42704"},
		{"server_version", "1", "55P02"},
	}
	for _, c := range cases {
		if got := set(c.name, c.value); got != c.want {
			t.Errorf("SET %s = %s: got %s, want %s", c.name, c.value, got, c.want)
		}
	}
	_ = v.set("application_name", "other")
	_ = v.reset("application_name")
	if got, _ := v.get("application_name"); got != "psql" {
		t.Errorf("RESET restores the startup value: got %q", got)
	}
	if got, _ := v.get("transaction_isolation"); got != "read committed" {
		t.Errorf("transaction_isolation = %q", got)
	}
	_ = v.set("default_transaction_isolation", "serializable")
	if got, _ := v.get("transaction_isolation"); got != "serializable" {
		t.Errorf("transaction_isolation follows the default outside a transaction: %q", got)
	}
}

var _ wire.TextFormatter = (*session)(nil)
