package main_test

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"streamsqld/internal/testserver"
)

// The property: for random event streams with bounded disorder and no late
// events, every view's final contents equal the same query computed in
// batch over all events (by the batch executor, an independent engine), at
// parallelism 1, 2 and 4.

var propertyQueries = []struct {
	name string
	// query is the view's SELECT over relation "ev"; batch runs the same
	// text ad hoc.
	query string
	// closedOnly compares only windows the final watermark has closed
	// (EMIT ON WINDOW CLOSE emits nothing else).
	closedOnly bool
}{
	{name: "tumble_count", query: `SELECT window_start, window_end, k, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi
		FROM TUMBLE(ev, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end, k`},
	{name: "hop_avg", query: `SELECT window_start, window_end, avg(v) AS a, count(DISTINCT k) AS keys
		FROM HOP(ev, ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND) GROUP BY window_start, window_end`},
	{name: "unbounded_having", query: `SELECT k, count(*) AS n, sum(v * 2) AS s FROM ev WHERE v % 3 <> 0 GROUP BY k HAVING count(*) > 3`},
	{name: "filter_project", query: `SELECT k, v + 1 AS w, upper(tag) AS t FROM ev WHERE v > 50`},
	{name: "tumble_eowc", closedOnly: true, query: `SELECT window_start, window_end, k, count(*) AS n
		FROM TUMBLE(ev, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end, k EMIT ON WINDOW CLOSE`},
}

type event struct {
	k, v int
	ts   time.Time
	tag  string
}

// randomEvents moves event time forward by up to 2 s per event and jitters
// each event up to 4 s back: within the 5 s watermark delay, so nothing is
// late.
func randomEvents(rng *rand.Rand, n int) []event {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	clock := base
	out := make([]event, n)
	for i := range out {
		clock = clock.Add(time.Duration(rng.Intn(2000)) * time.Millisecond)
		ts := clock.Add(-time.Duration(rng.Intn(4000)) * time.Millisecond)
		if ts.Before(base) {
			ts = base
		}
		out[i] = event{k: rng.Intn(7), v: rng.Intn(100), ts: ts, tag: fmt.Sprintf("t%d", rng.Intn(5))}
	}
	return out
}

func queryRowsText(ctx context.Context, t *testing.T, conn *pgx.Conn, q string) []string {
	t.Helper()
	rows, err := conn.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var vals []string
		for _, raw := range rows.RawValues() {
			if raw == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, string(raw))
			}
		}
		out = append(out, strings.Join(vals, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	sort.Strings(out)
	return out
}

func TestViewsEqualBatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	srv := testserver.Start(t, "", "--parallelism", "2")
	conn := srv.Connect(t, ctx)
	for seed := int64(1); seed <= 2; seed++ {
		rng := rand.New(rand.NewSource(seed))
		events := randomEvents(rng, 1500)
		table := fmt.Sprintf("ev%d", seed)
		if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (k INT, v INT, ts TIMESTAMP, tag VARCHAR,
			WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)`, table)); err != nil {
			t.Fatal(err)
		}
		// Half before the views exist (backfill), half after.
		insert := func(evs []event) {
			for i := 0; i < len(evs); i += 250 {
				var vals []string
				for _, e := range evs[i:min(i+250, len(evs))] {
					vals = append(vals, fmt.Sprintf("(%d, %d, '%s', '%s')", e.k, e.v, e.ts.Format("2006-01-02 15:04:05.999"), e.tag))
				}
				if _, err := conn.Exec(ctx, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ","), pgx.QueryExecModeSimpleProtocol); err != nil {
					t.Fatal(err)
				}
			}
		}
		insert(events[:750])
		var maxTS time.Time
		for _, e := range events {
			if e.ts.After(maxTS) {
				maxTS = e.ts
			}
		}
		watermark := maxTS.Add(-5 * time.Second)
		var views []string
		for _, par := range []int{1, 2, 4} {
			if _, err := conn.Exec(ctx, fmt.Sprintf("SET streaming_parallelism = %d", par)); err != nil {
				t.Fatal(err)
			}
			for _, pq := range propertyQueries {
				view := fmt.Sprintf("%s_%s_p%d", pq.name, table, par)
				q := strings.ReplaceAll(pq.query, "(ev,", "("+table+",")
				q = strings.ReplaceAll(q, "FROM ev ", "FROM "+table+" ")
				if _, err := conn.Exec(ctx, "CREATE MATERIALIZED VIEW "+view+" AS "+q); err != nil {
					t.Fatalf("create %s: %v", view, err)
				}
				views = append(views, view)
			}
		}
		insert(events[750:])
		for _, par := range []int{1, 2, 4} {
			for _, pq := range propertyQueries {
				view := fmt.Sprintf("%s_%s_p%d", pq.name, table, par)
				q := strings.ReplaceAll(pq.query, "(ev,", "("+table+",")
				q = strings.ReplaceAll(q, "FROM ev ", "FROM "+table+" ")
				q = strings.Replace(q, " EMIT ON WINDOW CLOSE", "", 1)
				batchQ := "SELECT * FROM (" + q + ") b"
				viewQ := "SELECT * FROM " + view
				if pq.closedOnly {
					cut := fmt.Sprintf(" WHERE window_end <= TIMESTAMP '%s'", watermark.Format("2006-01-02 15:04:05.999"))
					batchQ += cut
					viewQ += cut
				}
				want := queryRowsText(ctx, t, conn, batchQ)
				deadline := time.Now().Add(20 * time.Second)
				for {
					got := queryRowsText(ctx, t, conn, viewQ)
					if strings.Join(got, "\n") == strings.Join(want, "\n") {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("seed %d, %s at parallelism %d: view (%d rows) differs from batch (%d rows)\nview:  %v\nbatch: %v",
							seed, pq.name, par, len(got), len(want), head(got, 5), head(want, 5))
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		}
		t.Logf("seed %d: %d views over %d events equal their batch results", seed, len(views), len(events))
	}
}

func head(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
