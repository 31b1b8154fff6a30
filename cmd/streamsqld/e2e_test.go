package main_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streamsqld/internal/testserver"
)

const hashtagView = `CREATE MATERIALIZED VIEW hashtag_counts AS
  SELECT window_start, window_end, tag, COUNT(*) AS cnt
  FROM (SELECT window_start, window_end,
               unnest(regexp_matches(lower(text), '#[a-z0-9_]+', 'g')) AS tag
        FROM TUMBLE(tweets, ts, INTERVAL '1' MINUTE)) t
  GROUP BY window_start, window_end, tag`

type tweet struct {
	id     int64
	ts     time.Time
	author string
	text   string
}

// makeTweets builds tweets whose event time moves forward with a little
// disorder (never more than the 5 s watermark delay).
func makeTweets(n int, seed int64) []tweet {
	rng := rand.New(rand.NewSource(seed))
	tags := []string{"#flink", "#Kafka", "#streaming", "#golang", "#sql", "#rust", "#postgres", "#data"}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]tweet, n)
	for i := range out {
		ts := base.Add(time.Duration(i)*900*time.Millisecond - time.Duration(rng.Intn(3000))*time.Millisecond)
		var words []string
		for k := 0; k < 1+rng.Intn(4); k++ {
			words = append(words, fmt.Sprintf("word%d", rng.Intn(50)))
		}
		for k := 0; k < rng.Intn(4); k++ {
			words = append(words, tags[rng.Intn(len(tags))])
		}
		rng.Shuffle(len(words), func(a, b int) { words[a], words[b] = words[b], words[a] })
		out[i] = tweet{id: int64(i + 1), ts: ts, author: fmt.Sprintf("user_%d", rng.Intn(20)), text: strings.Join(words, " ")}
	}
	return out
}

// expectedCounts counts hashtags per one-minute window the way the view
// must, without the engine.
func expectedCounts(tweets []tweet) map[string]int64 {
	re := regexp.MustCompile(`#[a-z0-9_]+`)
	out := map[string]int64{}
	for _, tw := range tweets {
		start := tw.ts.Truncate(time.Minute)
		for _, tag := range re.FindAllString(strings.ToLower(tw.text), -1) {
			out[fmt.Sprintf("%s|%s|%s", start.Format("2006-01-02 15:04:05"), start.Add(time.Minute).Format("2006-01-02 15:04:05"), tag)]++
		}
	}
	return out
}

