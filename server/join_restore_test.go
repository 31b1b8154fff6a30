package server

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// A join view is checkpointed like any view: after a crash it restores
// its join state (rows and match counts of both sides) instead of
// recomputing, and a name arriving after the restart still retracts the
// NULL-padded rows of a LEFT JOIN restored from that state.
func TestJoinViewRestoresAfterCrash(t *testing.T) {
	dir := t.TempDir()
	te := openTestEngine(t, dir, nil)
	te.exec(`CREATE TABLE clicks (id BIGINT, uid INT)`)
	te.exec(`CREATE TABLE names (uid INT, name VARCHAR)`)
	te.exec(`INSERT INTO names VALUES (0, 'ann'), (1, 'bob')`)
	te.insert(0, 20)
	te.exec(`CREATE MATERIALIZED VIEW named AS SELECT c.id, c.uid, n.name FROM clicks AS c LEFT JOIN names AS n ON c.uid = n.uid`)
	te.insert(20, 30)
	te.catchUp("named")
	if err := te.checkpoint(); err != nil {
		t.Fatal(err)
	}
	te.crash()

	te = openTestEngine(t, dir, nil)
	rel, _ := te.e.cat.Snapshot().Lookup("named")
	if _, ok := te.e.ckpt.restored(rel.ID); !ok {
		t.Fatal("the join view has no entry in the restored checkpoint: it was recomputed")
	}
	if vj, ok := te.e.jobFor(rel.ID); !ok || !vj.stateful {
		t.Fatal("the join view's job is not restored from checkpoints")
	}
	te.exec(`INSERT INTO names VALUES (2, 'cy')`)
	te.insert(30, 40)
	te.catchUp("named")
	if err := te.checkpoint(); err != nil {
		t.Fatal(err)
	}
	names := map[int]string{0: "ann", 1: "bob", 2: "cy"}
	var want []string
	for i := 0; i < 40; i++ {
		name := "NULL"
		if n, ok := names[i%5]; ok {
			name = n
		}
		want = append(want, fmt.Sprintf("%d %d %s", i, i%5, name))
	}
	sort.Strings(want)
	if got := te.query(`SELECT * FROM named`); got != strings.Join(want, "\n") {
		t.Fatalf("join view after the crash:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}
