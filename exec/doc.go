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
//   - multiinput.go: an operator with two inputs (a join) gets each
//     chunk with the input it came from, and one watermark per input
//     (the minimum over that input's channels) instead of the combined
//     one.
//   - output.go routes emitted chunks to the consumer subtasks per
//     planner.ExchangeKind (Forward, Hash, Single, Broadcast).
//   - actor.go runs one Operator (single-threaded, never concurrently: the
//     Flink contract) between an input and an output, turns panics into job
//     errors and keeps the per-subtask counters.
//   - The operators (filter.go, project.go, projectset.go, window.go,
//     hashagg.go, session.go, join.go, materialize.go) only see Chunks and callbacks.
//     The source (source.go) has no input: it drives itself, reading its
//     splits, generating watermarks and injecting barriers.
//   - view.go holds the readable state of a materialized view (View) and
//     the registry (Views) through which views over views subscribe.
//
// # Checkpoints
//
// A coordinator outside the package (the server's) drives them: with an
// epoch from the shared EpochClock it calls TriggerCheckpoint; every
// source subtask records its split positions and emits the barrier; every
// subtask aligns it, and stateful operators (hashagg.go, materialize.go)
// write what changed in the epoch to their state tables and flush them
// through Env.FlushState before forwarding it. When every sink subtask
// has seen it the epoch completes; the coordinator then flushes the state
// that finished subtasks handed over (FlushFinished), commits the
// positions (Positions) with the state, and moves the view's consistent
// reads to the epoch (CommitView). A job built with StateTables and
// StartPositions of a committed checkpoint resumes exactly there.
//
// A subtask that finished its input no longer sees barriers: a source
// subtask leaves the positions at the end of its splits for every later
// epoch, an operator its final state, so that a checkpoint of a partly or
// wholly finished job is as complete as any other.
package exec
