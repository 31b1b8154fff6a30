// Package planner turns bound SQL into plans: it is pure (no goroutines,
// no I/O) and never imports the runtime.
//
// The pipeline has four stages, each in its own files:
//
//   - Binding (bind_*.go, scope.go): ast -> LogicalPlan with PostgreSQL
//     name resolution, typing and errors (SQLSTATE and position). Untyped
//     literals and $n parameters take their type from context, as in
//     PostgreSQL; aggregates, set-returning functions and window functions
//     are collected while the select list is bound and become Aggregate,
//     ProjectSet and Window nodes.
//   - Rewrites (rewrite.go): constant folding, filter push-down, column
//     pruning (down to the scans' column lists) and projection merging.
//   - Streaming planning (stream.go): LogicalPlan -> StreamGraph, the
//     physical contract of physical.go that package exec runs. It chooses
//     exchanges (hash on group keys, forward when already partitioned),
//     parallelism, watermark columns and state tables, and rejects with
//     0A000 what the runtime cannot run.
//   - EXPLAIN (explain.go) for both kinds of plan.
//
// Ad-hoc queries stop after the rewrites: package exec/batch executes the
// LogicalPlan directly.
package planner
