package sql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"streamsqld/sql/pgerror"
)

// FuzzParse checks that Parse never panics and never reports an internal
// error (XX000), which would mean the rewrite produced text TiDB parsed
// into something the converter did not expect. Seeds are the golden
// inputs. Run: go test ./sql -run '^$' -fuzz FuzzParse
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/parse/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		cases, err := parseGolden(string(data))
		if err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, c := range cases {
			f.Add(c.input)
		}
	}
	f.Fuzz(func(t *testing.T, q string) {
		ps, err := Parse(q)
		if err != nil {
			pe := pgerror.Flatten(err)
			if pe.Code == pgerror.InternalError {
				t.Fatalf("internal error for %q: %v", q, err)
			}
			if pe.Position < 0 || pe.Position > len([]rune(q))+1 {
				t.Fatalf("position %d out of range for %q", pe.Position, q)
			}
			return
		}
		for _, p := range ps {
			if p.Stmt == nil {
				t.Fatalf("nil statement for %q", q)
			}
			if p.SQL != strings.TrimSpace(p.SQL) {
				t.Fatalf("untrimmed statement text %q", p.SQL)
			}
		}
	})
}

// TestTooComplex checks that deep nesting fails with 54001 instead of
// exhausting the stack.
func TestTooComplex(t *testing.T) {
	cases := map[string]string{
		"parens":    "SELECT " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		"brackets":  "SELECT ARRAY" + strings.Repeat("[", 5000) + "1" + strings.Repeat("]", 5000),
		"casts":     "SELECT 1" + strings.Repeat("::int", 20000),
		"plus":      "SELECT 1" + strings.Repeat(" + 1", 20000),
		"not":       "SELECT " + strings.Repeat("NOT ", 20000) + "true",
		"case":      "SELECT " + strings.Repeat("CASE WHEN true THEN ", 3000) + "1" + strings.Repeat(" END", 3000),
		"subquery":  "SELECT " + strings.Repeat("(SELECT ", 3000) + "1" + strings.Repeat(")", 3000),
		"concat":    "SELECT 'a'" + strings.Repeat(" || 'a'", 20000),
		"funcs":     "SELECT " + strings.Repeat("f(", 3000) + "1" + strings.Repeat(")", 3000),
		"ddl":       "CREATE SOURCE s (ts TIMESTAMP, WATERMARK FOR ts AS " + strings.Repeat("(", 5000) + "ts" + strings.Repeat(")", 5000) + ")",
		"subscript": "SELECT a" + strings.Repeat("[1]", 20000),
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(q)
			if code := pgerror.Code(err); err == nil || code != pgerror.StatementTooComplex {
				t.Fatalf("got %v (%s), want 54001", err, code)
			}
		})
	}
	// Long but shallow inputs stay fine.
	ok := []string{
		"SELECT " + strings.Repeat("1, ", 5000) + "1",
		"SELECT 1 WHERE x IN (" + strings.Repeat("1, ", 5000) + "1)",
		"INSERT INTO t VALUES " + strings.Repeat("(1, 'a'), ", 2000) + "(2, 'b')",
		"SELECT 1" + strings.Repeat(" + 1", 500),
	}
	for _, q := range ok {
		if _, err := Parse(q); err != nil {
			t.Fatalf("%.40s...: %v", q, err)
		}
	}
}
