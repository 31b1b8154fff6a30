package storage

import (
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/btree"
)

// StateTable is the keyed state of one operator instance, in the
// RisingWave mem-table model. Writes stay in memory until the next
// checkpoint; reads see them first, then Badger at the newest complete
// checkpoint.
//
// Every cached key is in one of three states:
//
//	dirty   written since the last Flush; written by the next one
//	pinned  flushed into a checkpoint that has not committed yet: Badger's
//	        committed version does not have it, so it must stay in memory
//	clean   equal to Badger at the committed epoch; evictable (LRU)
//
// Absent keys read from Badger are cached as clean tombstones, so repeated
// lookups of new group keys do not go to Badger.
//
// A StateTable is owned by one goroutine at a time and is not safe for
// concurrent use. Several StateTables with one id may exist at once only
// if their writes touch disjoint keys (the subtasks of one operator, each
// under its own key prefix): each caches only what it wrote or read.
//
// Flushed entries stay pinned until their checkpoint commits. If that
// checkpoint is rolled back instead (aborted, or it failed, and Recover
// ran), they become dirty again and the next Flush writes them.
type StateTable struct {
	db     *DB
	id     uint32
	prefix [5]byte
	budget int64

	entries map[string]*stEntry
	// overlay orders the dirty and pinned entries for Scan. It is brought
	// up to date only when a Scan needs it: unindexed lists the entries
	// that became dirty since (some may be clean again by then). Most
	// tables are only written between restores, and ordering every
	// write would cost more than the write itself.
	overlay   *btree.BTreeG[*stEntry]
	unindexed []*stEntry
	nOverlay  int       // dirty and pinned entries
	lru       list.List // clean entries, most recently used first
	dirty     []*stEntry
	pins      []pinGen // in version order
	bytes     int64    // memory charged for all entries
	lastEp    uint64   // epoch of the last Flush

	hits, misses int64
}

type entryState uint8

const (
	stClean entryState = iota
	stDirty
	stPinned
)

type stEntry struct {
	key        string
	val        []byte // never modified in place: a checkpoint batch may hold it
	tomb       bool
	state      entryState
	indexed    bool // in overlay
	pinVersion uint64
	elem       *list.Element // in lru when clean
}

// pinGen lists the entries flushed into the checkpoint at version.
type pinGen struct {
	version uint64
	entries []*stEntry
}

// entryOverhead approximates the memory of an entry beyond its key and
// value: the struct, map slot, list element and btree slot.
const entryOverhead = 128

func (e *stEntry) size() int64 { return int64(len(e.key) + len(e.val) + entryOverhead) }

func lessEntry(a, b *stEntry) bool { return a.key < b.key }

// NewStateTable returns the state table with the given id, reading the
// state of the newest complete checkpoint. Its cache budget is
// Options.StateCacheBytes.
func (db *DB) NewStateTable(id uint32) *StateTable {
	t := &StateTable{
		db:      db,
		id:      id,
		budget:  db.opts.StateCacheBytes,
		entries: make(map[string]*stEntry),
		overlay: btree.NewG(16, lessEntry),
	}
	t.prefix[0] = nsState
	binary.BigEndian.PutUint32(t.prefix[1:], id)
	t.lru.Init()
	return t
}

// ID returns the table's id.
func (t *StateTable) ID() uint32 { return t.id }

// SetCacheBudget sets the memory budget for cached entries. Dirty and
// pinned entries may exceed it until they are checkpointed.
func (t *StateTable) SetCacheBudget(bytes int64) {
	t.budget = bytes
	t.evict()
}

// StateTableStats describes a table's cache.
type StateTableStats struct {
	Entries, Dirty, Pinned int
	Bytes                  int64
	Hits, Misses           int64
}

// Stats returns cache statistics.
func (t *StateTable) Stats() StateTableStats {
	st := StateTableStats{Entries: len(t.entries), Dirty: len(t.dirty), Bytes: t.bytes, Hits: t.hits, Misses: t.misses}
	st.Pinned = t.nOverlay - st.Dirty
	return st
}

func (t *StateTable) fullKey(key []byte) []byte {
	k := make([]byte, 0, len(t.prefix)+len(key))
	return append(append(k, t.prefix[:]...), key...)
}

