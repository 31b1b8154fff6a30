package sql

import (
	"strings"
	"testing"
	"time"
)

var benchQueries = map[string]string{
	"hashtag": `SELECT window_start, window_end, tag, COUNT(*) AS cnt
  FROM (SELECT window_start, window_end,
               unnest(regexp_matches(lower(text), '#[a-z0-9_]+', 'g')) AS tag
        FROM TUMBLE(tweets, ts, INTERVAL '1' MINUTE)) t
  GROUP BY window_start, window_end, tag`,
	"psql_dt": `SELECT n.nspname as "Schema", c.relname as "Name" FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r','p','') AND n.nspname !~ '^pg_toast' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2`,
	"insert_10k": "INSERT INTO t VALUES " + strings.Repeat("(1, 'abc', 2.5), ", 9999) + "(2, 'b', 1.0)",
}

func BenchmarkParse(b *testing.B) {
	for name, q := range benchQueries {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(q)))
			for b.Loop() {
				if _, err := Parse(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLinear checks that parse time grows linearly with input size: a
// quadratic step would make the 8x input take about 64x as long (the
// bound leaves room for noisy machines).
func TestLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	gen := map[string]func(n int) string{
		"values":  func(n int) string { return "INSERT INTO t VALUES " + strings.Repeat("(1, 'a'), ", n) + "(2, 'b')" },
		"and":     func(n int) string { return "SELECT 1 FROM t WHERE " + strings.Repeat("a ~ 'x' AND ", n) + "true" },
		"concat":  func(n int) string { return "SELECT 'a'" + strings.Repeat(" || 'b'", n) },
		"string":  func(n int) string { return "SELECT '" + strings.Repeat("x", 100*n) + "'" },
		"columns": func(n int) string { return "SELECT " + strings.Repeat("a::int, ", n) + "1 FROM t" },
	}
	for name, g := range gen {
		t.Run(name, func(t *testing.T) {
			measure := func(n int) float64 {
				q := g(n)
				best := time.Duration(0)
				for range 5 {
					start := time.Now()
					if _, err := Parse(q); err != nil {
						t.Fatal(err)
					}
					if d := time.Since(start); best == 0 || d < best {
						best = d
					}
				}
				return float64(best)
			}
			small, big := measure(1000), measure(8000)
			if ratio := big / small; ratio > 32 {
				t.Fatalf("8x input took %.1fx as long", ratio)
			}
		})
	}
}
