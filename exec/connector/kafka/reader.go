package kafka

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"streamsqld/exec/connector"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Reconnection backoff bounds.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

const stateConnected = "connected"

// errReaderClosed ends a connection attempt abandoned by Close.
var errReaderClosed = errors.New("kafka reader closed")

// Reader reads one partition.
//
// Lifecycle: the reader is either consuming (pc != nil) or has exactly one
// connection attempt in flight on its own goroutine, which first closes
// the consumer it replaces (sarama refuses to consume a partition twice),
// waits out the backoff and then calls ConsumePartition at the reader's
// position; Read picks up the result without blocking. Close stops the
// attempt and waits for it.
type Reader struct {
	src       *Source
	topic     string
	partition int32
	dec       *Decoder
	row       types.Row

	// next is the offset of the next record to read: the position. -1
	// until the startup mode has been resolved by a first connection.
	next int64
	pc   sarama.PartitionConsumer
	// failErr is the sticky error of format.errors = 'fail'.
	failErr error

	attempt chan attemptResult // buffered (1): an abandoned attempt must not block
	stop    chan struct{}
	wg      sync.WaitGroup
	backoff backoff

	state     atomic.Pointer[string]
	closeOnce sync.Once
}

type attemptResult struct {
	pc   sarama.PartitionConsumer
	next int64
	err  error
}

var (
	_ connector.Reader        = (*Reader)(nil)
	_ connector.StateReporter = (*Reader)(nil)
)

func newReader(s *Source, partition int32, next int64) *Reader {
	r := &Reader{
		src:       s,
		topic:     s.cfg.topic,
		partition: partition,
		dec:       NewDecoder(s.cols),
		row:       make(types.Row, len(s.cols)),
		next:      next,
		attempt:   make(chan attemptResult, 1),
		stop:      make(chan struct{}),
	}
	r.setState("connecting")
	return r
}

// start connects synchronously once, so that a reader opened without a
// position has resolved its startup offset (and a 'latest' reader sees
// every record produced after Open) whenever the brokers are up. On
// failure the reader retries in the background.
func (r *Reader) start() {
	pc, next, err := r.connect(r.next)
	if err != nil {
		slog.Warn("kafka: cannot start reading a partition, retrying", "source", r.src.name,
			"topic", r.topic, "partition", r.partition, "error", err)
		r.disconnected(nil, err)
		return
	}
	r.connected(pc, next)
}

// connect starts consuming at next (-1: the startup offset).
func (r *Reader) connect(next int64) (sarama.PartitionConsumer, int64, error) {
	s := r.src
	if next < 0 {
		var err error
		if next, err = s.startOffset(r.partition); err != nil {
			return nil, 0, err
		}
	}
	pc, err := s.consumer.ConsumePartition(r.topic, r.partition, next)
	if errors.Is(err, sarama.ErrOffsetOutOfRange) {
		// The position fell out of retention (or the topic was
		// recreated): resume at the nearest offset that exists. The gap
		// is lost and said so.
		oldest, err1 := s.client.GetOffset(r.topic, r.partition, sarama.OffsetOldest)
		newest, err2 := s.client.GetOffset(r.topic, r.partition, sarama.OffsetNewest)
		if err = errors.Join(err1, err2); err != nil {
			return nil, 0, err
		}
		clamped := min(max(next, oldest), newest)
		slog.Warn("kafka: position out of range, resuming at the nearest available offset",
			"source", s.name, "topic", r.topic, "partition", r.partition,
			"position", next, "resume", clamped, "oldest", oldest, "newest", newest)
		next = clamped
		pc, err = s.consumer.ConsumePartition(r.topic, r.partition, next)
	}
	if err != nil {
		return nil, 0, err
	}
	return pc, next, nil
}

func (r *Reader) connected(pc sarama.PartitionConsumer, next int64) {
	r.pc = pc
	// next differs from r.next only when the startup mode was resolved or
	// the position was out of range.
	r.next = next
	if prev := r.State(); prev != stateConnected && prev != "connecting" {
		slog.Info("kafka: reader reconnected", "source", r.src.name, "topic", r.topic,
			"partition", r.partition, "offset", r.next)
	}
	r.backoff.reset()
	r.setState(stateConnected)
}