// Get returns the value of key. The returned slice must not be modified; it
// stays valid after later writes.
func (t *StateTable) Get(key []byte) (val []byte, ok bool, err error) {
	t.promote()
	if e, found := t.entries[string(key)]; found {
		t.hits++
		if e.state == stClean {
			t.lru.MoveToFront(e.elem)
		}
		return e.val, !e.tomb, nil
	}
	t.misses++
	if t.db.closed.Load() {
		return nil, false, ErrClosed
	}
	txn := t.db.bdb.NewTransactionAt(t.db.ckpt.committed.Load(), false)
	defer txn.Discard()
	e := &stEntry{key: string(key), state: stClean}
	item, err := txn.Get(t.fullKey(key))
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		e.tomb = true
	case err != nil:
		return nil, false, fmt.Errorf("storage: state table %d get: %w", t.id, err)
	default:
		if e.val, err = item.ValueCopy(nil); err != nil {
			return nil, false, fmt.Errorf("storage: state table %d get: %w", t.id, err)
		}
	}
	t.entries[e.key] = e
	e.elem = t.lru.PushFront(e)
	t.bytes += e.size()
	t.evict()
	return e.val, !e.tomb, nil
}

// Put sets key to a copy of val.
func (t *StateTable) Put(key, val []byte) {
	t.write(key, bytes.Clone(val), false)
}

// Delete removes key.
func (t *StateTable) Delete(key []byte) { t.write(key, nil, true) }

func (t *StateTable) write(key, val []byte, tomb bool) {
	t.promote()
	e, found := t.entries[string(key)]
	if !found {
		e = &stEntry{key: string(key)}
		t.entries[e.key] = e
	} else {
		t.bytes -= e.size()
	}
	switch e.state {
	case stClean:
		if found {
			t.lru.Remove(e.elem)
			e.elem = nil
		}
		t.nOverlay++
		if !e.indexed {
			t.unindexed = append(t.unindexed, e)
		}
		fallthrough
	case stPinned:
		e.state = stDirty
		t.dirty = append(t.dirty, e)
	}
	e.val, e.tomb = val, tomb
	t.bytes += e.size()
	t.evict()
}

// Flush writes the entries changed since the last Flush into checkpoint w.
// They stay readable from memory until w commits. Flushing into the same
// checkpoint again writes what changed since.
func (t *StateTable) Flush(w *CheckpointWriter) error {
	t.promote()
	if w.epoch < t.lastEp {
		return fmt.Errorf("storage: state table %d flushed at epoch %d after epoch %d", t.id, w.epoch, t.lastEp)
	}
	t.lastEp = w.epoch
	w.tables.Add(1)
	if len(t.dirty) == 0 {
		return nil
	}
	// Badger holds the keys until the batch commits; one buffer for all
	// of them saves an allocation per key.
	n := 0
	for _, e := range t.dirty {
		n += len(t.prefix) + len(e.key)
	}
	keys := make([]byte, 0, n)
	for _, e := range t.dirty {
		start := len(keys)
		keys = append(append(keys, t.prefix[:]...), e.key...)
		k := keys[start:len(keys):len(keys)]
		var err error
		if e.tomb {
			err = w.delete(k)
		} else {
			err = w.set(k, e.val)
		}
		if err != nil {
			return fmt.Errorf("storage: state table %d flush: %w", t.id, err)
		}
		e.state, e.pinVersion = stPinned, w.version
	}
	t.pins = append(t.pins, pinGen{version: w.version, entries: t.dirty})
	t.dirty = nil
	return nil
}

// promote turns pinned entries of committed checkpoints into clean ones,
// and those of rolled-back checkpoints into dirty ones.
func (t *StateTable) promote() {
	if len(t.pins) == 0 {
		return
	}
	s := &t.db.ckpt
	committed := s.committed.Load()
	n := 0
	for _, g := range t.pins {
		void := s.isVoid(g.version)
		if !void && g.version > committed {
			break
		}
		n++
		for _, e := range g.entries {
			if e.state != stPinned || e.pinVersion != g.version {
				continue // written again since
			}
			if void {
				e.state = stDirty
				t.dirty = append(t.dirty, e)
				continue
			}
			if e.indexed {
				t.overlay.Delete(e)
				e.indexed = false
			}
			t.nOverlay--
			e.state = stClean
			if t.budget <= 0 {
				// A table without a cache (written, never read back):
				// the LRU would evict the entry at once.
				delete(t.entries, e.key)
				t.bytes -= e.size()
				continue
			}
			e.elem = t.lru.PushFront(e)
		}
	}
	if n > 0 {
		t.pins = append(t.pins[:0], t.pins[n:]...)
		t.evict()
		t.compactUnindexed()
	}
}

