package main_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"streamsqld/internal/testserver"
)

// scrapeHeap reads the live heap as of the server's last GC
// (go_gc_heap_live_bytes) from its /metrics: what the server retains, not
// the garbage between two collections, whose sawtooth hides any trend.
func scrapeHeap(addr string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_gc_heap_live_bytes "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("go_gc_heap_live_bytes not exported")
}

// TestLongRunHeapFlat runs 10 million generated events through thousands
// of one-second windows (a count and a COUNT(DISTINCT) per window) and
// checks that the live heap stays flat: window state is freed once the
// watermark passes a window's end. STREAMSQLD_LONGRUN_EVENTS overrides the
// event count.
func TestLongRunHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("long run skipped with -short")
	}
	events := int64(10_000_000)
	if v := os.Getenv("STREAMSQLD_LONGRUN_EVENTS"); v != "" {
		events, _ = strconv.ParseInt(v, 10, 64)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	srv := testserver.Start(t, "", "--parallelism", "2", "--http", "127.0.0.1:0")
	conn := srv.Connect(t, ctx)
	ddl := []string{
		fmt.Sprintf(`CREATE SOURCE gen (id BIGINT, ts TIMESTAMP, author VARCHAR, text VARCHAR,
			WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
			WITH (connector = 'datagen', datagen.mode = 'tweets', rows.per.second = '0',
			      datagen.rows.total = '%d', datagen.start.millis = '1767225600000')`, events),
		`CREATE MATERIALIZED VIEW per_second AS
			SELECT window_start, count(*) AS n, count(DISTINCT author) AS authors
			FROM TUMBLE(gen, ts, INTERVAL '1' SECOND)
			GROUP BY window_start, window_end`,
	}
	if _, err := conn.Exec(ctx, ddl[0]); err != nil {
		t.Fatalf("%s: %v", ddl[0], err)
	}
	// Heap is sampled in the background for the whole run: CREATE
	// MATERIALIZED VIEW itself consumes the bounded source while it waits
	// for the view to catch up.
	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan []float64)
	go func() {
		var out []float64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-sampleCtx.Done():
				sampled <- out
				return
			case <-tick.C:
				if v, err := scrapeHeap(srv.HTTPAddr()); err == nil {
					out = append(out, v)
				}
			}
		}
	}()
	start := time.Now()
	if _, err := conn.Exec(ctx, ddl[1]); err != nil {
		t.Fatalf("%s: %v", ddl[1], err)
	}
	var done int64
	for done < events {
		if ctx.Err() != nil {
			t.Fatalf("timed out after %d of %d events\n%s", done, events, srv.Log())
		}
		if err := conn.QueryRow(ctx, `SELECT coalesce(sum(n), 0)::bigint FROM per_second`).Scan(&done); err != nil {
			t.Fatalf("progress: %v", err)
		}
		if done < events {
			time.Sleep(100 * time.Millisecond)
		}
	}
	stopSampling()
	samples := <-sampled
	elapsed := time.Since(start)
	var windows int64
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM per_second`).Scan(&windows); err != nil {
		t.Fatal(err)
	}
	if len(samples) < 4 {
		t.Logf("run too short for a heap trend (%d samples)", len(samples))
		return
	}
	// The live heap rises during each checkpoint interval (the epoch's
	// changed state waits for its checkpoint) and falls when the
	// checkpoint takes it: compare the troughs, what stays between
	// checkpoints, of the first half after warm-up with the second half.
	// The view itself grows by one small row per window; nothing else may.
	q := len(samples) / 4
	trough := func(s []float64) float64 {
		m := s[0]
		for _, v := range s {
			m = min(m, v)
		}
		return m
	}
	early, late := trough(samples[q:2*q]), trough(samples[2*q:])
	t.Logf("%d events, %d windows in %v (%.0f events/s); live heap between checkpoints: early %.1f MiB, late %.1f MiB",
		events, windows, elapsed.Round(time.Millisecond), float64(events)/elapsed.Seconds(), early/(1<<20), late/(1<<20))
	// One view row per window is ~200 bytes (twice: the committed image
	// and the undo log of the open checkpoint); allow that, plus 25% and
	// 64 MiB for where a trough falls in a checkpoint interval (on a
	// loaded machine a checkpoint can take seconds). Window state that is
	// never freed would hold about 50 KB per window (a second's distinct
	// authors), 500 MiB over this run.
	allowed := early*1.25 + 64<<20 + float64(windows)*400
	if late > allowed {
		t.Fatalf("heap grew from %.1f MiB to %.1f MiB over the run (allowed %.1f MiB)", early/(1<<20), late/(1<<20), allowed/(1<<20))
	}
}