// disconnected records cause and starts the next connection attempt,
// closing old (the consumer that failed) first.
func (r *Reader) disconnected(old sarama.PartitionConsumer, cause error) {
	r.pc = nil
	if r.State() == stateConnected {
		slog.Warn("kafka: reader lost its broker, reconnecting", "source", r.src.name,
			"topic", r.topic, "partition", r.partition, "offset", r.next, "error", cause)
	}
	r.setState("retrying: " + cause.Error())
	delay := r.backoff.next()
	next := r.next
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if old != nil {
			_ = old.Close()
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
			r.attempt <- attemptResult{err: errReaderClosed}
			return
		}
		pc, n, err := r.connect(next)
		r.attempt <- attemptResult{pc: pc, next: n, err: err}
	}()
}

// Read emits up to max of the records sarama has fetched, and returns 0
// at once when it has none: it never waits for records. Skipped records
// count towards max. With format.errors = 'fail' a malformed record ends
// the Read with an error after the rows before it (n > 0 is possible),
// and every later Read fails the same way.
//
// Not waiting matters because a source subtask reads its splits one after
// another on one goroutine (the runtime pauses briefly when a whole round
// over them read nothing), and sarama fetches every partition of a broker
// in one request, the next only once each partition consumer has taken
// its share of the last: a Read waiting for its partition would hold up
// the subtask's other partitions, for up to the wait on every round when
// the partition is idle, and until the wait ends when its next records
// are stuck behind theirs.
func (r *Reader) Read(ctx context.Context, max int, emit func(types.Row)) (int, error) {
	if r.failErr != nil {
		return 0, r.failErr
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if max <= 0 {
		return 0, nil
	}
	if r.pc == nil {
		select {
		case res := <-r.attempt:
			if res.err != nil {
				r.disconnected(nil, res.err)
				return 0, nil
			}
			r.connected(res.pc, res.next)
		default:
			return 0, nil
		}
	}
	msgs, errs := r.pc.Messages(), r.pc.Errors()
	n := 0
	for done := 0; done < max; done++ {
		var msg *sarama.ConsumerMessage
		var ok bool
		select {
		case msg, ok = <-msgs:
		case cerr := <-errs:
			r.disconnected(r.pc, cerr.Err)
			return n, nil
		default:
			return n, nil
		}
		if !ok {
			// sarama gave up on the partition (its error went to errs).
			r.disconnected(r.pc, errors.New("partition consumer stopped"))
			return n, nil
		}
		if msg.Offset < r.next {
			continue
		}
		if err := r.dec.Decode(msg.Value, r.row); err != nil {
			if r.src.cfg.failOnError {
				r.failErr = pgerror.Newf(pgerror.InvalidTextRepresentation,
					"kafka source %q: malformed record at topic %q partition %d offset %d: %v",
					r.src.name, r.topic, r.partition, msg.Offset, err).
					WithHint("Set format.errors = 'skip' to skip malformed records.")
				return n, r.failErr
			}
			r.src.skip(r.partition, msg.Offset, err)
			r.next = msg.Offset + 1
			continue
		}
		r.next = msg.Offset + 1
		emit(r.row)
		n++
	}
	return n, nil
}

// Position is the offset of the next record, or nil before the startup
// offset could be resolved (Open then applies the startup mode again).
func (r *Reader) Position() []byte {
	if r.next < 0 {
		return nil
	}
	return binary.BigEndian.AppendUint64(nil, uint64(r.next))
}

// State is "connected", "connecting" or "retrying: <error>".
func (r *Reader) State() string { return *r.state.Load() }

func (r *Reader) setState(s string) { r.state.Store(&s) }

// Close stops consuming and waits for the reader's goroutines. It may be
// called more than once (the source closes readers left open).
func (r *Reader) Close() error {
	r.closeOnce.Do(func() {
		close(r.stop)
		r.wg.Wait()
		select {
		case res := <-r.attempt:
			if res.pc != nil {
				_ = res.pc.Close()
			}
		default:
		}
		if r.pc != nil {
			_ = r.pc.Close()
			r.pc = nil
		}
		r.src.forget(r)
	})
	return nil
}

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// backoff is exponential with jitter, so that the partitions of a broker
// that went away do not all reconnect in lockstep.
type backoff struct{ cur time.Duration }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = minBackoff
	} else {
		b.cur = min(2*b.cur, maxBackoff)
	}
	// ±20%.
	return b.cur - b.cur/5 + rand.N(2*b.cur/5+1)
}

func (b *backoff) reset() { b.cur = 0 }
