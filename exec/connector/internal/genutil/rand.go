package genutil

import "math/bits"

// Rand is wyrand: one add and one 128-bit multiply per draw, which matters
// at millions of rows per second. It is not safe for concurrent use and is
// meant to be re-seeded per row (Seed), not shared across rows.
type Rand struct{ s uint64 }

// Mix derives a well-spread 64-bit seed from a stream seed and a row index
// (SplitMix64 finalizer), so neighbouring indexes give unrelated rows.
func Mix(seed, index uint64) uint64 {
	z := seed*0x9e3779b97f4a7c15 ^ index
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Seed resets r to the stream of (seed, index).
func (r *Rand) Seed(seed, index uint64) { r.s = Mix(seed, index) }

// Uint64 returns a uniformly distributed 64-bit value.
func (r *Rand) Uint64() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// Intn returns a value in [0, n); n <= 0 yields 0. Lemire's multiply-shift
// has a bias below 2^-32 for the bounds used here, which is irrelevant for
// synthetic data and avoids a division.
func (r *Rand) Intn(n int) int {
	if n <= 0 {
		return 0
	}
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

// Int63n returns a value in [0, n); n <= 0 yields 0.
func (r *Rand) Int63n(n int64) int64 {
	if n <= 0 {
		return 0
	}
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int64(hi)
}

// Range returns a value in [lo, hi] (inclusive), whole int64 range allowed.
func (r *Rand) Range(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	span := uint64(hi) - uint64(lo) + 1
	if span == 0 { // the whole int64 range
		return int64(r.Uint64())
	}
	h, _ := bits.Mul64(r.Uint64(), span)
	return int64(uint64(lo) + h)
}

// Float64 returns a value in [0, 1).
func (r *Rand) Float64() float64 {
	return float64(r.Uint64()>>11) * (1.0 / (1 << 53))
}

// Bool returns true with probability 1/2.
func (r *Rand) Bool() bool { return r.Uint64()&1 == 1 }
