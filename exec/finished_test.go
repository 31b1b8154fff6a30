package exec

import (
	"context"
	"testing"
	"time"

	"streamsqld/sql/types"
)

// A subtask that handled checkpoint barrier n and then finished its input
// before the coordinator flushed the finished subtasks into checkpoint n:
// its final state holds rows after barrier n, whose source position
// checkpoint n does not cover, so it must wait for checkpoint n+1. (It
// used to go into n, and a restore from n read those rows again.)
func TestFinishedAfterBarrierWaitsForNextCheckpoint(t *testing.T) {
	data := generated(2, 1000, 5)
	var all []types.Row
	for _, rows := range data {
		all = append(all, rows...)
	}
	h := openHarness(t, t.TempDir())
	src := newTestSource(2)
	src.push(0, data[0][:700]...)
	src.push(1, data[1][:500]...)
	j := h.start(passThroughGraph(), src, false)
	if err := j.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Barrier n passes every subtask, then split 0 ends and its chain
	// finishes before the finished state is flushed into checkpoint n.
	p := h.begin(j)
	src.push(0, data[0][700:]...)
	src.close(0)
	deadline := time.Now().Add(20 * time.Second)
	for {
		j.ck.mu.Lock()
		n := len(j.ck.finished)
		j.ck.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("split 0's chain did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if parts := p.commit(); len(parts) != 0 {
		t.Fatalf("checkpoint %d claims the final rows of partitions %v, which ended after its barrier", p.epoch, parts)
	}
	h = h.crash(j)

	// Positions count pushes: the same batches again.
	full := newTestSource(2)
	full.push(0, data[0][:700]...)
	full.push(0, data[0][700:]...)
	full.close(0)
	full.push(1, data[1][:500]...)
	full.push(1, data[1][500:]...)
	full.close(1)
	j = h.start(passThroughGraph(), full, true)
	waitDone(t, j)
	h.checkpoint(j)
	if got, want := rowsString(j.View().Snapshot()), rowsString(all); got != want {
		t.Fatalf("view after recovery has %d rows, want %d", len(j.View().Snapshot()), len(all))
	}
}
