// Package storage is streamsqld's persistence layer: one Badger database in
// managed mode holding the catalog, the append-only logs of tables fed by
// INSERT, the keyed state of streaming operators, and the checkpoint
// manifests that make that state recoverable exactly once.
//
// # Why managed mode
//
// A checkpoint writes the dirty state of every operator. That can be far
// more than one Badger transaction holds, and a WriteBatch silently splits
// into several transactions, so the state write is not atomic by itself.
// Managed mode lets every state write of checkpoint epoch E carry version E.
// The checkpoint becomes complete only when its manifest, a single key in a
// single transaction, commits last. Readers (and recovery) read state at the
// version of the newest complete manifest, so the half-written state of a
// later epoch is invisible to them.
//
// # Key layout
//
// Every key starts with a one-byte namespace; multi-byte integers are
// big-endian so that keys of one table sort by offset or by user key.
//
//	0x01 | key                     metadata (catalog); version = DB counter
//	0x02 | tableID(4) | offset(8)  one table-log row (AppendRow encoding)
//	0x03 | tableID(4)              table-log end marker: next offset (8)
//	0x04 | stateID(4) | user key   operator state; version = checkpoint epoch
//	0x05 'm'                       checkpoint manifest: epoch(8) | caller bytes
//	0x05 'h'                       epoch high-water mark: epoch(8)
//
// The user key of a state table is opaque here; by convention it is
// vnode(2) | memcomparable key (AppendKey).
//
// # Versions
//
// Metadata and table-log writes take versions from a counter that starts
// above Badger's largest version at Open, so each key's versions increase
// across restarts. State and manifest writes use the checkpoint epoch. The
// two sequences never share a key, so they need not be related.
//
// # Recovery
//
// BeginCheckpoint durably raises the epoch high-water mark before any state
// of that epoch is written. At Open (and in Recover after a failed
// checkpoint) state keys whose newest version is above the last complete
// epoch C are orphans of an unfinished checkpoint. They are rewritten at a
// fresh epoch R above the high-water mark with their value as of C (or
// deleted), so that no later checkpoint can observe them. Reads at C are not
// affected because R > C.
//
// # Durability
//
// Badger runs with SyncWrites: a committed transaction is on disk when
// Commit returns, and Badger's single writer goroutine groups concurrent
// commits into one sync. Table-log appends and checkpoint manifests rely on
// it.
package storage
