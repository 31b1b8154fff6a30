package storage

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"streamsqld/sql/types"
)

func k(s string) []byte { return []byte(s) }

func mustGet(t *testing.T, st *StateTable, key string) (string, bool) {
	t.Helper()
	v, ok, err := st.Get(k(key))
	if err != nil {
		t.Fatal(err)
	}
	return string(v), ok
}

func expectGet(t *testing.T, st *StateTable, key, want string) {
	t.Helper()
	v, ok := mustGet(t, st, key)
	if want == "<absent>" {
		if ok {
			t.Fatalf("table %d: %q = %q, want absent", st.ID(), key, v)
		}
		return
	}
	if !ok || v != want {
		t.Fatalf("table %d: %q = %q (present %v), want %q", st.ID(), key, v, ok, want)
	}
}

func scanAll(t *testing.T, st *StateTable, prefix string) string {
	t.Helper()
	var parts []string
	err := st.Scan(k(prefix), func(key, val []byte) error {
		parts = append(parts, string(key)+"="+string(val))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(parts, " ")
}

func checkpoint(t *testing.T, db *DB, epoch uint64, manifest string, tables ...*StateTable) CheckpointStats {
	t.Helper()
	w, err := db.BeginCheckpoint(epoch)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range tables {
		if err := st.Flush(w); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit([]byte(manifest)); err != nil {
		t.Fatal(err)
	}
	return db.LastCheckpointStats()
}

func TestStateTableReadYourWritesAndScan(t *testing.T) {
	db := openTest(t, t.TempDir(), testOptions())
	st := db.NewStateTable(1)
	other := db.NewStateTable(2)
	expectGet(t, st, "a", "<absent>")
	st.Put(k("a/1"), k("x"))
	st.Put(k("a/2"), k("y"))
	st.Put(k("b/1"), k("z"))
	st.Put(k("empty"), nil)
	other.Put(k("a/1"), k("other"))
	expectGet(t, st, "a/1", "x")
	expectGet(t, st, "empty", "")
	st.Delete(k("a/2"))
	expectGet(t, st, "a/2", "<absent>")
	if got := scanAll(t, st, "a/"); got != "a/1=x" {
		t.Fatalf("scan = %q", got)
	}
	checkpoint(t, db, 10, "m10", st, other)

	// Now part of the state is in Badger and the rest in memory.
	st.Put(k("a/0"), k("new"))
	st.Put(k("a/1"), k("x2"))
	st.Put(k("a/3"), k("w"))
	st.Delete(k("b/1"))
	if got := scanAll(t, st, "a/"); got != "a/0=new a/1=x2 a/3=w" {
		t.Fatalf("merged scan = %q", got)
	}
	if got := scanAll(t, st, ""); got != "a/0=new a/1=x2 a/3=w empty=" {
		t.Fatalf("full scan = %q", got)
	}
	if got := scanAll(t, other, ""); got != "a/1=other" {
		t.Fatalf("other table scan = %q", got)
	}
	// ErrStop ends the scan without an error; the callback may write.
	n := 0
	err := st.Scan(nil, func(key, _ []byte) error {
		n++
		st.Delete(key)
		if n == 2 {
			return ErrStop
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("stopped scan: n=%d err=%v", n, err)
	}
	if got := scanAll(t, st, ""); got != "a/3=w empty=" {
		t.Fatalf("scan after deletes = %q", got)
	}
}

func TestStateTableCheckpointPersists(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir, testOptions())
	st := db.NewStateTable(5)
	for i := 0; i < 100; i++ {
		st.Put(k(fmt.Sprintf("k%03d", i)), k(fmt.Sprint(i)))
	}
	stats := checkpoint(t, db, 1, "offsets-1", st)
	if stats.Epoch != 1 || stats.Keys != 100 || stats.Bytes < 100*5 || stats.Tables != 1 {
		t.Fatalf("stats = %+v", stats)
	}
	for i := 0; i < 100; i += 2 {
		st.Delete(k(fmt.Sprintf("k%03d", i)))
	}
	st.Put(k("k001"), k("one"))
	checkpoint(t, db, 2, "offsets-2", st)
	st.Put(k("k003"), k("never checkpointed"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openTest(t, dir, testOptions())
	epoch, manifest, err := db.LatestCheckpoint()
	if err != nil || epoch != 2 || string(manifest) != "offsets-2" {
		t.Fatalf("LatestCheckpoint = %d %q %v", epoch, manifest, err)
	}
	st = db.NewStateTable(5)
	expectGet(t, st, "k000", "<absent>")
	expectGet(t, st, "k001", "one")
	expectGet(t, st, "k003", "3")
	if got := scanAll(t, st, "k09"); got != "k091=91 k093=93 k095=95 k097=97 k099=99" {
		t.Fatalf("scan = %q", got)
	}
}

func TestStateTableEviction(t *testing.T) {
	db := openTest(t, t.TempDir(), testOptions())
	st := db.NewStateTable(1)
	st.SetCacheBudget(16 << 10)
	val := strings.Repeat("v", 100)
	for i := 0; i < 1000; i++ {
		st.Put(k(fmt.Sprintf("key%04d", i)), k(val))
	}
	// Dirty entries are never evicted, whatever the budget.
	if s := st.Stats(); s.Entries != 1000 || s.Dirty != 1000 {
		t.Fatalf("stats before checkpoint = %+v", s)
	}
	w, err := db.BeginCheckpoint(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(w); err != nil {
		t.Fatal(err)
	}
	// Flushed but not committed: Badger's committed version lacks them, so
	// they must stay in memory.
	expectGet(t, st, "key0500", val)
	if s := st.Stats(); s.Entries != 1000 || s.Pinned != 1000 {
		t.Fatalf("stats while pinned = %+v", s)
	}
	if err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
	expectGet(t, st, "key0001", val) // promotes and evicts
	s := st.Stats()
	if s.Bytes > 16<<10 || s.Entries >= 1000 || s.Pinned != 0 {
		t.Fatalf("stats after commit = %+v", s)
	}
	// Evicted keys come back from Badger.
	for i := 0; i < 1000; i += 97 {
		expectGet(t, st, fmt.Sprintf("key%04d", i), val)
	}
	if st.Stats().Misses == 0 {
		t.Fatal("expected cache misses after eviction")
	}
}

func TestCrashBetweenStateBatchAndManifest(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	crash := errors.New("injected crash")
	var crashAt uint64
	opts.Knobs.AfterStateBatchBeforeManifest = func(epoch uint64) error {
		if epoch == crashAt {
			return crash
		}
		return nil
	}
	db := openTest(t, dir, opts)
	st := db.NewStateTable(9)
	st.Put(k("a"), k("a1"))
	st.Put(k("b"), k("b1"))
	checkpoint(t, db, 100, "m100", st)

	// Epoch 200 writes its whole state batch, then "crashes".
	crashAt = 200
	st.Put(k("a"), k("a2"))
	st.Delete(k("b"))
	st.Put(k("c"), k("c2"))
	w, err := db.BeginCheckpoint(200)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit([]byte("m200")); !errors.Is(err, crash) {
		t.Fatalf("Commit = %v, want injected crash", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openTest(t, dir, opts)
	epoch, manifest, err := db.LatestCheckpoint()
	if err != nil || epoch != 100 || string(manifest) != "m100" {
		t.Fatalf("LatestCheckpoint = %d %q %v, want 100 m100", epoch, manifest, err)
	}
	st = db.NewStateTable(9)
	expectGet(t, st, "a", "a1")
	expectGet(t, st, "b", "b1")
	expectGet(t, st, "c", "<absent>")
	// Epoch 200 is above the recovered checkpoint but may have been
	// partly written: it can never be used again.
	if _, err := db.BeginCheckpoint(200); !errors.Is(err, ErrEpochNotIncreasing) {
		t.Fatalf("BeginCheckpoint(200) after crash = %v", err)
	}

	// The next checkpoint touches only one key; the crashed epoch's writes
	// to the others must not show through at its version.
	st.Put(k("d"), k("d3"))
	checkpoint(t, db, 300, "m300", st)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir, opts)
	st = db.NewStateTable(9)
	if got := scanAll(t, st, ""); got != "a=a1 b=b1 d=d3" {
		t.Fatalf("state after crash and a later checkpoint = %q", got)
	}
}

func TestCheckpointOrderingAbortAndRecover(t *testing.T) {
	opts := testOptions()
	fail3 := errors.New("checkpoint 3 fails after its state is durable")
	opts.Knobs.AfterStateBatchBeforeManifest = func(epoch uint64) error {
		if epoch == 3 {
			return fail3
		}
		return nil
	}
	db := openTest(t, t.TempDir(), opts)
	st := db.NewStateTable(1)
	if _, err := db.BeginCheckpoint(0); !errors.Is(err, ErrEpochNotIncreasing) {
		t.Fatalf("epoch 0: %v", err)
	}
	st.Put(k("x"), k("1"))
	w1, err := db.BeginCheckpoint(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(w1); err != nil {
		t.Fatal(err)
	}
	st.Put(k("x"), k("2"))
	w2, err := db.BeginCheckpoint(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(w2); err != nil {
		t.Fatal(err)
	}
	// Checkpoint 2 cannot complete before checkpoint 1.
	done2 := make(chan error, 1)
	go func() { done2 <- w2.Commit([]byte("two")) }()
	select {
	case err := <-done2:
		t.Fatalf("checkpoint 2 committed before 1: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	if err := w1.Commit([]byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	if e, m, _ := db.LatestCheckpoint(); e != 2 || string(m) != "two" {
		t.Fatalf("latest = %d %q", e, m)
	}

	// A failed checkpoint 3 fails 4, which was written on top of it.
	st.Put(k("x"), k("3"))
	w3, _ := db.BeginCheckpoint(3)
	if err := st.Flush(w3); err != nil {
		t.Fatal(err)
	}
	st.Put(k("y"), k("4"))
	w4, _ := db.BeginCheckpoint(4)
	if err := st.Flush(w4); err != nil {
		t.Fatal(err)
	}
	if err := w3.Commit(nil); !errors.Is(err, fail3) {
		t.Fatalf("commit of 3 = %v", err)
	}
	if err := w4.Commit(nil); !errors.Is(err, ErrCheckpointAborted) {
		t.Fatalf("commit of 4 after failure of 3 = %v", err)
	}
	if _, err := db.BeginCheckpoint(5); !errors.Is(err, ErrRecoveryNeeded) {
		t.Fatalf("BeginCheckpoint after failure = %v", err)
	}
	if _, _, err := db.Recover(); err != nil {
		t.Fatal(err)
	}
	// Aborting a checkpoint nobody flushed into also requires recovery.
	w6, err := db.BeginCheckpoint(db.EpochHighWater() + 1)
	if err != nil {
		t.Fatal(err)
	}
	w6.Abort()
	if err := w6.Commit(nil); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
	if _, err := db.BeginCheckpoint(5); !errors.Is(err, ErrRecoveryNeeded) {
		t.Fatalf("BeginCheckpoint after abort = %v", err)
	}
	epoch, m, err := db.Recover()
	if err != nil || epoch != 2 || string(m) != "two" {
		t.Fatalf("Recover = %d %q %v", epoch, m, err)
	}
	st = db.NewStateTable(1) // rebuilt from the recovered checkpoint
	expectGet(t, st, "x", "2")
	expectGet(t, st, "y", "<absent>")
	st.Put(k("z"), k("z"))
	checkpoint(t, db, db.EpochHighWater()+1, "after", st)
	if got := scanAll(t, st, ""); got != "x=2 z=z" {
		t.Fatalf("state after recovery = %q", got)
	}
	// Checkpoint 4 was flushed too; none of it may surface.
	if got := scanAll(t, db.NewStateTable(1), ""); got != "x=2 z=z" {
		t.Fatalf("fresh table after recovery = %q", got)
	}
}

func TestConcurrentFlushAndGC(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir, testOptions())
	const tables = 8
	sts := make([]*StateTable, tables)
	for i := range sts {
		sts[i] = db.NewStateTable(uint32(100 + i))
	}
	for epoch := uint64(1); epoch <= 5; epoch++ {
		w, err := db.BeginCheckpoint(epoch)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i, st := range sts {
			wg.Add(1)
			go func() { // each operator on its own goroutine
				defer wg.Done()
				for j := 0; j < 200; j++ {
					st.Put(k(fmt.Sprintf("%d/%03d", i, j)), k(fmt.Sprintf("e%d", epoch)))
				}
				if err := st.Flush(w); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if err := w.Commit([]byte(fmt.Sprint(epoch))); err != nil {
			t.Fatal(err)
		}
		if s := w.Stats(); s.Keys != tables*200 || s.Tables != tables {
			t.Fatalf("epoch %d stats %+v", epoch, s)
		}
		db.RunGC()
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir, testOptions())
	for i := 0; i < tables; i++ {
		st := db.NewStateTable(uint32(100 + i))
		expectGet(t, st, fmt.Sprintf("%d/150", i), "e5")
	}
	if err := db.DropStateTable(100); err != nil {
		t.Fatal(err)
	}
	if got := scanAll(t, db.NewStateTable(100), ""); got != "" {
		t.Fatalf("dropped table still has %q", got)
	}
	expectGet(t, db.NewStateTable(101), "1/000", "e5")
}

// Compaction below the discard timestamp must keep exactly what reads at
// the committed checkpoint and at "latest" need, with table-log and state
// versions interleaved on one counter.
func TestCompactionKeepsCommittedState(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir, testOptions())
	st := db.NewStateTable(1)
	for epoch := uint64(1); epoch <= 20; epoch++ {
		if _, _, err := db.AppendTableRows(1, []types.Row{row(int(epoch))}); err != nil {
			t.Fatal(err)
		}
		st.Put(k(fmt.Sprintf("k%d", epoch%3)), k(fmt.Sprint(epoch)))
		w, err := db.BeginCheckpoint(epoch)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Flush(w); err != nil {
			t.Fatal(err)
		}
		if epoch == 20 {
			// Leave the last checkpoint unfinished: its versions are above
			// the discard timestamp and must not replace committed ones.
			break
		}
		if err := w.Commit(nil); err != nil {
			t.Fatal(err)
		}
		// Closing flushes the memtable into a level-0 table; enough of
		// them make Flatten compact, which is where versions get dropped.
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = openTest(t, dir, testOptions())
		st = db.NewStateTable(1)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir, testOptions())
	if err := db.bdb.Flatten(2); err != nil {
		t.Fatal(err)
	}
	db.RunGC()
	// The end marker was rewritten by every append; the versions below the
	// committed checkpoint collapse into one.
	txn := db.bdb.NewTransactionAt(readLatest, false)
	iopts := badger.DefaultIteratorOptions
	iopts.AllVersions = true
	iopts.Prefix = logEndKey(1)
	it := txn.NewIterator(iopts)
	versions := 0
	for it.Rewind(); it.Valid(); it.Next() {
		versions++
	}
	it.Close()
	txn.Discard()
	if versions > 2 {
		t.Fatalf("end marker has %d versions after compaction", versions)
	}
	fresh := db.NewStateTable(1)
	if got := scanAll(t, fresh, ""); got != "k0=18 k1=19 k2=17" {
		t.Fatalf("committed state after compaction = %q", got)
	}
	n := 0
	if _, err := db.ScanTableLog(1, 0, func(uint64, types.Row) error { n++; return nil }); err != nil || n != 20 {
		t.Fatalf("table log after compaction: %d rows, %v", n, err)
	}
}
