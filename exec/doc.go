// Package exec is the streaming runtime: it turns a planner.StreamGraph into
// running subtasks and keeps them alive until the job stops or fails.
//
// # Layers
//
// A Job owns one goroutine per operator subtask (an actor). Actors talk
// only through bounded channels of Message (a chunk of changelog rows, a
// watermark or a barrier; one Message per chunk, never per row), so a slow
// consumer applies backpressure all the way to the sources.
//
//   - input.go merges a subtask's input channels: the watermark it reports
//     is the minimum over its inputs and only moves forward; barriers are
//     aligned there (Flink): after barrier n arrives on input i the subtask
//     stops reading input i until barrier n arrived on every input.
//   - output.go routes emitted chunks to the consumer subtasks per
//     planner.ExchangeKind (Forward, Hash, Single, Broadcast).
//   - actor.go runs one Operator (single-threaded, never concurrently: the
//     Flink contract) between an input and an output, turns panics into job
//     errors and keeps the per-subtask counters.
//   - The operators (filter.go, project.go, projectset.go, window.go,
//     hashagg.go, session.go, materialize.go) only see Chunks and callbacks.
//     The source (source.go) has no input: it drives itself, reading its
//     splits, generating watermarks and injecting barriers.
//   - view.go holds the readable state of a materialized view (View) and
//     the registry (Views) through which views over views subscribe.
//
// Checkpoints (groundwork): TriggerBarrier makes every source subtask emit
// a barrier and record its split positions; when every sink subtask has
// seen it the job reports the epoch on Completed.
package exec
