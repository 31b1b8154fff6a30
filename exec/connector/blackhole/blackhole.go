// Package blackhole is the sink connector that discards everything
// (connector = 'blackhole'), as Flink's and Nexmark's blackhole sink: it
// measures a query's cost without the cost of an output system.
package blackhole

import (
	"context"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
)

// Name is the connector name.
const Name = "blackhole"

func init() { connector.RegisterSink(Name, New) }

// Sink discards its input.
type Sink struct{}

// New returns a Sink; it takes no options.
func New(context.Context, *catalog.Relation) (connector.Sink, error) { return Sink{}, nil }

// Discards reports that the runtime need not encode anything for it.
func (Sink) Discards() bool { return true }

// Writer returns a writer that drops every message.
func (Sink) Writer(context.Context, int, int) (connector.SinkWriter, error) { return writer{}, nil }

// Close does nothing.
func (Sink) Close() error { return nil }

type writer struct{}

func (writer) Delivered(context.Context) (uint64, error)                      { return 0, nil }
func (writer) Deliver(context.Context, uint64, []connector.SinkMessage) error { return nil }
func (writer) Close() error                                                   { return nil }
