package storage

import (
	"bytes"
	"cmp"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/types"
)

func dec(s string) types.Datum {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		panic(err)
	}
	return types.NewDecimal(d)
}

func iv(m, d int32, us int64) types.Datum {
	return types.NewInterval(types.IntervalValue{Months: m, Days: d, Micros: us})
}

// sampleDatums covers every kind, including edge values.
func sampleDatums() []types.Datum {
	return []types.Datum{
		types.Null,
		types.NewBool(true), types.NewBool(false),
		types.NewInt(0), types.NewInt(-1), types.NewInt(math.MaxInt64), types.NewInt(math.MinInt64),
		types.NewFloat(1.5), types.NewFloat(math.Inf(-1)), types.NewFloat(math.NaN()), types.NewFloat(-0.0),
		dec("0"), dec("1.50"), dec("-123456789012345678901234567890.000123"), dec("1E+100"), dec("-1E-100"),
		dec("NaN"), dec("Infinity"), dec("-Infinity"),
		types.NewString(""), types.NewString("héllo\x00world"), types.NewString(strings.Repeat("x", 300)),
		types.NewBytes([]byte{0, 1, 0xff, 0}),
		types.NewTime(1_700_000_000_000_000), types.NewTime(-1), types.NewDate(19000), types.NewDate(-5),
		iv(1, 2, 3), iv(-14, 0, -1), iv(math.MaxInt32, math.MaxInt32, math.MaxInt64),
		types.NewArray([]types.Datum{types.NewInt(1), types.Null, types.NewString("a")}),
		types.NewArray([]types.Datum{}),
		types.NewArray([]types.Datum{types.NewArray([]types.Datum{dec("2.5")})}),
	}
}

// sameDatum reports whether a and b are the same value with the same
// representation (decimals compared by value and exponent).
func sameDatum(a, b types.Datum) bool {
	if a.K != b.K {
		return false
	}
	switch a.K {
	case types.KNull:
		return true
	case types.KFloat:
		fa, fb := a.Float(), b.Float()
		return math.Float64bits(fa) == math.Float64bits(fb) || (math.IsNaN(fa) && math.IsNaN(fb))
	case types.KDecimal:
		da, db := a.Decimal(), b.Decimal()
		return da.Form == db.Form && da.Negative == db.Negative && da.Exponent == db.Exponent && da.Coeff.Cmp(&db.Coeff) == 0
	case types.KInterval:
		return a.Interval() == b.Interval()
	case types.KArray:
		return slices.EqualFunc(a.Array(), b.Array(), sameDatum)
	}
	return a.I == b.I && a.S == b.S
}

