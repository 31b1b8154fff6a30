package genutil

import (
	"context"
	"math"
	"testing"
	"time"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

func TestOptions(t *testing.T) {
	o := NewOptions(map[string]string{" Rows.Per.Second ": " 1_000 ", "b": "on", "f": "2.5", "bad": "x"})
	if n, err := o.Int("rows.per.second", 0); err != nil || n != 1000 {
		t.Fatalf("Int = %d, %v", n, err)
	}
	if n, _ := o.Int("absent", 7); n != 7 {
		t.Fatal("default ignored")
	}
	if b, err := o.Bool("b", false); err != nil || !b {
		t.Fatal("Bool")
	}
	if f, err := o.Float("f", 0); err != nil || f != 2.5 {
		t.Fatal("Float")
	}
	for _, err := range []error{
		func() error { _, err := o.Int("bad", 0); return err }(),
		func() error { _, err := o.Bool("bad", false); return err }(),
		func() error { _, err := o.IntRange("rows.per.second", 0, 0, 10); return err }(),
	} {
		if pgerror.Code(err) != pgerror.InvalidParameterValue {
			t.Fatalf("error %v", err)
		}
	}
}

func TestRand(t *testing.T) {
	var a, b Rand
	a.Seed(1, 2)
	b.Seed(1, 2)
	for i := 0; i < 100; i++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("same seed, different stream")
		}
	}
	var hist [10]int
	for i := 0; i < 100000; i++ {
		hist[a.Intn(10)]++
		if v := a.Range(-3, 3); v < -3 || v > 3 {
			t.Fatalf("Range %d", v)
		}
		if f := a.Float64(); f < 0 || f >= 1 {
			t.Fatalf("Float64 %v", f)
		}
	}
	for i, n := range hist {
		if n < 9000 || n > 11000 {
			t.Fatalf("bucket %d: %d of 100000", i, n)
		}
	}
	_ = a.Range(math.MinInt64, math.MaxInt64) // whole range must not panic
	if a.Intn(0) != 0 || a.Int63n(-1) != 0 {
		t.Fatal("empty ranges")
	}
}

func TestCoerce(t *testing.T) {
	vc3 := types.T{Fam: types.Varchar, Mod: 3}
	for _, tc := range []struct {
		got, want types.Datum
	}{
		{FromInt(300, types.TInt8), types.NewInt(300)},
		{FromInt(1<<40+5, types.TInt4), types.NewInt(5)},
		{FromInt(3, types.TFloat8), types.NewFloat(3)},
		{FromInt(12345, vc3), types.NewString("123")},
		{FromInt(2, types.TTimestamp), types.NewTime(2000)},
		{FromInt(1, types.TInterval), types.Null},
		{FromFloat(2.6, types.TInt2), types.NewInt(3)},
		{FromTime(-1, types.TDate), types.NewDate(-1)},
		{FromTime(86_400_000_123, types.TInt8), types.NewInt(86_400_000)},
		{FromTime(0, types.TText), types.NewString("1970-01-01 00:00:00")},
		{FromString("abcd", vc3), types.NewString("abc")},
		{FromString("x", types.TInt4), types.Null},
	} {
		if tc.got != tc.want {
			t.Errorf("got %#v, want %#v", tc.got, tc.want)
		}
	}
	d := FromFloat(1.23456, types.T{Fam: types.Numeric, Mod: types.NumericMod(8, 2)})
	if d.Decimal().String() != "1.23" {
		t.Fatalf("numeric %s", d.Decimal().String())
	}
}

func TestPosition(t *testing.T) {
	next, base, has, err := DecodePos(EncodePos(42, -7))
	if err != nil || next != 42 || base != -7 || !has {
		t.Fatalf("%d %d %v %v", next, base, has, err)
	}
	if next, _, has, _ := DecodePos([]byte{0, 0, 0, 0, 0, 0, 1, 0}); next != 256 || has {
		t.Fatal("8-byte position")
	}
	if _, _, _, err := DecodePos([]byte{1}); err == nil {
		t.Fatal("bad position accepted")
	}
}

func TestPacer(t *testing.T) {
	now := time.Unix(0, 0)
	p := NewPacer(100)
	p.start, p.now = now, func() time.Time { return now }
	if n, wait := p.Budget(50); n != 0 || wait != 10*time.Millisecond {
		t.Fatalf("at start: %d, %v", n, wait)
	}
	now = now.Add(105 * time.Millisecond)
	if n, _ := p.Budget(50); n != 10 {
		t.Fatalf("after 105ms: %d", n)
	}
	p.Took(10)
	if n, _ := p.Budget(50); n != 0 {
		t.Fatal("budget not consumed")
	}
	// A long stall allows one second of backlog, not the whole stall.
	now = now.Add(time.Hour)
	if n, _ := p.Budget(1 << 20); n > 101 {
		t.Fatalf("burst of %d after a stall", n)
	}
	if n, _ := NewPacer(0).Budget(9); n != 9 {
		t.Fatal("unlimited pacer")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if Sleep(ctx, time.Hour) {
		t.Fatal("Sleep ignored ctx")
	}
}

func TestTextPool(t *testing.T) {
	p := NewLetterPool(1, 1000, 50, 5, ' ')
	var r Rand
	spaces := 0
	for i := 0; i < 1000; i++ {
		s := p.Get(&r, 20)
		if len(s) != 20 {
			t.Fatalf("len %d", len(s))
		}
		for j := 0; j < len(s); j++ {
			if s[j] == ' ' {
				spaces++
			} else if s[j] < 'a' || s[j] > 'z' {
				t.Fatalf("byte %q", s[j])
			}
		}
	}
	if spaces == 0 || len(p.Get(&r, 500)) != 50 {
		t.Fatal("pool shape")
	}
}
