package types

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func mustParse(t testing.TB, s string, typ T) Datum {
	t.Helper()
	d, err := ParseText(s, typ)
	if err != nil {
		t.Fatalf("ParseText(%q, %s): %v", s, typ, err)
	}
	return d
}

// TestCompareOrder checks that each list is in strictly ascending order
// under Compare, as PostgreSQL's btree operators order it.
func TestCompareOrder(t *testing.T) {
	cases := []struct {
		typ    T
		values []string
	}{
		{TBool, []string{"f", "t"}},
		{TInt8, []string{"-9223372036854775808", "-1", "0", "1", "9223372036854775807"}},
		{TFloat8, []string{"-Infinity", "-1e300", "-1", "0", "1e-300", "1", "Infinity", "NaN"}},
		{TNumeric, []string{"-Infinity", "-1e30", "-1.5", "0", "0.0001", "1", "1.5", "10", "1e30", "Infinity", "NaN"}},
		{TText, []string{"", "A", "B", "a", "ab", "b", "é"}},
		{TBytea, []string{`\x`, `\x00`, `\x0000`, `\x01`, `\xff`}},
		{TTimestamptz, []string{"-infinity", "4714-11-24 00:00:00+00 BC", "1969-12-31 23:59:59.999999+00", "1970-01-01 00:00:00+00", "2026-01-01 00:00:00+00", "infinity"}},
		{TDate, []string{"-infinity", "0001-01-01 BC", "1969-12-31", "1970-01-01", "5874897-12-31", "infinity"}},
		{TInterval, []string{"-1 year", "-1 day", "-00:00:01", "00:00:00", "00:00:00.000001", "23:59:59", "1 day", "25:00:00", "29 days", "1 mon", "1 mon 00:00:01", "1 year", "178000000 years"}},
		{ArrayOf(Int4), []string{"{}", "{1}", "{1,2}", "{1,NULL}", "{2}", "{NULL}"}},
	}
	for _, c := range cases {
		ds := make([]Datum, len(c.values))
		for i, s := range c.values {
			ds[i] = mustParse(t, s, c.typ)
		}
		for i := range ds {
			for j := range ds {
				want := 0
				if i < j {
					want = -1
				} else if i > j {
					want = 1
				}
				if got := Compare(ds[i], ds[j]); got != want {
					t.Errorf("%s: Compare(%s, %s) = %d, want %d", c.typ, c.values[i], c.values[j], got, want)
				}
			}
		}
	}
}

// TestEqualAndHash checks that values PostgreSQL considers equal compare
// 0, are Equal and hash alike.
func TestEqualAndHash(t *testing.T) {
	cases := []struct {
		typ  T
		a, b string
	}{
		{TNumeric, "1.0", "1.00"},
		{TNumeric, "1", "1.000000000000000000000000000000"},
		{TNumeric, "-0.00", "0"},
		{TNumeric, "100", "100.0"},
		{TNumeric, "123456789012345678901234567890", "123456789012345678901234567890.000"},
		{TNumeric, "NaN", "nan"},
		{TNumeric, "Infinity", "inf"},
		{TFloat8, "0", "-0"},
		{TFloat8, "NaN", "nan"},
		{TInterval, "1 mon", "30 days"},
		{TInterval, "1 day", "24:00:00"},
		{TInterval, "1 year", "360 days"},
		{TInterval, "-1 day", "-24 hours"},
		{ArrayOf(Numeric), "{1.0,NULL}", "{1.00,NULL}"},
	}
	for _, c := range cases {
		a, b := mustParse(t, c.a, c.typ), mustParse(t, c.b, c.typ)
		if Compare(a, b) != 0 || !Equal(a, b) {
			t.Errorf("%s: %s and %s are not equal", c.typ, c.a, c.b)
		}
		for _, seed := range []uint64{0, 1, 0xdeadbeef} {
			if Hash(a, seed) != Hash(b, seed) {
				t.Errorf("%s: Hash(%s) != Hash(%s) with seed %d", c.typ, c.a, c.b, seed)
			}
		}
	}
	if Hash(NewInt(1), 0) == Hash(NewInt(2), 0) || Hash(NewInt(1), 0) == Hash(NewInt(1), 1) {
		t.Error("Hash ignores the value or the seed")
	}
	if !Equal(Null, Null) || Equal(Null, NewInt(0)) {
		t.Error("Equal treats NULL wrongly")
	}
}

