package exec

import (
	"context"
	"testing"
)

// The input layer of a multi-input operator tags chunks with their input
// and keeps one watermark per input: the minimum over that input's
// channels.
func TestInputGroups(t *testing.T) {
	ctx := context.Background()
	chans := []chan Message{make(chan Message, 4), make(chan Message, 4), make(chan Message, 4)}
	in := newInputSet(ctx, chans)
	in.groups = &inputGroups{of: []int{0, 0, 1}, cur: []int64{NoWatermark, NoWatermark}, col: make([]int, 2)}
	next := func() event {
		t.Helper()
		ev, err := in.next(ctx, func() error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	chans[0] <- watermarkMsg(Watermark{Col: 2, TS: 10}) // left stays at its other channel's none
	chans[1] <- watermarkMsg(Watermark{Col: 2, TS: 5})
	if ev := next(); ev.kind != evWatermark || ev.input != 0 || ev.watermark != (Watermark{Col: 2, TS: 5}) {
		t.Fatalf("got %+v, want the left watermark 5", ev)
	}
	chans[2] <- watermarkMsg(Watermark{Col: 1, TS: 7})
	if ev := next(); ev.kind != evWatermark || ev.input != 1 || ev.watermark != (Watermark{Col: 1, TS: 7}) {
		t.Fatalf("got %+v, want the right watermark 7", ev)
	}
	chans[1] <- watermarkMsg(Watermark{Col: 2, TS: 20})
	if ev := next(); ev.kind != evWatermark || ev.input != 0 || ev.watermark.TS != 10 {
		t.Fatalf("got %+v, want the left watermark 10", ev)
	}
	c := NewChunk(1, 1)
	c.Append(Insert, ints(1))
	chans[2] <- chunkMsg(c)
	if ev := next(); ev.kind != evChunk || ev.input != 1 {
		t.Fatalf("got %+v, want a right chunk", ev)
	}
}
