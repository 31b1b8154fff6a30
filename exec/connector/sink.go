package connector

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"streamsqld/catalog"
)

// A sink delivers a job's changes to an external system (CREATE SINK).
// The runtime (exec) encodes the changes of each checkpoint epoch into
// messages, keeps them in the epoch's checkpoint, and hands them to the
// sink's writer once the checkpoint committed: a writer that records the
// last epoch it delivered atomically with the epoch's messages (a Kafka
// transaction) makes the delivery exactly-once, since after a crash the
// runtime asks it which epochs to deliver again.

// SinkMessage is one record for the external system. A nil Value is a
// deletion of Key (a Kafka tombstone).
type SinkMessage struct {
	Key, Value []byte
}

// Sink is a sink relation's output, written by one SinkWriter per sink
// subtask.
type Sink interface {
	// Writer opens the writer of subtask of n.
	Writer(ctx context.Context, subtask, n int) (SinkWriter, error)
	// Close releases shared resources.
	Close() error
}

// SinkWriter delivers the epochs of one sink subtask. It is used by one
// goroutine.
type SinkWriter interface {
	// Delivered returns the last epoch whose messages the external system
	// holds (0: none).
	Delivered(ctx context.Context) (uint64, error)
	// Deliver writes the messages of epoch, in order, and records epoch as
	// delivered, all or nothing. Epochs arrive in increasing order.
	Deliver(ctx context.Context, epoch uint64, msgs []SinkMessage) error
	Close() error
}

// Discarding is implemented by sinks that drop what they receive (the
// blackhole sink of benchmarks): the runtime then skips encoding and
// keeps no state for them.
type Discarding interface {
	Discards() bool
}

// SinkFactory builds the Sink of a sink relation from its WITH options.
// It checks the options and reaches the external system, so that CREATE
// SINK fails fast.
type SinkFactory func(ctx context.Context, rel *catalog.Relation) (Sink, error)

var sinkFactories = map[string]SinkFactory{}

// RegisterSink makes a sink connector available by name; call it from
// init.
func RegisterSink(name string, f SinkFactory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := sinkFactories[name]; dup {
		panic("sink connector registered twice: " + name)
	}
	sinkFactories[name] = f
}

// SinkNames lists the registered sink connectors.
func SinkNames() []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for n := range sinkFactories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// NewSink builds the Sink of rel through the sink connector it names.
func NewSink(ctx context.Context, name string, rel *catalog.Relation) (Sink, error) {
	mu.RLock()
	f, ok := sinkFactories[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownConnector, name)
	}
	return f(ctx, rel)
}

// ErrSinkClosed is returned by writers of a closed sink.
var ErrSinkClosed = errors.New("sink closed")
