package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"streamsqld/exec"
	"streamsqld/wire"
)

// testEngine is an engine opened in-process with one session.
type testEngine struct {
	t    *testing.T
	e    *Engine
	sess wire.Session
}

func openTestEngine(t *testing.T, dir string, knob func(epoch uint64) error) *testEngine {
	t.Helper()
	cfg := Config{
		DataDir:     dir,
		Parallelism: 2,
		// Checkpoints are taken by hand (Engine.Checkpoint): the interval
		// only turns them on.
		CheckpointInterval: time.Hour,
		MaxConnections:     10,
		Logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	cfg.StorageKnobs.AfterStateBatchBeforeManifest = knob
	e, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := e.Connect(context.Background(), map[string]string{"user": "test", "database": Database},
		wire.BackendKey{ProcessID: 1, SecretKey: 1})
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	te := &testEngine{t: t, e: e, sess: sess}
	t.Cleanup(te.close)
	return te
}

func (te *testEngine) close() {
	if te.sess != nil {
		te.sess.Close()
		te.sess = nil
	}
	if te.e != nil {
		te.e.Close()
		te.e = nil
	}
}

// crash abandons the engine as a killed process would: no final
// checkpoint; whatever was not committed is lost.
func (te *testEngine) crash() {
	te.sess.Close()
	te.sess = nil
	e := te.e
	te.e = nil
	e.ckpt.stopLoop()
	for _, vj := range e.runningJobs() {
		vj.job.Stop()
	}
	if err := e.db.Close(); err != nil {
		te.t.Fatal(err)
	}
}

// query runs one statement and returns its rows formatted and sorted.
func (te *testEngine) query(q string) string {
	te.t.Helper()
	ctx := context.Background()
	stmts, err := te.sess.Prepare(ctx, q, nil)
	if err != nil {
		te.t.Fatalf("%s: %v", q, err)
	}
	var lines []string
	for _, st := range stmts {
		res, err := te.sess.Execute(ctx, st, nil)
		if err != nil {
			te.t.Fatalf("%s: %v", q, err)
		}
		if res.Rows == nil {
			continue
		}
		for {
			r, err := res.Rows.Next(ctx)
			if err != nil {
				te.t.Fatal(err)
			}
			if r == nil {
				break
			}
			parts := make([]string, len(r))
			for i, d := range r {
				parts[i] = exec.FormatDatum(d)
			}
			lines = append(lines, strings.Join(parts, " "))
		}
		res.Rows.Close()
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func (te *testEngine) exec(q string) { te.query(q) }

func (te *testEngine) checkpoint() error {
	return te.e.Checkpoint(context.Background())
}

// catchUp waits until the view has read every row of its inputs.
func (te *testEngine) catchUp(view string) {
	te.t.Helper()
	rel, ok := te.e.cat.Snapshot().Lookup(view)
	if !ok {
		te.t.Fatalf("no view %s", view)
	}
	vj, ok := te.e.jobFor(rel.ID)
	if !ok {
		te.t.Fatalf("view %s not running", view)
	}
	if err := vj.job.WaitCaughtUp(context.Background()); err != nil {
		te.t.Fatal(err)
	}
}

func (te *testEngine) insert(from, to int) {
	var sb strings.Builder
	sb.WriteString("INSERT INTO clicks VALUES ")
	for i := from; i < to; i++ {
		if i > from {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "(%d, %d)", i, i%5)
	}
	te.exec(sb.String())
}

// perUser is what per_user holds after rows [0, n) were inserted.
func perUser(n int) string {
	var lines []string
	for u := 0; u < 5; u++ {
		c := 0
		for i := 0; i < n; i++ {
			if i%5 == u {
				c++
			}
		}
		if c > 0 {
			lines = append(lines, fmt.Sprintf("%d %d", u, c))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

const perUserView = `CREATE MATERIALIZED VIEW per_user AS SELECT uid, count(*) AS n FROM clicks GROUP BY uid`

// A crash after a checkpoint's state batch became durable and before its
// manifest committed: the restarted server is back at the previous
// checkpoint (its reads show exactly that), and then replays the rows
// after it, once.
func TestCrashBetweenStateBatchAndManifest(t *testing.T) {
	dir := t.TempDir()
	var crashAt atomic.Uint64
	te := openTestEngine(t, dir, func(epoch uint64) error {
		if epoch == crashAt.Load() {
			// The process dies here: this goroutine stops and nothing
			// after it runs (its deferred unlocks do).
			runtime.Goexit()
		}
		return nil
	})
	te.exec(`CREATE TABLE clicks (id BIGINT, uid INT)`)
	te.insert(0, 10)
	te.exec(perUserView) // takes a checkpoint
	te.insert(10, 25)
	te.catchUp("per_user")
	if err := te.checkpoint(); err != nil {
		t.Fatal(err)
	}
	committed, _, _ := te.e.db.LatestCheckpoint()
	if got := te.query(`SELECT * FROM per_user`); got != perUser(25) {
		t.Fatalf("after checkpoint %d:\n%s\nwant\n%s", committed, got, perUser(25))
	}

	te.insert(25, 40)
	te.catchUp("per_user")
	crashAt.Store(te.e.ckpt.clock.Last() + 1)
	died := make(chan struct{})
	go func() {
		defer close(died)
		_ = te.checkpoint()
		t.Error("the checkpoint returned instead of crashing")
	}()
	<-died
	te.crash()

	te = openTestEngine(t, dir, nil)
	if epoch, _, _ := te.e.db.LatestCheckpoint(); epoch != committed {
		t.Fatalf("restarted at checkpoint %d, want %d", epoch, committed)
	}
	if got := te.query(`SELECT * FROM per_user`); got != perUser(25) {
		t.Fatalf("restored view:\n%s\nwant\n%s", got, perUser(25))
	}
	te.catchUp("per_user")
	if err := te.checkpoint(); err != nil {
		t.Fatal(err)
	}
	if got := te.query(`SELECT * FROM per_user`); got != perUser(40) {
		t.Fatalf("after replay:\n%s\nwant\n%s", got, perUser(40))
	}
}

// A checkpoint that fails between its state batch and its manifest while
// the server keeps running: reads stay at the previous checkpoint, the
// operators write the failed epoch's state again at the next one, and a
// restart after that is exact.
func TestFailedCheckpointIsRetried(t *testing.T) {
	dir := t.TempDir()
	var failAt atomic.Uint64
	te := openTestEngine(t, dir, func(epoch uint64) error {
		if epoch == failAt.Load() {
			return fmt.Errorf("injected failure at checkpoint %d", epoch)
		}
		return nil
	})
	te.exec(`CREATE TABLE clicks (id BIGINT, uid INT)`)
	te.insert(0, 10)
	te.exec(perUserView)
	te.insert(10, 30)
	te.catchUp("per_user")
	failAt.Store(te.e.ckpt.clock.Last() + 1)
	if err := te.checkpoint(); err == nil {
		t.Fatal("the checkpoint did not fail")
	}
	if got := te.query(`SELECT * FROM per_user`); got != perUser(10) {
		t.Fatalf("reads after a failed checkpoint:\n%s\nwant\n%s", got, perUser(10))
	}
	rows := te.query(`SELECT status FROM streamsql_checkpoints`)
	if !strings.Contains(rows, ckFailed) || !strings.Contains(rows, ckCompleted) {
		t.Fatalf("streamsql_checkpoints statuses:\n%s", rows)
	}
	te.insert(30, 35)
	te.catchUp("per_user")
	if err := te.checkpoint(); err != nil {
		t.Fatal(err)
	}
	if got := te.query(`SELECT * FROM per_user`); got != perUser(35) {
		t.Fatalf("after the next checkpoint:\n%s\nwant\n%s", got, perUser(35))
	}
	te.crash()
	te = openTestEngine(t, dir, nil)
	if got := te.query(`SELECT * FROM per_user`); got != perUser(35) {
		t.Fatalf("restored:\n%s\nwant\n%s", got, perUser(35))
	}
	if got := te.query(`SELECT view_name, checkpoint_id IS NOT NULL FROM streamsql_view_freshness`); got != "per_user t" {
		t.Fatalf("freshness: %q", got)
	}
}

// Views over views and SESSION windows cannot restore: they recompute,
// and are still exact after a crash.
func TestRecomputedViewsAfterCrash(t *testing.T) {
	dir := t.TempDir()
	te := openTestEngine(t, dir, nil)
	te.exec(`CREATE TABLE clicks (id BIGINT, uid INT)`)
	te.insert(0, 20)
	te.exec(perUserView)
	te.exec(`CREATE MATERIALIZED VIEW busy AS SELECT uid, n FROM per_user WHERE n > 3`)
	te.insert(20, 30)
	te.catchUp("per_user")
	te.catchUp("busy")
	if err := te.checkpoint(); err != nil {
		t.Fatal(err)
	}
	te.insert(30, 31)
	te.crash()
	te = openTestEngine(t, dir, nil)
	te.catchUp("per_user")
	te.catchUp("busy")
	if err := te.checkpoint(); err != nil {
		t.Fatal(err)
	}
	if got := te.query(`SELECT * FROM busy`); got != "0 7\n1 6\n2 6\n3 6\n4 6" {
		t.Fatalf("busy after crash:\n%s", got)
	}
}

// A checkpoint that cannot complete in time is aborted: reads stay at the
// previous checkpoint, what subtasks had flushed into it is rolled back
// and written again by the next checkpoint, which completes.
func TestAbortedCheckpointIsRetried(t *testing.T) {
	dir := t.TempDir()
	te := openTestEngine(t, dir, nil)
	te.exec(`CREATE TABLE clicks (id BIGINT, uid INT)`)
	te.insert(0, 10)
	te.exec(perUserView)
	for round := 0; round < 3; round++ {
		te.insert(10+10*round, 20+10*round)
		te.catchUp("per_user")
		te.e.ckpt.timeout = time.Nanosecond
		if err := te.checkpoint(); err == nil {
			t.Fatal("a checkpoint completed within 1ns")
		}
		te.e.ckpt.timeout = DefaultCheckpointTimeout
		if got := te.query(`SELECT * FROM per_user`); got != perUser(10+10*round) {
			t.Fatalf("reads after an aborted checkpoint:\n%s\nwant\n%s", got, perUser(10+10*round))
		}
		if err := te.checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	if got := te.query(`SELECT * FROM per_user`); got != perUser(40) {
		t.Fatalf("after the next checkpoint:\n%s\nwant\n%s", got, perUser(40))
	}
	if got := te.query(`SELECT count(*) FROM streamsql_checkpoints WHERE status = 'aborted'`); got != "3" {
		t.Fatalf("aborted checkpoints: %s", got)
	}
	te.crash()
	te = openTestEngine(t, dir, nil)
	if got := te.query(`SELECT * FROM per_user`); got != perUser(40) {
		t.Fatalf("restored:\n%s\nwant\n%s", got, perUser(40))
	}
}
