package types

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// randomDatum returns a random non-NULL value of t, biased towards edge
// cases (extremes, zeros, values near unit boundaries).
func randomDatum(rng *rand.Rand, t T) Datum {
	switch t.Fam {
	case Bool:
		return NewBool(rng.IntN(2) == 0)
	case Int2:
		return NewInt(int64(int16(rng.Uint32())))
	case Int4:
		return NewInt(int64(int32(rng.Uint32())))
	case Int8:
		switch rng.IntN(4) {
		case 0:
			return NewInt(int64(rng.Uint64()))
		case 1:
			return NewInt([]int64{math.MinInt64, math.MaxInt64, 0, -1}[rng.IntN(4)])
		}
		return NewInt(rng.Int64N(2000) - 1000)
	case Float4:
		for {
			f := math.Float32frombits(rng.Uint32())
			if rng.IntN(3) == 0 {
				f = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(16)-8)))
			}
			if !math.IsNaN(float64(f)) {
				return NewFloat(float64(f))
			}
		}
	case Float8:
		for {
			f := math.Float64frombits(rng.Uint64())
			if rng.IntN(3) == 0 {
				f = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
			}
			if !math.IsNaN(f) {
				return NewFloat(f)
			}
		}
	case Numeric:
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteByte('-')
		}
		for n := rng.IntN(25); n >= 0; n-- {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		if rng.IntN(3) > 0 {
			b.WriteByte('.')
			for n := rng.IntN(25); n >= 0; n-- {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		d, _, err := apd.NewFromString(b.String())
		if err != nil {
			panic(err)
		}
		if d.Coeff.Sign() == 0 {
			d.Negative = false
		}
		return NewDecimal(d)
	case Timestamp, Timestamptz:
		switch rng.IntN(4) {
		case 0:
			return NewTime(rng.Int64N(1e18) - 2e17)
		case 1:
			return NewTime((rng.Int64N(1.2e12) - 2e11) * 1e6)
		case 2:
			return NewTime(int64(rng.Uint64N(uint64(math.MaxInt64)+uint64(-minTime))) + minTime)
		}
		return NewTime(rng.Int64N(4e15) - 2e15)
	case Date:
		if rng.IntN(2) == 0 {
			return NewDate(rng.Int64N(endDate-minDate) + minDate)
		}
		return NewDate(rng.Int64N(200000) - 100000)
	case Interval:
		v := IntervalValue{Months: int32(rng.Uint32()), Days: int32(rng.Uint32()), Micros: int64(rng.Uint64())}
		switch rng.IntN(4) {
		case 0:
			v.Months = int32(rng.IntN(40) - 20)
		case 1:
			v.Days = int32(rng.IntN(80) - 40)
		case 2:
			v.Micros = rng.Int64N(1e12) - 5e11
		}
		if rng.IntN(3) == 0 {
			v.Months = 0
		}
		if rng.IntN(3) == 0 {
			v.Days = 0
		}
		return NewInterval(v)
	case Bytea:
		b := make([]byte, rng.IntN(20))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return NewBytes(b)
	case Text, Varchar:
		const alphabet = "ab \"\\{},NUL\tx"
		b := make([]byte, rng.IntN(8))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(10) == 0 {
			return NewString("NULL")
		}
		return NewString(string(b))
	case Array:
		n := rng.IntN(5)
		elems := make([]Datum, n)
		for i := range elems {
			if rng.IntN(6) == 0 {
				continue
			}
			elems[i] = randomDatum(rng, t.ElemType())
		}
		return NewArray(elems)
	}
	return NewString(strconv.Itoa(rng.Int()))
}
