package tablelog

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/types"
)

// memLog is a table log held in a slice: a test input with the semantics
// of storage's log (offsets from 0, append wakes waiters), not a mock.
type memLog struct {
	mu   sync.Mutex
	cond *sync.Cond
	rows map[uint32][]types.Row
	// scans counts ScanTableLog calls, to catch busy polling.
	scans int
}

func newMemLog() *memLog {
	l := &memLog{rows: map[uint32][]types.Row{}}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *memLog) append(id uint32, rows ...types.Row) {
	l.mu.Lock()
	l.rows[id] = append(l.rows[id], rows...)
	l.cond.Broadcast()
	l.mu.Unlock()
}

func (l *memLog) ScanTableLog(id uint32, from uint64, fn func(uint64, types.Row) error) (uint64, error) {
	l.mu.Lock()
	l.scans++
	rows := l.rows[id]
	l.mu.Unlock()
	next := from
	buf := make(types.Row, 0, 4)
	for off := from; off < uint64(len(rows)); off++ {
		// Reuse one slice for every row, as storage does.
		buf = append(buf[:0], rows[off]...)
		if err := fn(off, buf); err != nil {
			return off, err
		}
		next = off + 1
	}
	return next, nil
}

func (l *memLog) WaitTableLog(ctx context.Context, id uint32, after uint64) error {
	stop := context.AfterFunc(ctx, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for uint64(len(l.rows[id])) <= after {
		if err := ctx.Err(); err != nil {
			return err
		}
		l.cond.Wait()
	}
	return nil
}

func intRow(v int64) types.Row { return types.Row{types.NewInt(v), types.NewString("x")} }

func openReader(t *testing.T, log connector.TableLog, id uint32, pos []byte) connector.Reader {
	t.Helper()
	ctx := context.Background()
	src, err := connector.New(ctx, Name, &catalog.Relation{ID: id, Name: "t"}, connector.Env{TableLog: log})
	if err != nil {
		t.Fatal(err)
	}
	splits, err := src.Splits(ctx, 8)
	if err != nil || len(splits) != 1 {
		t.Fatalf("splits %v %v", splits, err)
	}
	r, err := src.Open(ctx, splits[0], pos)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// readInts reads until n rows arrived and returns their first column.
func readInts(t *testing.T, r connector.Reader, max, n int) []int64 {
	t.Helper()
	var out []int64
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d rows, want %d", len(out), n)
		}
		got, err := r.Read(context.Background(), max, func(row types.Row) {
			out = append(out, row[0].Int())
		})
		if err != nil {
			t.Fatal(err)
		}
		if got > max {
			t.Fatalf("Read returned %d rows, max %d", got, max)
		}
	}
	return out
}

func checkSeq(t *testing.T, got []int64, from int64) {
	t.Helper()
	for i, v := range got {
		if v != from+int64(i) {
			t.Fatalf("row %d = %d, want %d", i, v, from+int64(i))
		}
	}
}

func testLog(t *testing.T, log connector.TableLog, appendRows func(id uint32, rows ...types.Row)) {
	const id = 7
	for i := 0; i < 25; i++ {
		appendRows(id, intRow(int64(i)))
	}
	appendRows(id+1, intRow(1000)) // another table's log is not read

	r := openReader(t, log, id, nil)
	checkSeq(t, readInts(t, r, 10, 20), 0)
	pos := r.Position()
	checkSeq(t, readInts(t, r, 10, 5), 20)

	// Resume from the checkpointed position.
	r2 := openReader(t, log, id, pos)
	checkSeq(t, readInts(t, r2, 100, 5), 20)

	// Caught up: Read waits for the next append rather than polling.
	done := make(chan []int64)
	go func() {
		var got []int64
		for len(got) == 0 {
			_, err := r2.Read(context.Background(), 100, func(row types.Row) { got = append(got, row[0].Int()) })
			if err != nil {
				t.Error(err)
				break
			}
		}
		done <- got
	}()
	time.Sleep(20 * time.Millisecond)
	appendRows(id, intRow(25), intRow(26))
	select {
	case got := <-done:
		if len(got) == 0 || got[0] != 25 {
			t.Fatalf("after append got %v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not wake up on append")
	}

	// Idle: returns 0 after about 100 ms.
	r3 := openReader(t, log, id+1, EncodePosition(1))
	start := time.Now()
	n, err := r3.Read(context.Background(), 10, func(types.Row) { t.Fatal("unexpected row") })
	if err != nil || n != 0 {
		t.Fatalf("idle Read = %d, %v", n, err)
	}
	if el := time.Since(start); el < 50*time.Millisecond || el > 2*time.Second {
		t.Fatalf("idle Read took %v", el)
	}

	// Cancellation ends a waiting Read with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, err := r3.Read(ctx, 10, func(types.Row) {}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Read: %v", err)
	}
}

func TestMemLog(t *testing.T) {
	l := newMemLog()
	testLog(t, l, l.append)

	// An idle Read scans at most twice: once before waiting, once after.
	r := openReader(t, l, 99, nil)
	l.mu.Lock()
	before := l.scans
	l.mu.Unlock()
	if _, err := r.Read(context.Background(), 10, func(types.Row) {}); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	scans := l.scans - before
	l.mu.Unlock()
	if scans > 2 {
		t.Fatalf("idle Read scanned %d times", scans)
	}
}

func TestBadInputs(t *testing.T) {
	ctx := context.Background()
	if _, err := connector.New(ctx, Name, &catalog.Relation{ID: 1}, connector.Env{}); err == nil {
		t.Fatal("no table log: want error")
	}
	src, err := New(ctx, &catalog.Relation{ID: 1}, connector.Env{TableLog: newMemLog()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Open(ctx, "1", nil); err == nil {
		t.Fatal("bad split: want error")
	}
	if _, err := src.Open(ctx, "0", []byte{1, 2}); err == nil {
		t.Fatal("bad position: want error")
	}
}
