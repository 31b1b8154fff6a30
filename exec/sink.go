package exec

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// The sink of a CREATE SINK job, exactly-once by a write-ahead log in the
// checkpoints (Flink's GenericWriteAheadSink, with Kafka's transactional
// offset commit as the record of what was delivered):
//
//  1. The sink operator encodes the changes of the open epoch into
//     messages (an upsert sink keeps a key's last change of the epoch).
//  2. On checkpoint barrier n it seals them as epoch n and writes them
//     into its state table, so checkpoint n holds them.
//  3. Once checkpoint n committed (Job.CommitView), the job's delivery
//     goroutine of the subtask hands epoch n to the connector's writer,
//     which writes the messages and records n as delivered atomically.
//  4. After a crash the restored checkpoint holds the epochs not known to
//     be delivered; the writer says which it delivered (Delivered), and
//     the rest are delivered again, in order, before anything newer.
//
// The state entries of an epoch are deleted at the first barrier after
// its delivery. An epoch's messages stay in memory until delivered: at
// most maxUndelivered committed epochs wait for the external system before
// the sink stops taking barriers (backpressure).

// maxUndelivered is how many committed epochs of a sink subtask may wait
// for delivery before its barriers wait for them.
const maxUndelivered = 4

// finalEpoch is the epoch of the messages a sink subtask sealed when its
// input ended: they are delivered once a checkpoint holding the subtask's
// final state committed, after every numbered epoch.
const finalEpoch = math.MaxInt64

// sinkArenaBlock is the size of the blocks the messages of an epoch are
// allocated from.
const sinkArenaBlock = 64 << 10

// sealedEpoch is the messages of one epoch of a sink subtask.
type sealedEpoch struct {
	epoch uint64
	msgs  []connector.SinkMessage
	// committed: a committed checkpoint holds the messages.
	committed bool
}

// sinkDelivery hands a sink subtask's committed epochs to its writer. The
// job runs it in a goroutine of its own (operators start none) and the
// subtask and the checkpoint coordinator feed it.
type sinkDelivery struct {
	writer  connector.SinkWriter
	subtask int

	mu      sync.Mutex
	pending []*sealedEpoch // in epoch order
	// delivered is the last epoch the writer holds, once known.
	delivered      uint64
	knowsDelivered bool
	wake           chan struct{} // cap 1: pending or committed changed
	space          chan struct{} // cap 1: an epoch was delivered
	state          string
}

