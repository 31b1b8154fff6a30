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
// Managed mode lets every state write of one checkpoint carry one version
// V. The checkpoint becomes complete only when its manifest, a single key
// in a single transaction, commits last. Readers (and recovery) read state
// at the version of the newest complete manifest, so the half-written
// state of a later checkpoint is invisible to them.
//
// # Key layout
//
// Every key starts with a one-byte namespace; multi-byte integers are
// big-endian so that keys of one table sort by offset or by user key.
//
//	0x01 | key                     metadata (catalog)
//	0x02 | tableID(4) | offset(8)  one table-log row (AppendRow encoding)
//	0x03 | tableID(4)              table-log end marker: next offset(8)
//	0x04 | stateID(4) | user key   operator state, at its checkpoint's version
//	0x05 'm'                       checkpoint manifest: epoch(8) version(8) caller bytes
//	0x05 'h'                       checkpoint high-water mark: epoch(8) version(8)
//
// The user key of a state table is opaque here; by convention it is
// partition(2) | memcomparable key (AppendKey), the partition being the
// operator subtask that owns the entry.
//
// # Versions
//
// Every write takes its version from one counter that starts above
// Badger's largest version at Open, so each key's versions increase across
// restarts and a new version is above anything a crashed process wrote. A
// checkpoint takes its version V when it begins; the caller's epoch is just
// a label kept next to it. After a checkpoint commits, V is Badger's discard
// timestamp: only the newest version at or below it survives compaction,
// which reclaims old state and the superseded versions of metadata and
// table-log end markers alike.
//
// # Recovery
//
// BeginCheckpoint durably raises the high-water mark (epoch and version)
// before any state of that checkpoint is written. At Open (and in Recover
// after a failed checkpoint), if the high-water version is above the
// committed one, state keys whose newest version is above the committed
// version C are orphans of an unfinished checkpoint. They are rewritten at
// a fresh version with their value as of C (or deleted), so that no later
// checkpoint can observe them. Reads at C are not affected.
//
// # Durability
//
// Badger runs with SyncWrites: a committed transaction is on disk when
// Commit returns, and Badger's single writer goroutine groups concurrent
// commits into one sync. Table-log appends and checkpoint manifests rely on
// it.
package storage
