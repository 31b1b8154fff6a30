// Package connector defines how the runtime reads external and internal
// inputs (datagen, tables' logs, Kafka, Nexmark) split by split, with
// positions that checkpoints record and recovery seeks back to.
package connector

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"streamsqld/catalog"
	"streamsqld/sql/types"
)

// Source is a relation's input, divided into splits (partitions). The
// runtime assigns splits to source subtasks; a subtask may own several.
type Source interface {
	// Splits lists the split identifiers; parallelism is a hint for
	// connectors whose split count is free (datagen). The runtime may call
	// it again while running to discover splits that appeared since (new
	// Kafka partitions): the list only grows, and sources keep repeated
	// calls cheap (cached metadata).
	Splits(ctx context.Context, parallelism int) ([]string, error)
	// Open starts reading split at pos (nil: the connector's start
	// position, e.g. earliest offset) and returns its reader.
	Open(ctx context.Context, split string, pos []byte) (Reader, error)
	// Close releases shared resources (clients, connections).
	Close() error
}

// Reader reads one split. It is used by one goroutine.
type Reader interface {
	// Read emits up to max rows in order and returns how many it emitted.
	// Each emitted row is only valid during the emit call: the caller
	// copies it. With no data available Read waits at most about 100 ms
	// (or until ctx is done) and returns 0, so the caller can inject
	// barriers and detect idleness. io.EOF after the last row of a bounded
	// split.
	Read(ctx context.Context, max int, emit func(types.Row)) (int, error)
	// Position is the position just after the last row Read emitted; Open
	// with it resumes at the next row (checkpoints store it).
	Position() []byte
	Close() error
}

// SkipCounter is implemented by sources that skip malformed records
// rather than failing (Kafka with format.errors = 'skip'). Skipped counts
// the records skipped since the source was created, over all its readers.
type SkipCounter interface {
	Skipped() int64
}

// StateReporter is implemented by sources and readers of external systems
// that retry on their own when the system is unreachable. State is
// "connected", or "retrying: <last error>" while they back off and
// reconnect; a source reports the worst of its readers.
type StateReporter interface {
	State() string
}

// Factory builds a Source for a catalog relation (a CREATE SOURCE or a
// table). Options are the relation's WITH options.
type Factory func(ctx context.Context, rel *catalog.Relation, env Env) (Source, error)

// Env gives connectors the server-side services they may need.
type Env struct {
	// TableLog reads the log of a table fed by INSERT; nil outside a server.
	TableLog TableLog
}

// TableLog is the durable log of rows inserted into a table.
type TableLog interface {
	ScanTableLog(tableID uint32, from uint64, fn func(offset uint64, row types.Row) error) (uint64, error)
	WaitTableLog(ctx context.Context, tableID uint32, after uint64) error
}

// ErrUnknownConnector is returned by New for a connector name nobody
// registered.
var ErrUnknownConnector = errors.New("unknown connector")

var (
	mu        sync.RWMutex
	factories = map[string]Factory{}
)

// Register makes a connector available by name; call it from init.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[name]; dup {
		panic("connector registered twice: " + name)
	}
	factories[name] = f
}

// Names lists the registered connectors.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// New builds the Source of rel through the connector it names.
func New(ctx context.Context, name string, rel *catalog.Relation, env Env) (Source, error) {
	mu.RLock()
	f, ok := factories[name]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownConnector, name)
	}
	return f(ctx, rel, env)
}
