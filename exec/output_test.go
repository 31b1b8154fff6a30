package exec

import (
	"context"
	"strings"
	"testing"

	"streamsqld/planner"
)

func drain(ch chan Message) string {
	var out []string
	for {
		select {
		case m := <-ch:
			switch m.Kind {
			case MsgChunk:
				out = append(out, m.Chunk.String())
			case MsgWatermark:
				out = append(out, "wm")
			case MsgBarrier:
				out = append(out, "barrier")
			}
		default:
			return strings.Join(out, "\n")
		}
	}
}

// A hash exchange keeps rows of one key on one channel, in order, and
// splits an update whose key changed into a delete and an insert.
func TestHashExchange(t *testing.T) {
	chans := []chan Message{make(chan Message, 16), make(chan Message, 16), make(chan Message, 16), make(chan Message, 16)}
	o := &output{ctx: context.Background(), stats: newSubtaskStats(), edges: []*edge{{
		kind: planner.Hash, keys: []int{0}, chans: chans, pending: make([]*Chunk, len(chans)),
	}}}
	owner := func(k int64) int { return vnodeOwner(Vnode(ints(k), []int{0}), len(chans)) }
	// Keys 1 and 2 must go to different subtasks for the split case.
	a, b := int64(1), int64(2)
	for owner(b) == owner(a) {
		b++
	}
	c := chunkOf(2, ints(a, 1), UpdateDelete, ints(a, 1), UpdateInsert, ints(a, 2),
		UpdateDelete, ints(a, 2), UpdateInsert, ints(b, 2))
	if err := o.Emit(c); err != nil {
		t.Fatal(err)
	}
	if got := drain(chans[owner(a)]); got != "" {
		t.Fatalf("sent before a flush: %q", got)
	}
	if err := o.broadcast(watermarkMsg(Watermark{TS: 1})); err != nil {
		t.Fatal(err)
	}
	wantA := "+ 1 1\nU- 1 1\nU+ 1 2\n- 1 2\nwm"
	if got := drain(chans[owner(a)]); got != wantA {
		t.Fatalf("key a: %q, want %q", got, wantA)
	}
	if got, want := drain(chans[owner(b)]), "+ "+FormatDatum(ints(b)[0])+" 2\nwm"; got != want {
		t.Fatalf("key b: %q, want %q", got, want)
	}
	if o.stats.rowsOut.Load() != 5 {
		t.Fatalf("rows out %d", o.stats.rowsOut.Load())
	}
}

func TestBroadcastExchange(t *testing.T) {
	chans := []chan Message{make(chan Message, 4), make(chan Message, 4)}
	o := &output{ctx: context.Background(), stats: newSubtaskStats(), edges: []*edge{{kind: planner.Broadcast, chans: chans}}}
	if err := o.Emit(chunkOf(1, ints(7))); err != nil {
		t.Fatal(err)
	}
	for i, ch := range chans {
		if got := drain(ch); got != "+ 7" {
			t.Fatalf("channel %d: %q", i, got)
		}
	}
}
