package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"streamsqld/sql/types"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testOptions() Options {
	return Options{
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		MemTableSize: 8 << 20,
		GCInterval:   -1,
	}
}

func openTest(t *testing.T, dir string, opts Options) *DB {
	t.Helper()
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestMetaPersists(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir, testOptions())
	err := db.MetaUpdate(func(b *MetaBatch) error {
		b.Put([]byte("a/1"), []byte("one"))
		b.Put([]byte("a/2"), []byte("two"))
		b.Put([]byte("b"), []byte("bee"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MetaUpdate(func(b *MetaBatch) error { b.Delete([]byte("a/1")); return nil }); err != nil {
		t.Fatal(err)
	}
	// A failing update writes nothing.
	boom := errors.New("boom")
	if err := db.MetaUpdate(func(b *MetaBatch) error { b.Put([]byte("a/3"), nil); return boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir, testOptions())
	var got []string
	err = db.MetaScan([]byte("a/"), func(k, v []byte) error {
		got = append(got, string(k)+"="+string(v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[a/2=two]" {
		t.Errorf("scan a/ = %v", got)
	}
	v, ok, err := db.MetaGet([]byte("b"))
	if err != nil || !ok || string(v) != "bee" {
		t.Errorf("MetaGet(b) = %q %v %v", v, ok, err)
	}
	// Versions keep increasing across the restart, so a later write wins.
	if err := db.MetaUpdate(func(b *MetaBatch) error { b.Put([]byte("b"), []byte("B")); return nil }); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := db.MetaGet([]byte("b")); string(v) != "B" {
		t.Errorf("after overwrite MetaGet(b) = %q", v)
	}
}

func row(i int) types.Row {
	return types.Row{types.NewInt(int64(i)), types.NewString(fmt.Sprintf("row %d", i))}
}

func TestTableLogAppendScanReopen(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t, dir, testOptions())
	first, next, err := db.AppendTableRows(7, []types.Row{row(0), row(1), row(2)})
	if err != nil || first != 0 || next != 3 {
		t.Fatalf("append = %d %d %v", first, next, err)
	}
	if first, next, _ = db.AppendTableRows(7, []types.Row{row(3)}); first != 3 || next != 4 {
		t.Fatalf("second append = %d %d", first, next)
	}
	if _, _, err := db.AppendTableRows(8, []types.Row{row(100)}); err != nil {
		t.Fatal(err)
	}
	check := func(db *DB, from uint64, want []int) {
		t.Helper()
		var got []int
		n, err := db.ScanTableLog(7, from, func(off uint64, r types.Row) error {
			if int(r[0].Int()) != int(off) || r[1].Str() != fmt.Sprintf("row %d", off) {
				t.Errorf("offset %d holds %v", off, r)
			}
			got = append(got, int(off))
			return nil
		})
		if err != nil || n != 4 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("scan from %d = %v next %d err %v, want %v", from, got, n, err, want)
		}
	}
	check(db, 0, []int{0, 1, 2, 3})
	check(db, 2, []int{2, 3})
	check(db, 4, nil)

	// ErrStop ends the scan after the current row.
	n, err := db.ScanTableLog(7, 0, func(off uint64, _ types.Row) error {
		if off == 1 {
			return ErrStop
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("stopped scan = %d %v", n, err)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir, testOptions())
	if end, _ := db.TableLogEnd(7); end != 4 {
		t.Fatalf("end after reopen = %d", end)
	}
	check(db, 1, []int{1, 2, 3})
	if first, _, _ := db.AppendTableRows(7, []types.Row{row(4)}); first != 4 {
		t.Fatalf("append after reopen at %d", first)
	}

	if err := db.DropTableLog(7); err != nil {
		t.Fatal(err)
	}
	if end, _ := db.TableLogEnd(7); end != 0 {
		t.Fatalf("end after drop = %d", end)
	}
	if end, _ := db.TableLogEnd(8); end != 1 {
		t.Fatalf("other table's end after drop = %d", end)
	}
}

func TestTableLogLargeAppend(t *testing.T) {
	db := openTest(t, t.TempDir(), testOptions())
	// Larger than one Badger transaction at an 8 MiB memtable.
	big := types.NewString(string(make([]byte, 4096)))
	rows := make([]types.Row, 2000)
	for i := range rows {
		rows[i] = types.Row{types.NewInt(int64(i)), big}
	}
	if _, next, err := db.AppendTableRows(1, rows); err != nil || next != 2000 {
		t.Fatalf("append = %d %v", next, err)
	}
	count := 0
	if _, err := db.ScanTableLog(1, 0, func(uint64, types.Row) error { count++; return nil }); err != nil {
		t.Fatal(err)
	}
	if count != 2000 {
		t.Fatalf("scanned %d rows", count)
	}
}

func TestTableLogConcurrentAppendsAndFollower(t *testing.T) {
	db := openTest(t, t.TempDir(), testOptions())
	const writers, perWriter = 8, 25
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A follower in the style of a view's table source: scan to the end,
	// then wait for the next append.
	followed := make(chan []int64, 1)
	go func() {
		var seen []int64
		var off uint64
		for len(seen) < writers*perWriter {
			next, err := db.ScanTableLog(3, off, func(o uint64, r types.Row) error {
				seen = append(seen, r[0].Int())
				return nil
			})
			if err != nil {
				t.Error(err)
				break
			}
			off = next
			if len(seen) < writers*perWriter {
				// Blocks until an append publishes a row at offset off.
				if err := db.WaitTableLog(ctx, 3, off); err != nil {
					t.Error(err)
					break
				}
			}
		}
		followed <- seen
	}()

	var wg sync.WaitGroup
	ranges := make(chan [2]uint64, writers*perWriter)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				v := int64(w*1000 + i)
				first, next, err := db.AppendTableRows(3, []types.Row{{types.NewInt(v)}})
				if err != nil {
					t.Error(err)
					return
				}
				ranges <- [2]uint64{first, next}
			}
		}()
	}
	wg.Wait()
	close(ranges)
	taken := make(map[uint64]bool)
	for r := range ranges {
		if r[1] != r[0]+1 || taken[r[0]] {
			t.Fatalf("bad or duplicate range %v", r)
		}
		taken[r[0]] = true
	}
	for i := uint64(0); i < writers*perWriter; i++ {
		if !taken[i] {
			t.Fatalf("offset %d not taken", i)
		}
	}
	seen := <-followed
	if len(seen) != writers*perWriter {
		t.Fatalf("follower saw %d rows", len(seen))
	}
}

func TestWaitTableLog(t *testing.T) {
	db := openTest(t, t.TempDir(), testOptions())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.WaitTableLog(ctx, 1, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait on empty log with canceled ctx = %v", err)
	}
	end, changed, err := db.TableLogNotify(1)
	if err != nil || end != 0 {
		t.Fatal(end, err)
	}
	select {
	case <-changed:
		t.Fatal("changed closed before any append")
	default:
	}
	if _, _, err := db.AppendTableRows(1, []types.Row{row(0)}); err != nil {
		t.Fatal(err)
	}
	<-changed // closed by the append: would hang the test otherwise
	if err := db.WaitTableLog(context.Background(), 1, 0); err != nil {
		t.Fatal(err)
	}
	// Close wakes waiters.
	done := make(chan error)
	go func() { done <- db.WaitTableLog(context.Background(), 1, 1) }()
	// Whether the waiter blocks before Close or starts after it, it must
	// return ErrClosed.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("waiter after Close = %v", err)
	}
}
