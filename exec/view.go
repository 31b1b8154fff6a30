package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
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

	// open lists the keys changed since the last checkpoint barrier, once
	// each, with their before-images (n == 0: the key was absent); sealed
	// those of checkpoint epochs not committed yet, oldest first. A key
	// in open keeps its viewRow in rows until the barrier, with n == 0
	// once deleted (a tombstone, which reads skip): the barrier then
	// finds every changed row without a lookup.
	open   []undoEntry
	sealed []epochUndo
	// gen numbers the open undo log: a row whose gen equals it is in
	// open.
	gen uint64
	// share counts the barriers and snapshots, after which the rows
	// are shared with the undo log or a reader. A row slice allocated
	// since the last of them (viewRow.owned == share) is the partition's
	// alone, so an update overwrites it instead of allocating another.
	share uint64
	// final is set once a committed checkpoint holds the rows the
	// partition had when its input ended: reads see the live rows.
	final bool

	// appendOnly is set for a view without a key whose input only inserts
	// (planner.AppendOnly). Its rows are then kept in arrival order in
	// log instead of rows: nothing ever looks a row up by value, and the
	// committed image is a prefix of the log (logCommitted rows), so no
	// undo log is needed either.
	appendOnly   bool
	log          rowLog
	logCommitted int
	logSealed    []epochMark
}

type viewRow struct {
	key   string // in rows
	row   types.Row
	n     int
	gen   uint64
	owned uint64 // viewPart.share when row was allocated
}

// undoEntry is a changed key's row (cur) and its before-image.
type undoEntry struct {
	cur *viewRow
	row types.Row
	n   int
}

// epochMark is the length of an append-only partition's log at the
// barrier of a checkpoint not committed yet.
type epochMark struct {
	epoch uint64
	n     int
}

type epochUndo struct {
	epoch   uint64
	changed []undoEntry
}