func newSinkDelivery(w connector.SinkWriter, subtask int) *sinkDelivery {
	return &sinkDelivery{writer: w, subtask: subtask, wake: make(chan struct{}, 1), space: make(chan struct{}, 1), state: "connected"}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// seal queues the messages of epoch, not yet committed; the subtask's
// goroutine calls it. It waits while maxUndelivered committed epochs wait
// for the writer.
func (d *sinkDelivery) seal(ctx context.Context, epoch uint64, msgs []connector.SinkMessage) error {
	for {
		d.mu.Lock()
		waiting := 0
		for _, p := range d.pending {
			if p.committed {
				waiting++
			}
		}
		if waiting < maxUndelivered {
			d.pending = append(d.pending, &sealedEpoch{epoch: epoch, msgs: msgs})
			d.mu.Unlock()
			return nil
		}
		d.mu.Unlock()
		select {
		case <-d.space:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// sealFinal queues the messages that arrived after the last barrier of
// a subtask whose input ended. It does not wait: nothing follows them.
func (d *sinkDelivery) sealFinal(msgs []connector.SinkMessage) {
	d.mu.Lock()
	d.pending = append(d.pending, &sealedEpoch{epoch: finalEpoch, msgs: msgs})
	d.mu.Unlock()
}

// restore queues epochs read back from a restored checkpoint, which
// committed.
func (d *sinkDelivery) restore(eps []*sealedEpoch) {
	d.mu.Lock()
	for _, e := range eps {
		e.committed = true
	}
	d.pending = append(d.pending, eps...)
	d.mu.Unlock()
	signal(d.wake)
}

// commit marks the epochs up to epoch as held by a committed checkpoint;
// final includes the epoch sealed at the end of the input.
func (d *sinkDelivery) commit(epoch uint64, final bool) {
	d.mu.Lock()
	for _, p := range d.pending {
		if p.epoch <= epoch || (final && p.epoch == finalEpoch) {
			p.committed = true
		}
	}
	d.mu.Unlock()
	signal(d.wake)
}

// idle reports whether nothing waits for delivery.
func (d *sinkDelivery) idle() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending) == 0
}

// deliveredUpTo is the last epoch the writer holds (0: unknown or none).
func (d *sinkDelivery) deliveredUpTo() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.delivered
}

// run delivers committed epochs in order until ctx is done, or until
// the job finished its input (finished is closed) and every epoch was
// delivered. A failing writer is retried with backoff (100 ms to 5 s)
// without losing or reordering an epoch.
func (d *sinkDelivery) run(ctx context.Context, finished <-chan struct{}, log func(msg string, args ...any)) {
	backoff := time.Duration(0)
	ended := false
	for {
		if backoff > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		} else {
			select {
			case <-d.wake:
			case <-finished:
				ended, finished = true, nil
			case <-ctx.Done():
				return
			}
		}
		err := d.deliverCommitted(ctx)
		if err == nil {
			backoff = 0
			if ended && d.idle() {
				return
			}
			continue
		}
		if ctx.Err() != nil {
			return
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
		d.mu.Lock()
		first := d.state == "connected"
		d.state = "retrying: " + err.Error()
		d.mu.Unlock()
		if first {
			log("sink delivery failed; retrying", "subtask", d.subtask, "err", err)
		}
	}
}

// deliverCommitted delivers the committed epochs at the head of pending.
func (d *sinkDelivery) deliverCommitted(ctx context.Context) error {
	d.mu.Lock()
	known := d.knowsDelivered
	d.mu.Unlock()
	if !known {
		n, err := d.writer.Delivered(ctx)
		if err != nil {
			return fmt.Errorf("reading the last delivered epoch: %w", err)
		}
		d.mu.Lock()
		d.delivered, d.knowsDelivered = n, true
		d.mu.Unlock()
	}
	for {
		d.mu.Lock()
		// Epochs the writer already holds were delivered before a crash.
		for len(d.pending) > 0 && d.pending[0].committed && d.pending[0].epoch <= d.delivered {
			d.pending = d.pending[1:]
		}
		if len(d.pending) == 0 || !d.pending[0].committed {
			d.state = "connected"
			d.mu.Unlock()
			return nil
		}
		head := d.pending[0]
		d.mu.Unlock()
		if err := d.writer.Deliver(ctx, head.epoch, head.msgs); err != nil {
			// The epoch may have been delivered after all (a commit whose
			// answer was lost): ask the writer again before retrying.
			d.mu.Lock()
			d.knowsDelivered = false
			d.mu.Unlock()
			return fmt.Errorf("delivering epoch %d (%d messages): %w", head.epoch, len(head.msgs), err)
		}
		d.mu.Lock()
		d.delivered = head.epoch
		d.pending = d.pending[1:]
		d.state = "connected"
		d.mu.Unlock()
		signal(d.space)
	}
}

// sinkOp is the sink operator of a CREATE SINK job.
type sinkOp struct {
	Base
	spec      *planner.SinkSpec
	cols      []types.Column
	discard   bool
	delivery  *sinkDelivery
	partition uint16

	// The open epoch: its messages, and for an upsert sink the index of
	// each key's message.
	msgs  []connector.SinkMessage
	byKey map[string]int
	arena []byte
	buf   []byte

	state      StateTable
	flushState func(epoch uint64, t StateTable) error
	// stored are the epochs whose messages the state table holds, with
	// their message counts, until delivered.
	stored   []storedEpoch
	stateKey []byte
}

type storedEpoch struct {
	epoch uint64
	n     int
}

func newSinkOp(j *Job, op *planner.Operator, idx int) (*sinkOp, error) {
	s := &sinkOp{spec: op.Sink, cols: op.Output, partition: uint16(idx)}
	if j == nil || j.sink == nil {
		return nil, errors.New("sink operator outside a sink job")
	}
	if j.deliveries == nil {
		// A discarding sink (openSink gives it no deliveries).
		s.discard = true
		return s, nil
	}
	s.delivery = j.deliveries[idx]
	if s.spec.Upsert {
		s.byKey = map[string]int{}
	}
	env := &j.env
	if s.spec.StateTableID == 0 || env.StateTables == nil {
		return s, nil
	}
	st, err := env.StateTables(s.spec.StateTableID, idx)
	if err != nil {
		return nil, err
	}
	s.state, s.flushState = st, env.FlushState
	writeOnly(st)
	if err := s.restore(); err != nil {
		return nil, fmt.Errorf("restoring sink state table %d: %w", s.spec.StateTableID, err)
	}
	return s, nil
}

// The state key of a message is partition | epoch (8) | sequence (4); its
// value is a flag (1: has a value) | uvarint(len(key)) | key | value.

func (s *sinkOp) messageKey(epoch uint64, seq int) []byte {
	s.stateKey = binary.BigEndian.AppendUint16(s.stateKey[:0], s.partition)
	s.stateKey = binary.BigEndian.AppendUint64(s.stateKey, epoch)
	return binary.BigEndian.AppendUint32(s.stateKey, uint32(seq))
}

func (s *sinkOp) restore() error {
	var eps []*sealedEpoch
	err := s.state.Scan(partitionPrefix(s.partition), func(k, v []byte) error {
		if len(k) != 2+8+4 || len(v) < 1 {
			return fmt.Errorf("%w: sink message entry", storage.ErrCorrupt)
		}
		epoch := binary.BigEndian.Uint64(k[2:])
		klen, w := binary.Uvarint(v[1:])
		if w <= 0 || uint64(len(v)-1-w) < klen {
			return fmt.Errorf("%w: sink message entry", storage.ErrCorrupt)
		}
		rest := v[1+w:]
		m := connector.SinkMessage{Key: cloneOrNil(rest[:klen])}
		if v[0] == 1 {
			m.Value = append([]byte{}, rest[klen:]...)
		}
		if len(eps) == 0 || eps[len(eps)-1].epoch != epoch {
			eps = append(eps, &sealedEpoch{epoch: epoch})
			s.stored = append(s.stored, storedEpoch{epoch: epoch})
		}
		eps[len(eps)-1].msgs = append(eps[len(eps)-1].msgs, m)
		s.stored[len(s.stored)-1].n++
		return nil
	})
	if err != nil {
		return err
	}
	s.delivery.restore(eps)
	return nil
}

func cloneOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// alloc copies b into the epoch's arena: the messages of an epoch live as
// long as each other, so they share blocks instead of one allocation each.
func (s *sinkOp) alloc(b []byte) []byte {
	if len(b) > sinkArenaBlock/4 {
		return append([]byte(nil), b...)
	}
	if cap(s.arena)-len(s.arena) < len(b) {
		s.arena = make([]byte, 0, sinkArenaBlock)
	}
	n := len(s.arena)
	s.arena = append(s.arena, b...)
	return s.arena[n:len(s.arena):len(s.arena)]
}

func (s *sinkOp) encodeObject(row types.Row, cols []int) []byte {
	s.buf = append(s.buf[:0], '{')
	first := true
	add := func(i int) {
		if !first {
			s.buf = append(s.buf, ',')
		}
		first = false
		s.buf = types.AppendJSONString(s.buf, s.cols[i].Name)
		s.buf = append(s.buf, ':')
		s.buf = expr.AppendJSON(s.buf, row[i], s.cols[i].Type)
	}
	if cols == nil {
		for i := range s.cols {
			add(i)
		}
	} else {
		for _, i := range cols {
			add(i)
		}
	}
	s.buf = append(s.buf, '}')
	return s.alloc(s.buf)
}

func (s *sinkOp) OnChunk(_ context.Context, c *Chunk, _ Emitter) error {
	if s.discard {
		return nil
	}
	for i := 0; i < c.Len(); i++ {
		row, op := c.Row(i), c.Op(i)
		var key []byte
		if s.spec.KeyCols != nil {
			key = s.encodeObject(row, s.spec.KeyCols)
		}
		if !s.spec.Upsert {
			if !op.IsInsert() {
				return fmt.Errorf("append-only sink %q received a deletion: its query is not insert-only", s.sinkName())
			}
			s.msgs = append(s.msgs, connector.SinkMessage{Key: key, Value: s.encodeObject(row, nil)})
			continue
		}
		var val []byte
		if op.IsInsert() {
			val = s.encodeObject(row, nil)
		}
		if at, ok := s.byKey[string(key)]; ok {
			s.msgs[at].Value = val
			continue
		}
		s.byKey[string(key)] = len(s.msgs)
		s.msgs = append(s.msgs, connector.SinkMessage{Key: key, Value: val})
	}
	return nil
}

func (s *sinkOp) sinkName() string {
	if s.spec.Sink == nil {
		return ""
	}
	return s.spec.Sink.Name
}

// OnBarrier seals the open epoch on a checkpoint barrier: its messages go
// into the checkpoint and then to the writer once it committed.
func (s *sinkOp) OnBarrier(ctx context.Context, b Barrier, _ Emitter) error {
	if s.discard || !b.Checkpoint {
		return nil
	}
	msgs := s.takeEpoch()
	if s.state != nil {
		s.writeState(b.Epoch, msgs)
	}
	if err := s.delivery.seal(ctx, b.Epoch, msgs); err != nil {
		return err
	}
	if s.state != nil && s.flushState != nil {
		return s.flushState(b.Epoch, s.state)
	}
	return nil
}

// takeEpoch ends the open epoch. (An upsert sink keeps the tombstone of
// a key the epoch inserted and deleted again: the key may have existed
// before the epoch.)
func (s *sinkOp) takeEpoch() []connector.SinkMessage {
	msgs := s.msgs
	s.msgs, s.arena = nil, nil
	if s.byKey != nil {
		clear(s.byKey)
	}
	return msgs
}

// writeState adds the messages of epoch to the state table and removes
// those of the epochs delivered since.
func (s *sinkOp) writeState(epoch uint64, msgs []connector.SinkMessage) {
	delivered := s.delivery.deliveredUpTo()
	kept := s.stored[:0]
	for _, se := range s.stored {
		if se.epoch > delivered {
			kept = append(kept, se)
			continue
		}
		for i := 0; i < se.n; i++ {
			s.state.Delete(s.messageKey(se.epoch, i))
		}
	}
	s.stored = kept
	if len(msgs) == 0 {
		return
	}
	var val []byte
	for i, m := range msgs {
		flag := byte(0)
		if m.Value != nil {
			flag = 1
		}
		val = append(val[:0], flag)
		val = binary.AppendUvarint(val, uint64(len(m.Key)))
		val = append(append(val, m.Key...), m.Value...)
		s.state.Put(s.messageKey(epoch, i), val)
	}
	s.stored = append(s.stored, storedEpoch{epoch: epoch, n: len(msgs)})
}

// finalState seals what arrived since the last checkpoint barrier as the
// final epoch, delivered once a checkpoint holding it committed.
func (s *sinkOp) finalState() ([]StateTable, error) {
	if s.discard {
		return nil, nil
	}
	msgs := s.takeEpoch()
	if len(msgs) > 0 {
		if s.state != nil {
			s.writeState(finalEpoch, msgs)
		}
		s.delivery.sealFinal(msgs)
	}
	if s.state == nil {
		return nil, nil
	}
	return []StateTable{s.state}, nil
}
