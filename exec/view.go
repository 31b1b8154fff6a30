package exec

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"streamsqld/sql/types"
	"streamsqld/storage"
)

// ErrViewClosed is reported to subscribers (and returned by Subscribe)
// once the job maintaining a view stopped.
var ErrViewClosed = errors.New("exec: materialized view is no longer maintained")

// SubscriptionBuffer is how many change chunks a subscriber may lag behind
// before the view's Materialize subtasks wait for it (backpressure from a
// view over a view to the upstream job).
const SubscriptionBuffer = 16

// View is the readable state of a materialized view: its rows, kept by
// the Materialize subtasks of the job, one hash partition each.
//
// With consistent reads (Env.ConsistentReads) Snapshot returns the rows as
// of the last checkpoint committed to the view (CommitView), like
// RisingWave's epochs and Materialize's timestamps: a reader never sees
// changes that a crash could take back. Each partition keeps the live rows
// plus, for every key changed since that checkpoint, its row before the
// change (an undo log per checkpoint epoch); the committed image is the
// live rows with those undone, so only changed keys cost memory twice.
type View struct {
	cols    []types.Column
	keyCols []int
	parts   []*viewPart

	// consistent makes Snapshot return the committed image; track makes
	// the partitions keep before-images (for consistent reads, and for
	// the keys the Materialize writes to its state at a checkpoint).
	consistent bool
	track      bool
	committed  atomic.Uint64 // epoch of the last commit

	closeOnce sync.Once
	closed    chan struct{}
	err       error // why the view stopped being maintained; set before closed is closed
}

// viewPart is one Materialize subtask's partition. Its lock is held only to
// apply one chunk or to copy the rows, never while sending. Only the
// subtask writes rows; it may read them without the lock.
type viewPart struct {
	mu sync.Mutex
	// rows maps the memcomparable encoding of the key (the whole row for a
	// view without a key) to the row and, without a key, its
	// multiplicity.
	rows map[string]*viewRow
	subs []*Subscription

	// open holds the before-images of the keys changed since the last
	// checkpoint barrier (n == 0: the key was absent); sealed those of
	// checkpoint epochs not committed yet, oldest first.
	open   map[string]viewRow
	sealed []epochUndo
	// final is set once a committed checkpoint holds the rows the
	// partition had when its input ended: reads see the live rows.
	final bool
}

type viewRow struct {
	row types.Row
	n   int
}

type epochUndo struct {
	epoch  uint64
	before map[string]viewRow
}

// NewView returns an empty view of the given schema, keyed by keyCols (nil:
// rows are a multiset), in parallelism partitions.
func NewView(cols []types.Column, keyCols []int, parallelism int) *View {
	v := &View{cols: cols, keyCols: keyCols, closed: make(chan struct{})}
	for i := 0; i < parallelism; i++ {
		v.parts = append(v.parts, &viewPart{rows: map[string]*viewRow{}})
	}
	return v
}

// Columns is the view's schema.
func (v *View) Columns() []types.Column { return v.cols }

// Snapshot returns the view's rows: as of the last committed checkpoint
// with consistent reads, else the live rows. All partitions are locked
// together, so the copy is consistent across them. The rows are shared
// with the view and must not be modified.
func (v *View) Snapshot() []types.Row {
	v.lockAll()
	defer v.unlockAll()
	var out []types.Row
	for _, p := range v.parts {
		out = p.appendRows(out, v.consistent)
	}
	return out
}

// CommittedEpoch is the epoch of the last checkpoint committed to the
// view (0: none since the job started).
func (v *View) CommittedEpoch() uint64 { return v.committed.Load() }

// Len is the number of rows Snapshot would return.
func (v *View) Len() int {
	v.lockAll()
	defer v.unlockAll()
	n := 0
	for _, p := range v.parts {
		n += p.count(v.consistent)
	}
	return n
}

func (v *View) lockAll() {
	for _, p := range v.parts {
		p.mu.Lock()
	}
}

func (v *View) unlockAll() {
	for i := len(v.parts) - 1; i >= 0; i-- {
		v.parts[i].mu.Unlock()
	}
}

func (v *View) snapshotLocked() []types.Row {
	var out []types.Row
	for _, p := range v.parts {
		out = p.appendRows(out, false)
	}
	return out
}

