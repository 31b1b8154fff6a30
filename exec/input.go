package exec

import (
	"context"
	"fmt"
	"reflect"
	"time"
)

// eventKind is what the input layer hands to the subtask loop.
type eventKind uint8

const (
	evChunk     eventKind = iota + 1
	evWatermark           // the combined input watermark advanced
	evIdle                // every live input is idle
	evBarrier             // a barrier arrived on every live input
	evEOF                 // every input finished
)

type event struct {
	kind      eventKind
	chunk     *Chunk
	watermark Watermark
	barrier   Barrier
	// align is how long the barrier's alignment took.
	align time.Duration
	// input is the logical input of a chunk or watermark (multiinput.go).
	input int
}

// inputSet merges the input channels of one subtask (one per producer
// subtask of every input edge).
//
// Watermarks: each input's latest watermark is kept; the subtask's
// watermark is their minimum over inputs that are neither finished nor
// idle, and it only moves forward.
//
// Barriers are aligned here, as in Flink: once barrier n arrived on input
// i, input i is not read again (its channel fills up and its producer
// blocks: the channel bounds what is held back) until barrier n arrived on
// every live input; then the barrier is handed to the operator once.
type inputSet struct {
	chans []chan Message
	// cases are the receive cases for reflect.Select, then the context's
	// Done channel, then a default case (used for the non-blocking try);
	// a blocked or finished input's case has a zero Chan, which
	// reflect.Select ignores.
	cases    []reflect.SelectCase
	finished []bool
	idle     []bool
	wms      []int64
	wmCol    int
	live     int

	// cur is the combined watermark handed out last.
	cur     int64
	curIdle bool

	aligning   bool
	barrier    Barrier
	arrived    []bool
	nArrived   int
	alignStart time.Time

	// ready holds an aligned barrier to return once the inputs are
	// unblocked, and readyAlign how long its alignment took.
	ready      *Barrier
	readyAlign time.Duration

	// groups, for a multi-input operator, splits the channels into its
	// inputs, each with its own watermark (multiinput.go).
	groups *inputGroups
}

func newInputSet(ctx context.Context, chans []chan Message) *inputSet {
	in := &inputSet{
		chans:    chans,
		cases:    make([]reflect.SelectCase, len(chans)+2),
		finished: make([]bool, len(chans)),
		idle:     make([]bool, len(chans)),
		wms:      make([]int64, len(chans)),
		arrived:  make([]bool, len(chans)),
		live:     len(chans),
		cur:      NoWatermark,
	}
	for i, ch := range chans {
		in.cases[i] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)}
		in.wms[i] = NoWatermark
	}
	in.cases[len(chans)] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}
	in.cases[len(chans)+1] = reflect.SelectCase{Dir: reflect.SelectDefault}
	return in
}

// next returns the next event for the operator. Before it would block it
// calls idle (the subtask flushes its partly filled output chunks), so
// output waits for a full chunk only while more input is at hand.
func (in *inputSet) next(ctx context.Context, idle func() error) (event, error) {
	for {
		if in.ready != nil {
			b := *in.ready
			in.ready = nil
			return event{kind: evBarrier, barrier: b, align: in.readyAlign}, nil
		}
		if in.live == 0 {
			return event{kind: evEOF}, nil
		}
		i, m, ok, err := in.recv(ctx, idle)
		if err != nil {
			return event{}, err
		}
		if !ok {
			in.finish(i)
			if ev, ok := in.afterChange(); ok {
				return ev, nil
			}
			continue
		}
		switch m.Kind {
		case MsgChunk:
			in.idle[i] = false
			return event{kind: evChunk, chunk: m.Chunk, input: in.inputOf(i)}, nil
		case MsgWatermark:
			in.wmCol = m.Watermark.Col
			if in.groups != nil {
				in.groups.col[in.groups.of[i]] = m.Watermark.Col
			}
			if m.Watermark.Idle {
				in.idle[i] = true
			} else {
				in.idle[i] = false
				if m.Watermark.TS > in.wms[i] {
					in.wms[i] = m.Watermark.TS
				}
			}
			if ev, ok := in.afterChange(); ok {
				return ev, nil
			}
		case MsgBarrier:
			if err := in.onBarrier(i, m.Barrier); err != nil {
				return event{}, err
			}
		default:
			return event{}, fmt.Errorf("exec: unexpected message kind %d", m.Kind)
		}
	}
}