func readCounts(ctx context.Context, t *testing.T, conn *pgx.Conn) map[string]int64 {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT window_start, window_end, tag, cnt FROM hashtag_counts ORDER BY window_start, tag`)
	if err != nil {
		t.Fatalf("select view: %v", err)
	}
	defer rows.Close()
	got := map[string]int64{}
	for rows.Next() {
		var ws, we time.Time
		var tag string
		var cnt int64
		if err := rows.Scan(&ws, &we, &tag, &cnt); err != nil {
			t.Fatalf("scan: %v", err)
		}
		got[fmt.Sprintf("%s|%s|%s", ws.Format("2006-01-02 15:04:05"), we.Format("2006-01-02 15:04:05"), tag)] = cnt
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return got
}

func diffCounts(want, got map[string]int64) string {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	n := 0
	for _, k := range keys {
		if want[k] != got[k] {
			if n < 10 {
				fmt.Fprintf(&b, "  %s: want %d, got %d\n", k, want[k], got[k])
			}
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d groups differ:\n%s", n, b.String())
}

// TestHashtagViewOverTable is the foundation's end-to-end check: the real
// binary, a real pgx client over TCP with both protocols, a table fed by
// INSERT and the hashtag view, compared with counts computed here.
func TestHashtagViewOverTable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := testserver.Start(t, "", "--parallelism", "2")
	simple := srv.ConnectSimple(t, ctx)
	ext := srv.Connect(t, ctx)

	if _, err := simple.Exec(ctx, `CREATE TABLE tweets (id BIGINT, ts TIMESTAMP, author VARCHAR, text VARCHAR,
		WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`); err != nil {
		t.Fatalf("create table: %v", err)
	}
	tweets := makeTweets(600, 42)
	// Rows inserted before the view exists are backfilled from the table log.
	first, rest := tweets[:200], tweets[200:]
	for _, tw := range first {
		if _, err := ext.Exec(ctx, `INSERT INTO tweets VALUES ($1, $2, $3, $4)`, tw.id, tw.ts, tw.author, tw.text); err != nil {
			t.Fatalf("insert (extended): %v", err)
		}
	}
	if _, err := simple.Exec(ctx, hashtagView); err != nil {
		t.Fatalf("create view: %v\n%s", err, srv.Log())
	}
	got := readCounts(ctx, t, ext)
	if d := diffCounts(expectedCounts(first), got); d != "" {
		t.Fatalf("after backfill, view differs from the independent count: %s", d)
	}
	// Then a multi-row INSERT through the simple protocol, in batches.
	for i := 0; i < len(rest); i += 100 {
		var vals []string
		for _, tw := range rest[i:min(i+100, len(rest))] {
			vals = append(vals, fmt.Sprintf("(%d, '%s', '%s', '%s')", tw.id, tw.ts.Format("2006-01-02 15:04:05.999999"), tw.author, tw.text))
		}
		if _, err := simple.Exec(ctx, "INSERT INTO tweets VALUES "+strings.Join(vals, ", ")); err != nil {
			t.Fatalf("insert (simple): %v", err)
		}
	}
	want := expectedCounts(tweets)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = readCounts(ctx, t, ext)
		d := diffCounts(want, got)
		if d == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("view never matched the independent count: %s\nserver log:\n%s", d, srv.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("hashtag view matches: %d groups over %d tweets", len(want), len(tweets))
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// TestErrorsKeepSessionUsable checks SQLSTATEs of bad statements and that
// the session answers afterwards, in both protocols.
func TestErrorsKeepSessionUsable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := testserver.Start(t, "", "--parallelism", "1")
	for _, mode := range []string{"simple", "extended"} {
		t.Run(mode, func(t *testing.T) {
			conn := srv.Connect(t, ctx)
			if mode == "simple" {
				conn = srv.ConnectSimple(t, ctx)
			}
			if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS t (a INT, b VARCHAR)`); err != nil {
				t.Fatal(err)
			}
			cases := []struct{ sql, code string }{
				{`SELEC 1`, "42601"},
				{`SELECT * FROM nope`, "42P01"},
				{`SELECT nope FROM t`, "42703"},
				{`SELECT a FROM t WHERE b`, "42804"},
				{`SELECT 1/0`, "22012"},
				{`SELECT 'abc'::int`, "22P02"},
				{`SELECT * FROM generate_series(1,3) WITH ORDINALITY`, "0A000"},
			}
			for _, c := range cases {
				_, err := conn.Exec(ctx, c.sql)
				if got := pgCode(err); got != c.code {
					t.Errorf("%s: want SQLSTATE %s, got %v", c.sql, c.code, err)
				}
				var one int
				if err := conn.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
					t.Fatalf("session unusable after %q: %v", c.sql, err)
				}
			}
			var pe *pgconn.PgError
			_, err := conn.Exec(ctx, "SELECT 1 FROM t WHERE a >")
			if !errors.As(err, &pe) || pe.Position == 0 {
				t.Errorf("syntax error without position: %v", err)
			}
		})
	}
}

func TestWrongDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := testserver.Start(t, "", "--parallelism", "1")
	_, err := pgx.Connect(ctx, strings.Replace(srv.ConnString(), "/streamsql?", "/postgres?", 1))
	if pgCode(err) != "3D000" {
		t.Fatalf("want 3D000 for an unknown database, got %v", err)
	}
}

// TestDefinitionsSurviveRestart checks that the catalog and table contents
// persist and the view is rebuilt after a graceful restart.
func TestDefinitionsSurviveRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	srv := testserver.Start(t, dir, "--parallelism", "2")
	conn := srv.Connect(t, ctx)
	for _, q := range []string{
		`CREATE TABLE clicks (uid INT, url VARCHAR)`,
		`INSERT INTO clicks VALUES (1, 'a'), (2, 'b'), (1, 'c')`,
		`CREATE MATERIALIZED VIEW per_user AS SELECT uid, count(*) AS n FROM clicks GROUP BY uid`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_ = conn.Close(ctx)
	srv.Stop()

	srv2 := testserver.Start(t, dir, "--parallelism", "2")
	conn2 := srv2.Connect(t, ctx)
	if _, err := conn2.Exec(ctx, `INSERT INTO clicks VALUES (2, 'd')`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got []string
		rows, err := conn2.Query(ctx, `SELECT uid, n FROM per_user ORDER BY uid`)
		if err != nil {
			t.Fatalf("select: %v\n%s", err, srv2.Log())
		}
		for rows.Next() {
			var uid int32
			var n int64
			_ = rows.Scan(&uid, &n)
			got = append(got, fmt.Sprintf("%d:%d", uid, n))
		}
		rows.Close()
		if strings.Join(got, ",") == "1:2,2:2" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after restart want 1:2,2:2, got %v\n%s", got, srv2.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
