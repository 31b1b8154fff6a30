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
// Keys are vnode(2, big-endian) | memcomparable key, so that state can be
// redistributed by vnode when the parallelism changes.
type StateTable interface {
	Get(key []byte) ([]byte, bool, error)
	Put(key, val []byte)
	Delete(key []byte)
	// Scan calls fn in key order for each key with the prefix; key and val
	// are only valid during the call.
	Scan(prefix []byte, fn func(key, val []byte) error) error
}

var _ StateTable = (*storage.StateTable)(nil)

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

// stateKey is vnode(2) | key.
func stateKey(buf []byte, vnode uint16, key string) []byte {
	buf = binary.BigEndian.AppendUint16(buf[:0], vnode)
	return append(buf, key...)
}

// vnodeOfStateKey splits a state key.
func vnodeOfStateKey(k []byte) (uint16, []byte, error) {
	if len(k) < 2 {
		return 0, nil, fmt.Errorf("%w: state key of %d bytes", storage.ErrCorrupt, len(k))
	}
	return binary.BigEndian.Uint16(k), k[2:], nil
}
