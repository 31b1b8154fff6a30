package types

import (
	"math"
	"math/bits"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/cockroachdb/apd/v3"
)

// Compare orders two non-NULL datums of the same type: -1, 0 or 1.
// It follows PostgreSQL's btree operators: NaN sorts above every other
// float and numeric and equals itself; -0 equals 0; intervals compare as
// total microseconds with 30-day months; strings compare bytewise (the C
// collation); arrays compare element by element with NULL elements above
// non-NULL ones, then by length. Datums of different numeric kinds are
// compared by value; other mismatched kinds order by kind.
func Compare(a, b Datum) int {
	if a.K != b.K {
		return compareMixed(a, b)
	}
	switch a.K {
	case KNull:
		return 0
	case KBool, KInt, KTime, KDate:
		return cmpInt(a.I, b.I)
	case KFloat:
		return cmpFloat(a.Float(), b.Float())
	case KDecimal:
		return cmpDecimal(a.Decimal(), b.Decimal())
	case KString, KBytes:
		return strings.Compare(a.S, b.S)
	case KInterval:
		return cmpInterval(a.Interval(), b.Interval())
	case KArray:
		return cmpArray(a.Array(), b.Array())
	}
	return 0
}

// CompareNullsLast is Compare extended to NULLs, which sort after every
// value as in PostgreSQL's default ascending order.
func CompareNullsLast(a, b Datum) int {
	switch {
	case a.K == KNull && b.K == KNull:
		return 0
	case a.K == KNull:
		return 1
	case b.K == KNull:
		return -1
	}
	return Compare(a, b)
}

// Equal reports whether two datums are equal as SQL values of the same
// type (1.0 = 1.00, NaN = NaN, 0 = -0). Two NULLs are Equal, as in
// grouping and DISTINCT.
func Equal(a, b Datum) bool {
	if a.K == b.K {
		switch a.K {
		case KNull:
			return true
		case KBool, KInt, KTime, KDate:
			return a.I == b.I
		case KString, KBytes:
			return a.S == b.S
		}
	}
	return CompareNullsLast(a, b) == 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	// At least one NaN: NaN is above everything and equal to itself.
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	}
	return -1
}

func isDecNaN(d *apd.Decimal) bool { return d.Form == apd.NaN || d.Form == apd.NaNSignaling }

func cmpDecimal(a, b *apd.Decimal) int {
	an, bn := isDecNaN(a), isDecNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return a.Cmp(b)
}

// intervalSpan is PostgreSQL's interval_cmp_value: the interval as 128-bit
// microseconds with 30-day months, so no interval overflows it.
func intervalSpan(v IntervalValue) (hi int64, lo uint64) {
	days := int64(v.Months)*30 + int64(v.Days)
	// days * microsPerDay as a signed 128-bit product.
	neg := days < 0
	ud := uint64(days)
	if neg {
		ud = uint64(-days)
	}
	h, l := bits.Mul64(ud, microsPerDay)
	if neg {
		// two's complement negate
		l = ^l + 1
		h = ^h
		if l == 0 {
			h++
		}
	}
	// add v.Micros sign-extended
	m := uint64(v.Micros)
	mh := uint64(0)
	if v.Micros < 0 {
		mh = math.MaxUint64
	}
	var carry uint64
	l, carry = bits.Add64(l, m, 0)
	h, _ = bits.Add64(h, mh, carry)
	return int64(h), l
}

func cmpInterval(a, b IntervalValue) int {
	if a == b {
		return 0
	}
	ah, al := intervalSpan(a)
	bh, bl := intervalSpan(b)
	switch {
	case ah < bh:
		return -1
	case ah > bh:
		return 1
	case al < bl:
		return -1
	case al > bl:
		return 1
	}
	return 0
}

