package exec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"streamsqld/storage"
)

// StateTable is the keyed state of one operator subtask. Operators keep
// their working state in Go maps and write what changed during an epoch
// here on each checkpoint barrier, and read it back when a job is rebuilt
// from a checkpoint. *storage.StateTable implements it (its writes reach
// Badger when the epoch's checkpoint flushes it); MemState is the
// in-memory version for tests.
//
// Keys are partition(2, big-endian) | key, where the partition is the
// subtask that owns the entry: a subtask restores exactly what it wrote.
// (Rows do not always reach an operator by the vnode of its own key: a
// forward exchange keeps an upstream distribution on a subset of the
// keys.) A view's parallelism never changes, and routing is a function of
// the rows, so a restored key is owned by the subtask its rows reach.
// Each subtask has its own StateTable instance of the operator's table.
type StateTable interface {
	Get(key []byte) ([]byte, bool, error)
	Put(key, val []byte)
	Delete(key []byte)
	// Scan calls fn in key order for each key with the prefix; key and val
	// are only valid during the call.
	Scan(prefix []byte, fn func(key, val []byte) error) error
}

var _ StateTable = (*storage.StateTable)(nil)

// writeOnly drops the read cache of a table its operator only writes
// after restoring from it: cached copies of written entries would only
// take memory.
func writeOnly(t StateTable) {
	if b, ok := t.(interface{ SetCacheBudget(int64) }); ok {
		b.SetCacheBudget(0)
	}
}

// MemState is a StateTable in a Go map.
type MemState struct{ m map[string][]byte }

// NewMemState returns an empty MemState.
func NewMemState() *MemState { return &MemState{m: map[string][]byte{}} }

// Get returns the value of key.
func (s *MemState) Get(key []byte) ([]byte, bool, error) {
	v, ok := s.m[string(key)]
	return v, ok, nil
}

// Put sets key to a copy of val.
func (s *MemState) Put(key, val []byte) { s.m[string(key)] = bytes.Clone(val) }

// Delete removes key.
func (s *MemState) Delete(key []byte) { delete(s.m, string(key)) }

// Len is the number of keys.
func (s *MemState) Len() int { return len(s.m) }

// Scan visits the keys with prefix in order.
func (s *MemState) Scan(prefix []byte, fn func(key, val []byte) error) error {
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		if strings.HasPrefix(k, string(prefix)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn([]byte(k), s.m[k]); err != nil {
			if err == storage.ErrStop {
				return nil
			}
			return err
		}
	}
	return nil
}

// stateKey is partition(2) | key.
func stateKey(buf []byte, part uint16, key string) []byte {
	buf = binary.BigEndian.AppendUint16(buf[:0], part)
	return append(buf, key...)
}

func partitionPrefix(part uint16) []byte {
	return binary.BigEndian.AppendUint16(nil, part)
}

// splitStateKey splits a state key into its partition and key.
func splitStateKey(k []byte) (uint16, []byte, error) {
	if len(k) < 2 {
		return 0, nil, fmt.Errorf("%w: state key of %d bytes", storage.ErrCorrupt, len(k))
	}
	return binary.BigEndian.Uint16(k), k[2:], nil
}