// TestCompareHashRandom sorts random values and checks that Compare is a
// total order consistent with Equal and Hash.
func TestCompareHashRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, typ := range []T{TInt8, TFloat8, TNumeric, TText, TBytea, TTimestamp, TDate, TInterval, ArrayOf(Int4)} {
		ds := make([]Datum, 300)
		for i := range ds {
			ds[i] = randomDatum(rng, typ)
			if i%10 == 0 {
				ds[i] = Null
			}
			if i > 0 && i%7 == 0 {
				ds[i] = ds[rng.IntN(i)] // duplicates
			}
		}
		slices.SortFunc(ds, CompareNullsLast)
		for i := 1; i < len(ds); i++ {
			if c := CompareNullsLast(ds[i-1], ds[i]); c > 0 {
				t.Fatalf("%s: not sorted at %d", typ, i)
			}
			if CompareNullsLast(ds[i], ds[i-1]) != -CompareNullsLast(ds[i-1], ds[i]) {
				t.Fatalf("%s: Compare is not antisymmetric for %q, %q", typ, FormatText(ds[i-1], typ), FormatText(ds[i], typ))
			}
			if Equal(ds[i-1], ds[i]) && Hash(ds[i-1], 3) != Hash(ds[i], 3) {
				t.Fatalf("%s: equal values hash differently", typ)
			}
		}
		if ds[len(ds)-1].K != KNull {
			t.Errorf("%s: NULL does not sort last", typ)
		}
	}
}

func TestCompareMixedNumbers(t *testing.T) {
	one := mustParse(t, "1.5", TNumeric)
	cases := []struct {
		a, b Datum
		want int
	}{
		{NewInt(1), one, -1},
		{NewInt(2), one, 1},
		{one, NewFloat(1.5), 0},
		{NewInt(3), NewFloat(2.5), 1},
		{NewFloat(math.NaN()), NewInt(math.MaxInt64), 1},
	}
	for _, c := range cases {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%v, %v) = %d, want %d", c.a.GoString(), c.b.GoString(), got, c.want)
		}
	}
}

func TestHashIsStable(t *testing.T) {
	// Hashes place rows in persisted vnodes: they must never change.
	got := []uint64{
		Hash(NewInt(42), 0),
		Hash(NewString("streamsqld"), 0),
		Hash(Null, 0),
		Hash(NewFloat(1.5), 0),
	}
	want := []uint64{0x5d49fa114f69bd2e, 0xef5a6c30944a48a, 0xc5a1f75d9d19ff9d, 0xb261cf247268b016}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("hash %d = %#x, want %#x", i, got[i], want[i])
		}
	}
}

func TestNoAllocations(t *testing.T) {
	buf := make([]byte, 0, 256)
	iv := NewInterval(IntervalValue{Months: 14, Days: 3, Micros: 3723500000})
	dec := mustParse(t, "12345.678", TNumeric)
	cases := []struct {
		d   Datum
		typ T
	}{
		{NewInt(-1234567890123), TInt8},
		{NewInt(42), TInt4},
		{NewBool(true), TBool},
		{NewFloat(3.141592653589793), TFloat8},
		{NewFloat(1e300), TFloat8},
		{NewFloat(float64(float32(0.1))), TFloat4},
		{NewTime(1767225602630000), TTimestamp},
		{NewTime(1767225602630000), TTimestamptz},
		{NewDate(20454), TDate},
		{iv, TInterval},
		{dec, TNumeric},
		{NewString("hello"), TText},
		{NewBytes([]byte{1, 2, 3}), TBytea},
	}
	for _, c := range cases {
		n := testing.AllocsPerRun(100, func() {
			buf = AppendText(buf[:0], c.d, c.typ)
		})
		if n != 0 {
			t.Errorf("AppendText(%s) allocates %v times", c.typ, n)
		}
		n = testing.AllocsPerRun(100, func() {
			buf, _ = AppendBinary(buf[:0], c.d, c.typ)
		})
		if n != 0 {
			t.Errorf("AppendBinary(%s) allocates %v times", c.typ, n)
		}
		n = testing.AllocsPerRun(100, func() { _ = Hash(c.d, 1) })
		if n != 0 {
			t.Errorf("Hash(%s) allocates %v times", c.typ, n)
		}
	}
}

func BenchmarkAppendTextInt(b *testing.B) {
	buf := make([]byte, 0, 64)
	d := NewInt(1234567890)
	for i := 0; i < b.N; i++ {
		buf = AppendText(buf[:0], d, TInt8)
	}
}

func BenchmarkAppendTextFloat(b *testing.B) {
	buf := make([]byte, 0, 64)
	d := NewFloat(3.141592653589793)
	for i := 0; i < b.N; i++ {
		buf = AppendText(buf[:0], d, TFloat8)
	}
}

func BenchmarkAppendTextTimestamptz(b *testing.B) {
	buf := make([]byte, 0, 64)
	d := NewTime(1767225602630000)
	for i := 0; i < b.N; i++ {
		buf = AppendText(buf[:0], d, TTimestamptz)
	}
}

func BenchmarkParseTextTimestamp(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := ParseText("2026-01-01 12:00:00.123456+02", TTimestamptz); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHashString(b *testing.B) {
	d := NewString("some moderately long key value")
	for i := 0; i < b.N; i++ {
		_ = Hash(d, uint64(i))
	}
}
