package main_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"streamsqld/internal/testserver"
)

// Logic tests: testdata/logic/*.slt files run against the real server over
// the simple protocol (text format, exactly what psql shows). Each file gets
// a fresh server. Directives, each followed by SQL up to a blank line:
//
//	statement ok
//	statement error <SQLSTATE> [regexp of the message]
//	query [rowsort] [eventually]   then `----` and the expected output:
//	                               the column names, then one line per row,
//	                               values joined by " | ", NULL as NULL.
//
// `eventually` retries the query for up to 20 s until the output matches,
// for streaming views that catch up asynchronously. Run with -rewrite to
// regenerate the expected outputs.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of logic tests")

type logicCase struct {
	directive string
	sql       string
	expected  string
	line      int
}

func parseLogicFile(t *testing.T, path string) (header []string, cases []logicCase) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	i := 0
	for i < len(lines) {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			if len(cases) == 0 {
				header = append(header, l)
			}
			i++
			continue
		}
		c := logicCase{directive: trimmed, line: i + 1}
		i++
		var sqlLines []string
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" && lines[i] != "----" {
			sqlLines = append(sqlLines, lines[i])
			i++
		}
		c.sql = strings.Join(sqlLines, "\n")
		if i < len(lines) && lines[i] == "----" {
			i++
			var exp []string
			for i < len(lines) && lines[i] != "" {
				exp = append(exp, lines[i])
				i++
			}
			c.expected = strings.Join(exp, "\n")
		}
		cases = append(cases, c)
	}
	return header, cases
}

func formatResult(fields []pgconn.FieldDescription, data [][][]byte, sortRows bool) string {
	var cols []string
	for _, f := range fields {
		cols = append(cols, f.Name)
	}
	var rows []string
	for _, row := range data {
		vals := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				vals[i] = "NULL"
			} else {
				vals[i] = string(v)
			}
		}
		rows = append(rows, strings.Join(vals, " | "))
	}
	if sortRows {
		sort.Strings(rows)
	}
	return strings.Join(append([]string{strings.Join(cols, " | ")}, rows...), "\n")
}

// runLogicQuery returns the formatted last result of sql. It reads the
// results itself because pgconn's ReadAll drops the column names of an
// empty result.
func runLogicQuery(ctx context.Context, conn *pgconn.PgConn, sql string, sortRows bool) (string, error) {
	mrr := conn.Exec(ctx, sql)
	var out string
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		var data [][][]byte
		for rr.NextRow() {
			row := make([][]byte, len(rr.Values()))
			for i, v := range rr.Values() {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			data = append(data, row)
		}
		fields := rr.FieldDescriptions()
		if _, err := rr.Close(); err != nil {
			_ = mrr.Close()
			return "", err
		}
		out = formatResult(fields, data, sortRows)
	}
	return out, mrr.Close()
}

func TestLogic(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "logic", "*.slt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no logic test files: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".slt"), func(t *testing.T) {
			runLogicFile(t, path)
		})
	}
}

func runLogicFile(t *testing.T, path string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv := testserver.Start(t, "", "--parallelism", "2")
	conn, err := pgconn.Connect(ctx, srv.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	header, cases := parseLogicFile(t, path)
	for ci := range cases {
		c := &cases[ci]
		fields := strings.Fields(c.directive)
		where := fmt.Sprintf("%s:%d", filepath.Base(path), c.line)
		switch fields[0] {
		case "statement":
			_, err := conn.Exec(ctx, c.sql).ReadAll()
			if len(fields) > 1 && fields[1] == "ok" {
				if err != nil {
					t.Errorf("%s: %s\nwant ok, got %v", where, c.sql, err)
				}
				continue
			}
			if len(fields) < 3 || fields[1] != "error" {
				t.Fatalf("%s: bad directive %q", where, c.directive)
			}
			wantCode := fields[2]
			var pe *pgconn.PgError
			if err == nil || !asPgError(err, &pe) || pe.Code != wantCode {
				t.Errorf("%s: %s\nwant error %s, got %v", where, c.sql, wantCode, err)
				continue
			}
			if len(fields) > 3 {
				re := regexp.MustCompile(strings.Join(fields[3:], " "))
				if !re.MatchString(pe.Message) {
					t.Errorf("%s: message %q does not match %q", where, pe.Message, re)
				}
			}
		case "query":
			sortRows, eventually := false, false
			for _, f := range fields[1:] {
				switch f {
				case "rowsort":
					sortRows = true
				case "eventually":
					eventually = true
				default:
					t.Fatalf("%s: unknown query option %q", where, f)
				}
			}
			deadline := time.Now().Add(20 * time.Second)
			var got string
			for {
				got, err = runLogicQuery(ctx, conn, c.sql, sortRows)
				if err != nil {
					got = "error: " + err.Error()
				}
				if got == c.expected || !eventually || *rewrite || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if *rewrite {
				c.expected = got
				continue
			}
			if got != c.expected {
				t.Errorf("%s: %s\nwant:\n%s\ngot:\n%s", where, c.sql, c.expected, got)
			}
		default:
			t.Fatalf("%s: unknown directive %q", where, c.directive)
		}
	}
	if *rewrite {
		var b strings.Builder
		for _, h := range header {
			b.WriteString(h + "\n")
		}
		for i, c := range cases {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(c.directive + "\n" + c.sql + "\n")
			if strings.HasPrefix(c.directive, "query") {
				b.WriteString("----\n" + c.expected + "\n")
			}
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func asPgError(err error, pe **pgconn.PgError) bool { return errors.As(err, pe) }