// compactUnindexed drops the entries that are clean again from
// unindexed, so that a table never scanned does not keep them.
func (t *StateTable) compactUnindexed() {
	if len(t.unindexed) <= 2*t.nOverlay {
		return
	}
	keep := t.unindexed[:0]
	for _, e := range t.unindexed {
		if e.state != stClean && !e.indexed {
			keep = append(keep, e)
		}
	}
	clear(t.unindexed[len(keep):])
	t.unindexed = keep
}

// index brings overlay up to date for a Scan.
func (t *StateTable) index() {
	for _, e := range t.unindexed {
		if e.state != stClean && !e.indexed {
			t.overlay.ReplaceOrInsert(e)
			e.indexed = true
		}
	}
	clear(t.unindexed)
	t.unindexed = t.unindexed[:0]
}

func (t *StateTable) evict() {
	for t.bytes > t.budget {
		el := t.lru.Back()
		if el == nil {
			return
		}
		e := el.Value.(*stEntry)
		t.lru.Remove(el)
		delete(t.entries, e.key)
		t.bytes -= e.size()
	}
}

// Scan calls fn in key order for each live key with the given prefix,
// merging unflushed writes over Badger's committed state. key and val are
// only valid during the call. fn may modify the table; the scan does not see
// those changes. fn may return ErrStop.
func (t *StateTable) Scan(prefix []byte, fn func(key, val []byte) error) error {
	t.promote()
	if t.db.closed.Load() {
		return ErrClosed
	}
	type ov struct {
		key  string
		val  []byte
		tomb bool
	}
	var mem []ov
	t.index()
	t.overlay.AscendGreaterOrEqual(&stEntry{key: string(prefix)}, func(e *stEntry) bool {
		if !strings.HasPrefix(e.key, string(prefix)) {
			return false
		}
		mem = append(mem, ov{e.key, e.val, e.tomb})
		return true
	})

	txn := t.db.bdb.NewTransactionAt(t.db.ckpt.committed.Load(), false)
	defer txn.Discard()
	iopts := badger.DefaultIteratorOptions
	iopts.Prefix = t.fullKey(prefix)
	it := txn.NewIterator(iopts)
	defer it.Close()
	it.Rewind()

	call := func(k, v []byte) error {
		err := fn(k, v)
		if errors.Is(err, ErrStop) {
			return errStopped
		}
		return err
	}
	err := func() error {
		i := 0
		for it.Valid() || i < len(mem) {
			var dk []byte
			if it.Valid() {
				dk = it.Item().Key()[len(t.prefix):]
			}
			if i < len(mem) && (dk == nil || mem[i].key <= string(dk)) {
				m := mem[i]
				i++
				if dk != nil && m.key == string(dk) {
					it.Next() // the in-memory write shadows Badger
				}
				if m.tomb {
					continue
				}
				if err := call([]byte(m.key), m.val); err != nil {
					return err
				}
				continue
			}
			item := it.Item()
			if err := item.Value(func(v []byte) error { return call(dk, v) }); err != nil {
				return err
			}
			it.Next()
		}
		return nil
	}()
	if errors.Is(err, errStopped) {
		return nil
	}
	return err
}

// errStopped carries a callback's ErrStop out of nested closures without
// being confused with a storage error.
var errStopped = errors.New("storage: scan stopped")

// DropStateTable deletes every version of state table id. The table must
// not be in use.
func (db *DB) DropStateTable(id uint32) error {
	p := make([]byte, 5)
	p[0] = nsState
	binary.BigEndian.PutUint32(p[1:], id)
	if err := db.bdb.DropPrefix(p); err != nil {
		return fmt.Errorf("storage: drop state table %d: %w", id, err)
	}
	return nil
}