// NewView returns an empty view of the given schema, keyed by keyCols (nil:
// rows are a multiset), in parallelism partitions.
func NewView(cols []types.Column, keyCols []int, parallelism int) *View {
	v := &View{cols: cols, keyCols: keyCols, closed: make(chan struct{})}
	for i := 0; i < parallelism; i++ {
		v.parts = append(v.parts, &viewPart{rows: map[string]*viewRow{}, gen: 1, share: 1, log: rowLog{width: len(cols)}})
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
func (p *viewPart) undone(consistent bool) map[string]undoEntry {
	if !consistent || p.final || (len(p.sealed) == 0 && len(p.open) == 0) {
		return nil
	}
	// The oldest before-image of a key is its committed row.
	m := make(map[string]undoEntry, len(p.open))
	add := func(changed []undoEntry) {
		for _, e := range changed {
			if _, ok := m[e.cur.key]; !ok {
				m[e.cur.key] = e
			}
		}
	}
	for _, seg := range p.sealed {
		add(seg.changed)
	}
	add(p.open)
	return m
}

func (p *viewPart) appendRows(out []types.Row, consistent bool) []types.Row {
	if p.appendOnly {
		return p.log.appendTo(out, p.logLen(consistent))
	}
	p.share++
	undo := p.undone(consistent)
	for k, r := range p.rows {
		if _, changed := undo[k]; changed {
			continue
		}
		for i := 0; i < r.n; i++ {
			out = append(out, r.row)
		}
	}
	for _, e := range undo {
		for i := 0; i < e.n; i++ {
			out = append(out, e.row)
		}
	}
	return out
}

// logLen is the number of rows of an append-only partition that reads
// see. p.mu is held.
func (p *viewPart) logLen(consistent bool) int {
	if !consistent || p.final {
		return p.log.n
	}
	return p.logCommitted
}

func (p *viewPart) count(consistent bool) int {
	if p.appendOnly {
		return p.logLen(consistent)
	}
	undo := p.undone(consistent)
	n := 0
	for k, r := range p.rows {
		if _, changed := undo[k]; !changed {
			n += r.n
		}
	}
	for _, e := range undo {
		n += e.n
	}
	return n
}

// touch records the before-image of r, about to change, if it is the
// key's first change since the last checkpoint barrier. p.mu is held.
func (p *viewPart) touch(r *viewRow) {
	if r.gen == p.gen {
		return
	}
	p.open = append(p.open, undoEntry{cur: r, row: r.row, n: r.n})
	r.gen = p.gen
}

// seal closes the epoch of checkpoint barrier epoch and returns the keys
// it changed (with their before-images). The undo log is kept for
// consistent reads until the checkpoint commits.
func (p *viewPart) seal(epoch uint64, keep bool) []undoEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.appendOnly {
		last := p.logCommitted
		if len(p.logSealed) > 0 {
			last = p.logSealed[len(p.logSealed)-1].n
		}
		if keep && p.log.n != last {
			p.logSealed = append(p.logSealed, epochMark{epoch: epoch, n: p.log.n})
		}
		return nil
	}
	changed := p.open
	p.open = make([]undoEntry, 0, len(changed))
	p.gen++
	p.share++
	p.dropTombstones(changed)
	if keep && len(changed) > 0 {
		p.sealed = append(p.sealed, epochUndo{epoch: epoch, changed: changed})
	}
	return changed
}

// dropTombstones removes the rows deleted during an epoch that ended.
// p.mu is held.
func (p *viewPart) dropTombstones(changed []undoEntry) {
	for _, e := range changed {
		if e.cur.n == 0 {
			delete(p.rows, e.cur.key)
		}
	}
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
		n = 0
		for n < len(p.logSealed) && p.logSealed[n].epoch <= epoch {
			p.logCommitted = p.logSealed[n].n
			n++
		}
		p.logSealed = append(p.logSealed[:0], p.logSealed[n:]...)
	}
	for _, i := range finished {
		if i >= 0 && i < len(v.parts) {
			p := v.parts[i]
			p.dropTombstones(p.open)
			p.final, p.sealed, p.open, p.logSealed = true, nil, nil, nil
			p.gen++
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
func (p *viewPart) apply(c *Chunk, keyCols []int, keyBuf []byte, track bool) (*Chunk, []*Subscription, []byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.appendOnly {
		changes, err := p.applyAppend(c)
		if changes == nil || err != nil {
			return nil, nil, keyBuf, err
		}
		return changes, append([]*Subscription(nil), p.subs...), keyBuf, nil
	}
	var changes *Chunk
	if len(p.subs) > 0 {
		changes = NewChunk(c.Width(), c.Len())
	}
	n := c.Len()
	for i := 0; i < n; i++ {
		row, op := c.Row(i), c.Op(i)
		keyBuf = appendViewKey(keyBuf[:0], row, keyCols)
		if op == UpdateDelete && keyCols != nil && i+1 < n && c.Op(i+1) == UpdateInsert {
			// An update that keeps its key (what an aggregation emits) is
			// the insert alone, which replaces the row in place: deleting
			// it first would cost a map delete and insert and an
			// allocation.
			k := len(keyBuf)
			next := c.Row(i + 1)
			keyBuf = appendViewKey(keyBuf, next, keyCols)
			same := bytes.Equal(keyBuf[:k], keyBuf[k:])
			keyBuf = keyBuf[:k]
			if same {
				i++
				row, op = next, UpdateInsert
			}
		}
		r := p.rows[string(keyBuf)]
		if op.IsInsert() {
			if r == nil {
				r = &viewRow{key: string(keyBuf)}
				p.rows[r.key] = r
			}
			if track {
				p.touch(r)
			}
			switch {
			case r.n == 0:
				r.row, r.n, r.owned = CopyRow(row), 1, p.share
				if changes != nil {
					changes.Append(Insert, row)
				}
			case keyCols != nil:
				if changes != nil {
					changes.Append(UpdateDelete, r.row)
					changes.Append(UpdateInsert, row)
				}
				if r.owned == p.share {
					copy(r.row, row)
				} else {
					r.row, r.owned = CopyRow(row), p.share
				}
			default:
				r.n++
				if changes != nil {
					changes.Append(Insert, row)
				}
			}
			continue
		}
		if r == nil || r.n == 0 {
			continue
		}
		if track {
			p.touch(r)
		}
		if changes != nil {
			changes.Append(Delete, r.row)
		}
		r.n--
		if r.n == 0 {
			r.row = nil
			if !track {
				delete(p.rows, r.key)
			}
		}
	}
	if changes == nil || changes.Len() == 0 {
		return nil, nil, keyBuf, nil
	}
	return changes, append([]*Subscription(nil), p.subs...), keyBuf, nil
}

// appendViewKey appends the memcomparable key of row: its key columns, or
// every column for a view without a key.
func appendViewKey(buf []byte, row types.Row, keyCols []int) []byte {
	if keyCols == nil {
		for _, d := range row {
			buf = storage.AppendKey(buf, d, false)
		}
		return buf
	}
	for _, k := range keyCols {
		buf = storage.AppendKey(buf, row[k], false)
	}
	return buf
}

// applyAppend appends the rows of c to an append-only partition and
// returns them as changes if anybody subscribed. p.mu is held.
func (p *viewPart) applyAppend(c *Chunk) (*Chunk, error) {
	for i := 0; i < c.Len(); i++ {
		if !c.Op(i).IsInsert() {
			return nil, fmt.Errorf("exec: %s in the changelog of an append-only view", c.Op(i))
		}
	}
	p.log.appendChunk(c)
	if len(p.subs) == 0 || c.Len() == 0 {
		return nil, nil
	}
	changes := c.Clone()
	for i := range changes.ops {
		changes.ops[i] = Insert
	}
	return changes, nil
}

// rowLog holds rows in arrival order, in fixed-size segments of datums
// that are never reallocated: a row once appended stays where it is, so
// snapshots share it, and a row costs its datums only.
type rowLog struct {
	width int
	segs  [][]types.Datum
	n     int
}

// logSegmentRows is the number of rows of a full rowLog segment.
const logSegmentRows = 4096

func (l *rowLog) appendRow(row types.Row) {
	l.grow()
	seg := l.segs[len(l.segs)-1]
	l.segs[len(l.segs)-1] = append(seg, row...)
	l.n++
}

// appendChunk appends every row of c.
func (l *rowLog) appendChunk(c *Chunk) {
	if l.width == 0 {
		l.n += c.Len()
		return
	}
	data := c.data[:c.Len()*l.width]
	for len(data) > 0 {
		l.grow()
		last := len(l.segs) - 1
		seg := l.segs[last]
		k := min(cap(seg)-len(seg), len(data))
		l.segs[last] = append(seg, data[:k]...)
		data = data[k:]
		l.n += k / l.width
	}
}

// grow makes sure the last segment has room for a row.
func (l *rowLog) grow() {
	if l.width == 0 {
		return
	}
	if len(l.segs) == 0 || len(l.segs[len(l.segs)-1]) == cap(l.segs[len(l.segs)-1]) {
		l.segs = append(l.segs, make([]types.Datum, 0, logSegmentRows*l.width))
	}
}

// row returns row i; it must not be modified.
func (l *rowLog) row(i int) types.Row {
	if l.width == 0 {
		return types.Row{}
	}
	seg := l.segs[i/logSegmentRows]
	lo := (i % logSegmentRows) * l.width
	return seg[lo : lo+l.width : lo+l.width]
}

// appendTo appends the first n rows to out.
func (l *rowLog) appendTo(out []types.Row, n int) []types.Row {
	out = slices.Grow(out, n)
	for i := 0; i < n; i++ {
		out = append(out, l.row(i))
	}
	return out
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