// recv receives from any readable input, trying without blocking first.
func (in *inputSet) recv(ctx context.Context, idle func() error) (int, Message, bool, error) {
	if len(in.chans) == 1 && !in.aligning {
		// The common Forward case, without reflection.
		ch := in.chans[0]
		select {
		case m, ok := <-ch:
			return 0, m, ok, nil
		default:
		}
		if err := idle(); err != nil {
			return 0, Message{}, false, err
		}
		select {
		case m, ok := <-ch:
			return 0, m, ok, nil
		case <-ctx.Done():
			return 0, Message{}, false, ctx.Err()
		}
	}
	i, v, ok := reflect.Select(in.cases)
	if i == len(in.chans)+1 {
		if err := idle(); err != nil {
			return 0, Message{}, false, err
		}
		i, v, ok = reflect.Select(in.cases[:len(in.chans)+1])
	}
	if i == len(in.chans) {
		return 0, Message{}, false, ctx.Err()
	}
	if !ok {
		return i, Message{}, false, nil
	}
	return i, v.Interface().(Message), true, nil
}

func (in *inputSet) finish(i int) {
	in.finished[i] = true
	in.cases[i].Chan = reflect.Value{}
	in.live--
	if in.aligning && in.arrived[i] {
		in.arrived[i] = false
		in.nArrived--
	}
}

func (in *inputSet) onBarrier(i int, b Barrier) error {
	if !in.aligning {
		in.aligning = true
		in.barrier = b
		if in.live > 1 {
			in.alignStart = time.Now()
		}
	} else if b.Epoch != in.barrier.Epoch {
		return fmt.Errorf("exec: barrier %d arrived while aligning barrier %d", b.Epoch, in.barrier.Epoch)
	}
	in.arrived[i] = true
	in.nArrived++
	in.cases[i].Chan = reflect.Value{}
	in.checkAligned()
	return nil
}

// checkAligned completes an alignment once every live input delivered the
// barrier, and unblocks the inputs.
func (in *inputSet) checkAligned() {
	if !in.aligning || in.nArrived < in.live {
		return
	}
	for i := range in.chans {
		in.arrived[i] = false
		if !in.finished[i] {
			in.cases[i].Chan = reflect.ValueOf(in.chans[i])
		}
	}
	in.aligning = false
	in.nArrived = 0
	b := in.barrier
	in.ready = &b
	in.readyAlign = 0
	if !in.alignStart.IsZero() {
		in.readyAlign = time.Since(in.alignStart)
		in.alignStart = time.Time{}
	}
}

// afterChange recomputes the combined watermark after an input's watermark,
// idleness or liveness changed, and reports an event if it moved.
func (in *inputSet) afterChange() (event, bool) {
	in.checkAligned()
	min, active := int64(MaxWatermark), 0
	for i, w := range in.wms {
		if in.finished[i] || in.idle[i] {
			continue
		}
		active++
		if w < min {
			min = w
		}
	}
	if active == 0 {
		if in.live > 0 && !in.curIdle {
			in.curIdle = true
			return event{kind: evIdle}, true
		}
		return event{}, false
	}
	in.curIdle = false
	if in.groups != nil {
		return in.groupWatermark()
	}
	if min > in.cur {
		in.cur = min
		return event{kind: evWatermark, watermark: Watermark{Col: in.wmCol, TS: min}}, true
	}
	return event{}, false
}