// undone returns, for reads as of the last commit, the before-image of
// every key changed since, or nil when the live rows are those. p.mu is
// held.
func (p *viewPart) undone(consistent bool) map[string]viewRow {
	if !consistent || p.final || (len(p.sealed) == 0 && len(p.open) == 0) {
		return nil
	}
	if len(p.sealed) == 0 {
		return p.open
	}
	// The oldest before-image of a key is its committed row.
	m := make(map[string]viewRow, len(p.open))
	for _, seg := range p.sealed {
		for k, r := range seg.before {
			if _, ok := m[k]; !ok {
				m[k] = r
			}
		}
	}
	for k, r := range p.open {
		if _, ok := m[k]; !ok {
			m[k] = r
		}
	}
	return m
}

func (p *viewPart) appendRows(out []types.Row, consistent bool) []types.Row {
	undo := p.undone(consistent)
	for k, r := range p.rows {
		if _, changed := undo[k]; changed {
			continue
		}
		for i := 0; i < r.n; i++ {
			out = append(out, r.row)
		}
	}
	for _, r := range undo {
		for i := 0; i < r.n; i++ {
			out = append(out, r.row)
		}
	}
	return out
}

func (p *viewPart) count(consistent bool) int {
	undo := p.undone(consistent)
	n := 0
	for k, r := range p.rows {
		if _, changed := undo[k]; !changed {
			n += r.n
		}
	}
	for _, r := range undo {
		n += r.n
	}
	return n
}

// touch records the before-image of key, about to change, if it is the
// key's first change since the last checkpoint barrier. p.mu is held.
func (p *viewPart) touch(key []byte, r *viewRow) {
	if _, seen := p.open[string(key)]; seen {
		return
	}
	if p.open == nil {
		p.open = map[string]viewRow{}
	}
	var before viewRow
	if r != nil {
		before = *r
	}
	p.open[string(key)] = before
}

// seal closes the epoch of checkpoint barrier epoch and returns the keys
// it changed (with their before-images). The undo log is kept for
// consistent reads until the checkpoint commits.
func (p *viewPart) seal(epoch uint64, keep bool) map[string]viewRow {
	p.mu.Lock()
	defer p.mu.Unlock()
	before := p.open
	p.open = nil
	if keep && len(before) > 0 {
		p.sealed = append(p.sealed, epochUndo{epoch: epoch, before: before})
	}
	return before
}

// commit makes the checkpoint of epoch the one reads see; finished lists
// the partitions whose final rows it holds.
func (v *View) commit(epoch uint64, finished []int) {
	v.lockAll()
	defer v.unlockAll()
	for _, p := range v.parts {
		n := 0
		for n < len(p.sealed) && p.sealed[n].epoch <= epoch {
			n++
		}
		p.sealed = append(p.sealed[:0], p.sealed[n:]...)
	}
	for _, i := range finished {
		if i >= 0 && i < len(v.parts) {
			p := v.parts[i]
			p.final, p.sealed, p.open = true, nil, nil
		}
	}
	if epoch > v.committed.Load() {
		v.committed.Store(epoch)
	}
}

// Subscribe returns the view's current rows and a subscription delivering
// every later change, in order per key, as changelog chunks. The snapshot
// and the registration happen under the same locks as the changes are
// applied, so each change is in exactly one of them. The subscription ends
// when ctx is done or Cancel is called.
func (v *View) Subscribe(ctx context.Context) ([]types.Row, *Subscription, error) {
	select {
	case <-v.closed:
		return nil, nil, ErrViewClosed
	default:
	}
	s := &Subscription{
		view: v,
		ch:   make(chan *Chunk, SubscriptionBuffer),
		done: make(chan struct{}),
	}
	v.lockAll()
	rows := v.snapshotLocked()
	for _, p := range v.parts {
		p.subs = append(p.subs, s)
	}
	v.unlockAll()
	s.stop = context.AfterFunc(ctx, s.Cancel)
	return rows, s, nil
}

// close marks the view as no longer maintained (err: the job failed);
// subscribers see it on Closed. Its rows stay readable.
func (v *View) close(err error) {
	v.closeOnce.Do(func() {
		v.err = err
		close(v.closed)
	})
}

