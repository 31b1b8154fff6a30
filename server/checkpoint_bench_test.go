package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"streamsqld/wire"
)

// Benchmarks of checkpointing (go test -run XXX -bench Checkpoint ./server):
//
//   - BenchmarkHashtagCheckpointing: throughput of the hashtag pipeline
//     over an unthrottled, bounded datagen source with a checkpoint every
//     second and with checkpoints off. CREATE MATERIALIZED VIEW returns at
//     the end of the bounded input, so its duration is the processing time.
//   - BenchmarkRecovery: time from Open (process start) until a view of
//     STREAMSQLD_RECOVERY_KEYS keys (default 1,000,000) serves reads.

func benchEngine(b *testing.B, dir string, interval time.Duration) (*Engine, wire.Session) {
	b.Helper()
	e, err := Open(context.Background(), Config{
		DataDir: dir, Parallelism: 2, CheckpointInterval: interval, MaxConnections: 10,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := e.Connect(context.Background(), map[string]string{"user": "bench", "database": Database},
		wire.BackendKey{ProcessID: 1, SecretKey: 1})
	if err != nil {
		e.Close()
		b.Fatal(err)
	}
	return e, sess
}

func benchExec(b *testing.B, sess wire.Session, q string) int64 {
	b.Helper()
	ctx := context.Background()
	stmts, err := sess.Prepare(ctx, q, nil)
	if err != nil {
		b.Fatalf("%s: %v", q, err)
	}
	var last int64
	for _, st := range stmts {
		res, err := sess.Execute(ctx, st, nil)
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		if res.Rows == nil {
			continue
		}
		for {
			r, err := res.Rows.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if r == nil {
				break
			}
			if len(r) > 0 && !r[0].IsNull() {
				last = r[0].I
			}
		}
		res.Rows.Close()
	}
	return last
}

const benchHashtagView = `CREATE MATERIALIZED VIEW hashtag_counts AS
  SELECT window_start, window_end, tag, COUNT(*) AS cnt
  FROM (SELECT window_start, window_end,
               unnest(regexp_matches(lower(text), '#[a-z0-9_]+', 'g')) AS tag
        FROM TUMBLE(tweets, ts, INTERVAL '1' MINUTE)) t
  GROUP BY window_start, window_end, tag`

func BenchmarkHashtagCheckpointing(b *testing.B) {
	const rows = 2_000_000
	for _, interval := range []time.Duration{0, time.Second} {
		b.Run("interval="+interval.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				e, sess := benchEngine(b, b.TempDir(), interval)
				benchExec(b, sess, fmt.Sprintf(`CREATE SOURCE tweets (id BIGINT, ts TIMESTAMP, author VARCHAR, text VARCHAR,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (connector = 'datagen', datagen.mode = 'tweets', rows.per.second = '0',
        datagen.rows.total = '%d', datagen.start.millis = '1767225600000') FORMAT JSON`, rows))
				start, cpu0 := time.Now(), cpuTime()
				benchExec(b, sess, benchHashtagView)
				elapsed, cpu := time.Since(start), cpuTime()-cpu0
				b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
				// CPU time is steadier than wall time on a shared machine.
				b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
				sess.Close()
				e.Close()
			}
		})
	}
}

func BenchmarkRecovery(b *testing.B) {
	keys := 1_000_000
	if s := getenv("STREAMSQLD_RECOVERY_KEYS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		keys = n
	}
	// STREAMSQLD_RECOVERY_DIR keeps the data dir between runs (to profile
	// recovery alone): it is only built when it holds no view yet.
	dir := getenv("STREAMSQLD_RECOVERY_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	e, sess := benchEngine(b, dir, time.Second)
	if _, ok := e.cat.Snapshot().Lookup("per_key"); !ok {
		buildRecoveryView(b, sess, keys)
	}
	sess.Close()
	e.Close() // takes a final checkpoint
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		e, sess := benchEngine(b, dir, time.Second)
		n := benchExec(b, sess, `SELECT count(*) FROM per_key`)
		elapsed := time.Since(start)
		if n != int64(keys) {
			b.Fatalf("restored view holds %d keys, want %d", n, keys)
		}
		b.ReportMetric(elapsed.Seconds(), "s/recovery")
		b.StopTimer()
		sess.Close()
		e.Close()
		b.StartTimer()
	}
}

func buildRecoveryView(b *testing.B, sess wire.Session, keys int) {
	benchExec(b, sess, fmt.Sprintf(`CREATE SOURCE keys (k BIGINT) WITH (connector = 'datagen',
  rows.per.second = '0', datagen.rows.total = '%d', fields.k.kind = 'sequence')`, keys))
	benchExec(b, sess, `CREATE MATERIALIZED VIEW per_key AS SELECT k, count(*) AS n FROM keys GROUP BY k`)
	if got := benchExec(b, sess, `SELECT count(*) FROM per_key`); got != int64(keys) {
		b.Fatalf("view holds %d keys, want %d", got, keys)
	}
}

func getenv(k string) string { return os.Getenv(k) }

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
