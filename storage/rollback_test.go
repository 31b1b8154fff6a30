package storage

import (
	"errors"
	"testing"
)

// A table that outlives a rolled-back checkpoint (the server keeps its
// operators running across an aborted checkpoint) writes the entries it
// had flushed into it again at the next checkpoint, so nothing is lost and
// the rolled-back values never surface.
func TestTableSurvivesRolledBackCheckpoint(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	fail := errors.New("injected failure between state batch and manifest")
	var failAt uint64
	opts.Knobs.AfterStateBatchBeforeManifest = func(epoch uint64) error {
		if epoch == failAt {
			return fail
		}
		return nil
	}
	db := openTest(t, dir, opts)
	a, b := db.NewStateTable(7), db.NewStateTable(7) // two subtasks, disjoint keys
	a.Put(k("a/x"), k("1"))
	b.Put(k("b/x"), k("1"))
	checkpoint(t, db, 1, "one", a, b)

	// Checkpoint 2 is aborted after a flushed; b never flushed into it.
	a.Put(k("a/x"), k("2"))
	a.Put(k("a/y"), k("2"))
	b.Put(k("b/x"), k("2"))
	w2, err := db.BeginCheckpoint(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(w2); err != nil {
		t.Fatal(err)
	}
	w2.Abort()
	if _, _, err := db.Recover(); err != nil {
		t.Fatal(err)
	}

	// Checkpoint 3 fails after its state batch is durable.
	failAt = 3
	a.Delete(k("a/y"))
	a.Put(k("a/z"), k("3"))
	w3, err := db.BeginCheckpoint(3)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []*StateTable{a, b} {
		if err := st.Flush(w3); err != nil {
			t.Fatal(err)
		}
	}
	if err := w3.Commit([]byte("three")); !errors.Is(err, fail) {
		t.Fatalf("commit 3 = %v", err)
	}
	if e, _, err := db.Recover(); err != nil || e != 1 {
		t.Fatalf("Recover = %d, %v", e, err)
	}
	// Reads still see the live values, whatever was rolled back.
	expectGet(t, a, "a/x", "2")
	expectGet(t, a, "a/y", "<absent>")

	checkpoint(t, db, 4, "four", a, b)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir, opts)
	if e, m, _ := db.LatestCheckpoint(); e != 4 || string(m) != "four" {
		t.Fatalf("latest = %d %q", e, m)
	}
	if got := scanAll(t, db.NewStateTable(7), ""); got != "a/x=2 a/z=3 b/x=2" {
		t.Fatalf("state after reopening = %q", got)
	}
}