func cmpArray(a, b []Datum) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if c := CompareNullsLast(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

// compareMixed handles datums of different kinds: numbers compare by value
// (int vs numeric exactly, anything vs float as float), the rest by kind.
func compareMixed(a, b Datum) int {
	if a.K == KNull || b.K == KNull {
		return CompareNullsLast(a, b)
	}
	an, bn := isNumberKind(a.K), isNumberKind(b.K)
	if an && bn {
		if a.K == KFloat || b.K == KFloat {
			return cmpFloat(datumAsFloat(a), datumAsFloat(b))
		}
		var ad, bd apd.Decimal
		return cmpDecimal(datumAsDecimal(a, &ad), datumAsDecimal(b, &bd))
	}
	return cmpInt(int64(a.K), int64(b.K))
}

func isNumberKind(k Kind) bool { return k == KInt || k == KFloat || k == KDecimal }

func datumAsFloat(d Datum) float64 {
	switch d.K {
	case KInt:
		return float64(d.I)
	case KDecimal:
		f, _ := d.Decimal().Float64()
		if isDecNaN(d.Decimal()) {
			return math.NaN()
		}
		return f
	}
	return d.Float()
}

func datumAsDecimal(d Datum, tmp *apd.Decimal) *apd.Decimal {
	if d.K == KDecimal {
		return d.Decimal()
	}
	tmp.SetInt64(d.I)
	return tmp
}

// Hashing. Hash values are stable across processes and releases, because
// they choose vnodes that are persisted in state tables: do not change the
// function without a storage migration.

const (
	hashNull   = 0x6e756c6c // "null"
	hashNaN    = 0x4e614e00
	hashPosInf = 0x2b696e66
	hashNegInf = 0x2d696e66
	prime1     = 0x9E3779B185EBCA87
	prime2     = 0xC2B2AE3D27D4EB4F
)

// mix64 is the murmur3/xxhash finalizer: a cheap bijective avalanche.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func combine(seed, v uint64) uint64 {
	return mix64(seed*prime1 + v*prime2 + 0x165667B19E3779F9)
}

// Hash hashes d so that Equal datums of the same type hash equally (1.0
// and 1.00; 0 and -0; '1 mon' and '30 days'). It does not allocate except
// for NUMERIC coefficients beyond 64 bits. Integers and equal NUMERICs need
// not hash alike.
func Hash(d Datum, seed uint64) uint64 {
	switch d.K {
	case KNull:
		return combine(seed, hashNull)
	case KBool, KInt, KTime, KDate:
		return combine(seed, uint64(d.I))
	case KFloat:
		f := d.Float()
		switch {
		case f == 0:
			f = 0 // -0 hashes as 0
		case math.IsNaN(f):
			return combine(seed, hashNaN)
		}
		return combine(seed, math.Float64bits(f))
	case KDecimal:
		return hashDecimal(d.Decimal(), seed)
	case KString, KBytes:
		return combine(seed, xxhash.Sum64String(d.S))
	case KInterval:
		hi, lo := intervalSpan(d.Interval())
		return combine(combine(seed, lo), uint64(hi))
	case KArray:
		h := combine(seed, uint64(len(d.Array())))
		for _, e := range d.Array() {
			h = Hash(e, h)
		}
		return h
	}
	return combine(seed, uint64(d.K))
}

func hashDecimal(d *apd.Decimal, seed uint64) uint64 {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return combine(seed, hashNaN)
	case apd.Infinite:
		if d.Negative {
			return combine(seed, hashNegInf)
		}
		return combine(seed, hashPosInf)
	}
	if d.Coeff.Sign() == 0 {
		return combine(seed, 0)
	}
	c, e, ok := reducedSmall(d)
	if !ok {
		var r apd.Decimal
		r.Reduce(d)
		if c, e, ok = reducedSmall(&r); !ok {
			var scratch [64]byte
			digits := r.Coeff.Append(scratch[:0], 16)
			c = xxhash.Sum64(digits)
			e = r.Exponent ^ 0x5a5a5a5a
		}
	}
	h := combine(seed, c)
	h = combine(h, uint64(int64(e)))
	if d.Negative {
		h = combine(h, 1)
	}
	return h
}