func TestRowRoundTrip(t *testing.T) {
	row := sampleDatums()
	buf := AppendRow(nil, row)
	got, err := DecodeRow(buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(row) {
		t.Fatalf("got %d datums, want %d", len(got), len(row))
	}
	for i := range row {
		if !sameDatum(row[i], got[i]) {
			t.Errorf("datum %d: got %#v, want %#v", i, got[i], row[i])
		}
	}
	// Decoding reuses dst and does not alias the input.
	dst := make(types.Row, 0, 64)
	got2, err := DecodeRow(buf, dst)
	if err != nil {
		t.Fatal(err)
	}
	if &got2[0] != &dst[:1][0] {
		t.Error("DecodeRow did not reuse dst")
	}
	for i := range buf {
		buf[i] = 0xAA
	}
	if got2[19].S != "" || got2[20].S != "héllo\x00world" {
		t.Errorf("decoded strings alias the input: %q", got2[20].S)
	}
	if _, err := DecodeRow(AppendRow(nil, nil), nil); err != nil {
		t.Errorf("empty row: %v", err)
	}
}

func TestDecodeRowCorrupt(t *testing.T) {
	good := AppendRow(nil, sampleDatums())
	for i := 0; i < len(good); i++ {
		if _, err := DecodeRow(good[:i], nil); err == nil {
			t.Fatalf("truncated row of %d bytes decoded without error", i)
		}
	}
}

func FuzzDecodeRow(f *testing.F) {
	f.Add(AppendRow(nil, sampleDatums()))
	f.Add([]byte{3, 0, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		row, err := DecodeRow(b, nil)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to a decodable, equal row.
		row2, err := DecodeRow(AppendRow(nil, row), nil)
		if err != nil || !slices.EqualFunc(row, row2, sameDatum) {
			t.Fatalf("re-encoding changed %v into %v (%v)", row, row2, err)
		}
	})
}

// refCompare is SQL order for two datums of one kind, NULLs last. It is
// written independently of the encoding.
func refCompare(a, b types.Datum) int {
	if a.K == types.KNull || b.K == types.KNull {
		return cmp.Compare(boolInt(a.K == types.KNull), boolInt(b.K == types.KNull))
	}
	switch a.K {
	case types.KBool, types.KInt, types.KTime, types.KDate:
		return cmp.Compare(a.I, b.I)
	case types.KFloat:
		fa, fb := a.Float(), b.Float()
		if math.IsNaN(fa) || math.IsNaN(fb) {
			return cmp.Compare(boolInt(math.IsNaN(fa)), boolInt(math.IsNaN(fb)))
		}
		return cmp.Compare(fa, fb)
	case types.KDecimal:
		da, db := a.Decimal(), b.Decimal()
		na, nb := da.Form == apd.NaN, db.Form == apd.NaN
		if na || nb {
			return cmp.Compare(boolInt(na), boolInt(nb))
		}
		return da.Cmp(db)
	case types.KString, types.KBytes:
		return strings.Compare(a.S, b.S)
	case types.KInterval:
		return intervalBig(a.Interval()).Cmp(intervalBig(b.Interval()))
	case types.KArray:
		return slices.CompareFunc(a.Array(), b.Array(), refCompare)
	}
	panic("kind")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func intervalBig(v types.IntervalValue) *big.Int {
	t := big.NewInt(int64(v.Months))
	t.Mul(t, big.NewInt(30))
	t.Add(t, big.NewInt(int64(v.Days)))
	t.Mul(t, big.NewInt(86400_000_000))
	return t.Add(t, big.NewInt(v.Micros))
}

func randDatum(r *rand.Rand, k types.Kind, depth int) types.Datum {
	if r.IntN(12) == 0 {
		return types.Null
	}
	switch k {
	case types.KBool:
		return types.NewBool(r.IntN(2) == 1)
	case types.KInt:
		switch r.IntN(4) {
		case 0:
			return types.NewInt(int64(r.Uint64()))
		case 1:
			return types.NewInt([]int64{0, -1, 1, math.MinInt64, math.MaxInt64}[r.IntN(5)])
		}
		return types.NewInt(r.Int64N(200) - 100)
	case types.KTime:
		return types.NewTime(r.Int64N(1 << 52))
	case types.KDate:
		return types.NewDate(r.Int64N(100000) - 50000)
	case types.KFloat:
		switch r.IntN(6) {
		case 0:
			return types.NewFloat([]float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.SmallestNonzeroFloat64, -math.MaxFloat64}[r.IntN(7)])
		case 1:
			return types.NewFloat(math.Float64frombits(r.Uint64()))
		}
		return types.NewFloat(r.NormFloat64() * 1000)
	case types.KDecimal:
		switch r.IntN(8) {
		case 0:
			return dec([]string{"NaN", "Infinity", "-Infinity", "0", "-0", "0.000"}[r.IntN(6)])
		}
		d := new(apd.Decimal)
		digits := r.IntN(40) + 1
		var sb strings.Builder
		for i := 0; i < digits; i++ {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
		d.Coeff.SetString(sb.String(), 10)
		d.Exponent = int32(r.IntN(60) - 30)
		d.Negative = r.IntN(2) == 0
		return types.NewDecimal(d)
	case types.KString, types.KBytes:
		n := r.IntN(6)
		b := make([]byte, n)
		for i := range b {
			b[i] = []byte{0, 1, 0xff, 'a', 'b'}[r.IntN(5)]
		}
		return types.Datum{K: k, S: string(b)}
	case types.KInterval:
		return iv(int32(r.IntN(40)-20), int32(r.IntN(80)-40), r.Int64N(4*86400e6)-2*86400e6)
	case types.KArray:
		if depth > 1 {
			return types.NewArray([]types.Datum{})
		}
		n := r.IntN(4)
		elems := make([]types.Datum, n)
		for i := range elems {
			elems[i] = randDatum(r, types.KInt, depth+1)
		}
		return types.NewArray(elems)
	}
	panic("kind")
}

var keyKinds = []types.Kind{types.KBool, types.KInt, types.KFloat, types.KDecimal, types.KString,
	types.KTime, types.KDate, types.KInterval, types.KArray, types.KBytes}

func TestKeyOrderProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range keyKinds {
		for i := 0; i < 3000; i++ {
			a, b := randDatum(r, k, 0), randDatum(r, k, 0)
			checkKeyPair(t, a, b)
		}
	}
}

func checkKeyPair(t *testing.T, a, b types.Datum) {
	t.Helper()
	want := refCompare(a, b)
	for _, desc := range []bool{false, true} {
		ka, kb := AppendKey(nil, a, desc), AppendKey(nil, b, desc)
		got := bytes.Compare(ka, kb)
		w := want
		if desc {
			w = -want
		}
		if got != w {
			t.Fatalf("desc=%v: compare(%#v, %#v) = %d by key, %d by SQL\n%x\n%x", desc, a, b, got, w, ka, kb)
		}
		// Round trip, also when followed by another column.
		for _, kx := range [][]byte{ka, append(slices.Clone(ka), 0x07, 0x00)} {
			d, rest, err := DecodeKey(kx, desc)
			if err != nil {
				t.Fatalf("DecodeKey(%x, %v) of %#v: %v", kx, desc, a, err)
			}
			if len(rest) != len(kx)-len(ka) {
				t.Fatalf("DecodeKey of %#v left %d bytes, want %d", a, len(rest), len(kx)-len(ka))
			}
			if refCompare(d, a) != 0 || d.K != a.K {
				t.Fatalf("DecodeKey(%x) = %#v, want %#v", kx, d, a)
			}
		}
	}
}

func TestKeyEdgeCases(t *testing.T) {
	// Equal SQL values share one key.
	eq := [][2]types.Datum{
		{dec("1.50"), dec("1.5")},
		{dec("0"), dec("-0.00")},
		{dec("100"), dec("1E+2")},
		{types.NewFloat(0), types.NewFloat(math.Copysign(0, -1))},
		{iv(1, 0, 0), iv(0, 30, 0)},
		{iv(0, 1, 0), iv(0, 0, 86400e6)},
	}
	for _, p := range eq {
		if !bytes.Equal(AppendKey(nil, p[0], false), AppendKey(nil, p[1], false)) {
			t.Errorf("%#v and %#v encode differently", p[0], p[1])
		}
	}
	// Ascending: NULLs last, NaN above +Inf.
	ordered := []types.Datum{types.NewFloat(math.Inf(-1)), types.NewFloat(-1), types.NewFloat(0),
		types.NewFloat(math.Inf(1)), types.NewFloat(math.NaN()), types.Null}
	for i := 1; i < len(ordered); i++ {
		checkKeyPair(t, ordered[i-1], ordered[i])
		if bytes.Compare(AppendKey(nil, ordered[i-1], false), AppendKey(nil, ordered[i], false)) >= 0 {
			t.Errorf("%#v should sort before %#v", ordered[i-1], ordered[i])
		}
	}
	decs := []string{"-Infinity", "-1E+10", "-12.5", "-12.4999", "-1", "-0.001", "0", "1E-7", "0.5", "0.55", "1", "9.99", "10", "1E+40", "Infinity", "NaN"}
	for i := 1; i < len(decs); i++ {
		checkKeyPair(t, dec(decs[i-1]), dec(decs[i]))
	}
	// Strings with embedded zero bytes and prefixes.
	strs := []string{"", "\x00", "\x00\x00", "\x00\x01", "a", "a\x00", "a\x00b", "ab", "b"}
	for i := 1; i < len(strs); i++ {
		checkKeyPair(t, types.NewString(strs[i-1]), types.NewString(strs[i]))
	}
	// A composite key orders by its first column, then its second.
	k1 := AppendKey(AppendKey(nil, types.NewString("a"), false), types.NewInt(9), true)
	k2 := AppendKey(AppendKey(nil, types.NewString("a"), false), types.NewInt(3), true)
	k3 := AppendKey(AppendKey(nil, types.NewString("ab"), false), types.NewInt(100), true)
	if !(bytes.Compare(k1, k2) < 0 && bytes.Compare(k2, k3) < 0) {
		t.Error("composite keys out of order")
	}
	if _, _, err := DecodeKey([]byte{0x07, 'a'}, false); err == nil {
		t.Error("unterminated string decoded")
	}
}

func FuzzKeyOrder(f *testing.F) {
	f.Add(uint8(1), uint64(1), uint64(2))
	f.Add(uint8(3), uint64(7), uint64(7))
	f.Fuzz(func(t *testing.T, kind uint8, s1, s2 uint64) {
		k := keyKinds[int(kind)%len(keyKinds)]
		a := randDatum(rand.New(rand.NewPCG(s1, 0)), k, 0)
		b := randDatum(rand.New(rand.NewPCG(s2, 0)), k, 0)
		checkKeyPair(t, a, b)
	})
}

func FuzzDecodeKey(f *testing.F) {
	for _, d := range sampleDatums() {
		f.Add(AppendKey(nil, d, false), false)
		f.Add(AppendKey(nil, d, true), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, desc bool) {
		d, rest, err := DecodeKey(b, desc)
		if err != nil {
			return
		}
		if len(rest) > len(b) {
			t.Fatal("rest longer than input")
		}
		// A decoded key re-encodes to a key that decodes to the same value.
		d2, _, err := DecodeKey(AppendKey(nil, d, desc), desc)
		if err != nil || d2.K != d.K || refCompare(d, d2) != 0 {
			t.Fatalf("re-encoding %#v gave %#v (%v)", d, d2, err)
		}
	})
}

func BenchmarkAppendRow(b *testing.B) {
	row := types.Row{types.NewInt(42), types.NewString("some string"), types.NewTime(1e15), types.NewFloat(3.5)}
	buf := make([]byte, 0, 128)
	dst := make(types.Row, 0, 8)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendRow(buf[:0], row)
		var err error
		if dst, err = DecodeRow(buf, dst); err != nil {
			b.Fatal(err)
		}
	}
}
