package planner

import (
	"fmt"
	"slices"
	"strings"

	"streamsqld/catalog"
	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// SinkSpec delivers the query's changelog through a sink connector.
//
// An append-only sink emits one message per inserted row and requires an
// insert-only query (AppendOnly). An upsert sink keys each message by
// KeyCols: an inserted or updated row is a message with its new value, a
// deleted row one without value (a tombstone); rows reach the sink
// subtasks hashed on KeyCols, so the changes of a key keep their order.
type SinkSpec struct {
	// Sink is the sink's catalog relation (connector, options); the
	// server replaces the provisional one after creating it.
	Sink   *catalog.Relation
	Upsert bool
	// KeyCols are the positions of primary_key's columns in Output.
	KeyCols []int
	// StateTableID holds the messages of epochs not yet delivered (0: no
	// checkpointed state). The server assigns it after planning.
	StateTableID uint32
}

// Sink types of the type option.
const (
	SinkAppendOnly = "append-only"
	SinkUpsert     = "upsert"
)

// PlanSink compiles the query of a sink into a streaming graph ending in
// an OpSink. sinkType is SinkAppendOnly or SinkUpsert; primaryKey the
// comma-separated key columns of an upsert sink.
func PlanSink(sel *ast.Select, env Env, opts StreamOptions, sinkType, primaryKey string) (*StreamGraph, error) {
	sp, in, out, err := planQuery(sel, env, &opts)
	if err != nil {
		return nil, err
	}
	spec := &SinkSpec{}
	switch strings.ToLower(sinkType) {
	case SinkAppendOnly:
		if primaryKey != "" {
			// Allowed (RisingWave keys append-only messages by it).
			if spec.KeyCols, err = keyPositions(out, primaryKey); err != nil {
				return nil, err
			}
		}
	case SinkUpsert:
		spec.Upsert = true
		if primaryKey == "" {
			return nil, pgerror.New(pgerror.InvalidParameterValue, "an upsert sink needs the option primary_key").
				WithHint("Add primary_key = 'col[, col...]': the columns that identify a row of the query's result.")
		}
		if spec.KeyCols, err = keyPositions(out, primaryKey); err != nil {
			return nil, err
		}
	default:
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "unknown sink type %q", sinkType).
			WithHint("Use type = 'append-only' or type = 'upsert'.")
	}
	op := &Operator{Kind: OpSink, Output: out, WatermarkCol: in.wm, Sink: spec}
	var keys []int
	if spec.Upsert {
		keys = spec.KeyCols
	}
	sp.connect(op, in, keys)
	sp.add(op)
	if !spec.Upsert && !AppendOnly(sp.g) {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "the query of an append-only sink must only insert rows").
			WithDetail("Its result is updated as input arrives (an aggregation, an outer join or a SESSION window, or it reads a materialized view).").
			WithHint("Use type = 'upsert' with a primary_key, or aggregate windows with EMIT ON WINDOW CLOSE.")
	}
	return sp.g, nil
}

// keyPositions resolves a comma-separated list of column names of out.
func keyPositions(out []types.Column, list string) ([]int, error) {
	var pos []int
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = name[1 : len(name)-1]
		} else {
			name = strings.ToLower(name)
		}
		i := slices.IndexFunc(out, func(c types.Column) bool { return c.Name == name })
		if i < 0 {
			return nil, pgerror.Newf(pgerror.UndefinedColumn, "primary_key column %q is not a column of the sink's query", name).
				WithHint(fmt.Sprintf("The query's columns are: %s.", columnNames(out)))
		}
		if slices.Contains(pos, i) {
			return nil, pgerror.Newf(pgerror.DuplicateColumn, "primary_key names column %q twice", name)
		}
		pos = append(pos, i)
	}
	return pos, nil
}

func columnNames(cols []types.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