// Closed is closed when the job maintaining the view ended: it finished
// its bounded input (Err is nil), failed or was stopped.
func (v *View) Closed() <-chan struct{} { return v.closed }

// Err is, once Closed is closed, the failure that ended the job maintaining
// the view, or nil.
func (v *View) Err() error {
	select {
	case <-v.closed:
		return v.err
	default:
		return nil
	}
}

// Subscription is a subscriber's end of a view's changelog.
type Subscription struct {
	view *View
	ch   chan *Chunk
	done chan struct{}
	once sync.Once
	stop func() bool
}

// Changes delivers change chunks; each belongs to the receiver.
func (s *Subscription) Changes() <-chan *Chunk { return s.ch }

// Closed is closed when the view stops being maintained.
func (s *Subscription) Closed() <-chan struct{} { return s.view.closed }

// Cancel ends the subscription; the view stops sending to it.
func (s *Subscription) Cancel() {
	s.once.Do(func() {
		close(s.done)
		if s.stop != nil {
			s.stop()
		}
		for _, p := range s.view.parts {
			p.mu.Lock()
			for i, x := range p.subs {
				if x == s {
					p.subs = append(p.subs[:i], p.subs[i+1:]...)
					break
				}
			}
			p.mu.Unlock()
		}
	})
}

// apply applies a changelog chunk to the partition and returns the
// effective changes (nil if none, or if nobody subscribed) with the
// subscribers to send them to. With a key, an insert over an existing row
// is an update and a delete of a missing key is dropped; without a key,
// rows carry a multiplicity.
func (p *viewPart) apply(c *Chunk, keyCols []int, keyBuf []byte, track bool) (*Chunk, []*Subscription, []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var changes *Chunk
	if len(p.subs) > 0 {
		changes = NewChunk(c.Width(), c.Len())
	}
	for i := 0; i < c.Len(); i++ {
		row := c.Row(i)
		keyBuf = keyBuf[:0]
		if keyCols != nil {
			for _, k := range keyCols {
				keyBuf = storage.AppendKey(keyBuf, row[k], false)
			}
		} else {
			for _, d := range row {
				keyBuf = storage.AppendKey(keyBuf, d, false)
			}
		}
		r := p.rows[string(keyBuf)]
		if c.Op(i).IsInsert() {
			if track {
				p.touch(keyBuf, r)
			}
			switch {
			case r == nil:
				p.rows[string(keyBuf)] = &viewRow{row: CopyRow(row), n: 1}
				if changes != nil {
					changes.Append(Insert, row)
				}
			case keyCols != nil:
				if changes != nil {
					changes.Append(UpdateDelete, r.row)
					changes.Append(UpdateInsert, row)
				}
				r.row = CopyRow(row)
			default:
				r.n++
				if changes != nil {
					changes.Append(Insert, row)
				}
			}
			continue
		}
		if r == nil {
			continue
		}
		if track {
			p.touch(keyBuf, r)
		}
		if changes != nil {
			changes.Append(Delete, r.row)
		}
		r.n--
		if r.n <= 0 {
			delete(p.rows, string(keyBuf))
		}
	}
	if changes == nil || changes.Len() == 0 {
		return nil, nil, keyBuf
	}
	return changes, append([]*Subscription(nil), p.subs...), keyBuf
}

// Views is the registry of the materialized views maintained by running
// jobs, by relation ID; a source over a view subscribes through it.
type Views struct {
	mu sync.RWMutex
	m  map[uint32]*View
}

// NewViews returns an empty registry.
func NewViews() *Views { return &Views{m: map[uint32]*View{}} }

// Register adds v under id.
func (r *Views) Register(id uint32, v *View) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[id]; dup {
		return fmt.Errorf("exec: view %d registered twice", id)
	}
	r.m[id] = v
	return nil
}

// Lookup returns the view registered under id.
func (r *Views) Lookup(id uint32) (*View, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[id]
	return v, ok
}

// Unregister removes id.
func (r *Views) Unregister(id uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, id)
}

// unregisterView removes id if it is still registered to v (a job that
// stops must not remove its successor's view).
func (r *Views) unregisterView(id uint32, v *View) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m[id] == v {
		delete(r.m, id)
	}
}
