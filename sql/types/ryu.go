package types

import (
	"math"
	"math/big"
	"math/bits"
)

// PostgreSQL prints floats with its copy of Ryu (src/common/d2s.c, f2s.c)
// built without STRICTLY_SHORTEST: the bounds of the rounding interval are
// never accepted, so for some values (1.8398108957852358e+17) it prints one
// digit more than Go's strconv, whose shortest output may sit exactly on a
// bound. To be byte-identical on the wire, this file ports that algorithm.
// The lookup tables are computed at start-up rather than copied.

const (
	doublePow5InvBitcount = 122
	doublePow5Bitcount    = 121
	floatPow5InvBitcount  = 59
	floatPow5Bitcount     = 61
)

var (
	doublePow5InvSplit [342][2]uint64 // lo, hi
	doublePow5Split    [326][2]uint64
	floatPow5InvSplit  [31]uint64
	floatPow5Split     [47]uint64
)

func init() {
	one := big.NewInt(1)
	pow := big.NewInt(1)
	five := big.NewInt(5)
	mask64 := new(big.Int).SetUint64(math.MaxUint64)
	split128 := func(v *big.Int) [2]uint64 {
		lo := new(big.Int).And(v, mask64).Uint64()
		hi := new(big.Int).Rsh(v, 64).Uint64()
		return [2]uint64{lo, hi}
	}
	for i := 0; i < len(doublePow5InvSplit) || i < len(doublePow5Split); i++ {
		pow5len := pow.BitLen()
		if i < len(doublePow5InvSplit) {
			j := pow5len - 1 + doublePow5InvBitcount
			inv := new(big.Int).Lsh(one, uint(j))
			inv.Quo(inv, pow).Add(inv, one)
			doublePow5InvSplit[i] = split128(inv)
		}
		if i < len(doublePow5Split) {
			s := new(big.Int)
			if shift := pow5len - doublePow5Bitcount; shift >= 0 {
				s.Rsh(pow, uint(shift))
			} else {
				s.Lsh(pow, uint(-shift))
			}
			doublePow5Split[i] = split128(s)
		}
		if i < len(floatPow5InvSplit) {
			j := pow5len - 1 + floatPow5InvBitcount
			inv := new(big.Int).Lsh(one, uint(j))
			inv.Quo(inv, pow).Add(inv, one)
			floatPow5InvSplit[i] = inv.Uint64()
		}
		if i < len(floatPow5Split) {
			s := new(big.Int)
			if shift := pow5len - floatPow5Bitcount; shift >= 0 {
				s.Rsh(pow, uint(shift))
			} else {
				s.Lsh(pow, uint(-shift))
			}
			floatPow5Split[i] = s.Uint64()
		}
		pow.Mul(pow, five)
	}
}

func pow5bits(e int32) int32   { return int32((uint32(e)*1217359)>>19) + 1 }
func log10Pow2(e int32) uint32 { return (uint32(e) * 78913) >> 18 }
func log10Pow5(e int32) uint32 { return (uint32(e) * 732923) >> 20 }

func pow5Factor64(v uint64) uint32 {
	var n uint32
	for v%5 == 0 {
		v /= 5
		n++
	}
	return n
}

func mulShift64(m uint64, mul [2]uint64, j int32) uint64 {
	b0hi, _ := bits.Mul64(m, mul[0])
	b2hi, b2lo := bits.Mul64(m, mul[1])
	lo, carry := bits.Add64(b2lo, b0hi, 0)
	hi := b2hi + carry
	s := uint(j - 64)
	return hi<<(64-s) | lo>>s
}

// d2d returns the decimal mantissa and exponent PostgreSQL prints for a
// finite, nonzero double.
func d2d(ieeeMantissa uint64, ieeeExponent uint32) (uint64, int32) {
	var e2 int32
	var m2 uint64
	if ieeeExponent == 0 {
		e2 = 1 - 1023 - 52 - 2
		m2 = ieeeMantissa
	} else {
		e2 = int32(ieeeExponent) - 1023 - 52 - 2
		m2 = 1<<52 | ieeeMantissa
	}
	mv := 4 * m2
	mmShift := uint64(0)
	if ieeeMantissa != 0 || ieeeExponent <= 1 {
		mmShift = 1
	}
	var vr, vp, vm uint64
	var e10 int32
	vmIsTrailingZeros, vrIsTrailingZeros := false, false
	if e2 >= 0 {
		q := log10Pow2(e2)
		if e2 > 3 {
			q--
		}
		k := doublePow5InvBitcount + pow5bits(int32(q)) - 1
		i := -e2 + int32(q) + k
		e10 = int32(q)
		mul := doublePow5InvSplit[q]
		vr = mulShift64(4*m2, mul, i)
		vp = mulShift64(4*m2+2, mul, i)
		vm = mulShift64(4*m2-1-mmShift, mul, i)
		if q <= 21 {
			if mv%5 == 0 {
				vrIsTrailingZeros = pow5Factor64(mv) >= q
			} else if pow5Factor64(mv+2) >= q {
				vp--
			}
		}
	} else {
		q := log10Pow5(-e2)
		if -e2 > 1 {
			q--
		}
		i := -e2 - int32(q)
		k := pow5bits(i) - doublePow5Bitcount
		j := int32(q) - k
		e10 = int32(q) + e2
		mul := doublePow5Split[i]
		vr = mulShift64(4*m2, mul, j)
		vp = mulShift64(4*m2+2, mul, j)
		vm = mulShift64(4*m2-1-mmShift, mul, j)
		if q <= 1 {
			vrIsTrailingZeros = true
			vp--
		} else if q < 63 {
			vrIsTrailingZeros = mv&(1<<(q-1)-1) == 0
		}
	}
	var removed int32
	var lastRemovedDigit uint64
	var output uint64
	if vmIsTrailingZeros || vrIsTrailingZeros {
		for vp/10 > vm/10 {
			vmIsTrailingZeros = vmIsTrailingZeros && vm%10 == 0
			vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
			lastRemovedDigit = vr % 10
			vr /= 10
			vp /= 10
			vm /= 10
			removed++
		}
		if vmIsTrailingZeros {
			for vm%10 == 0 {
				vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
				lastRemovedDigit = vr % 10
				vr /= 10
				vp /= 10
				vm /= 10
				removed++
			}
		}
		if vrIsTrailingZeros && lastRemovedDigit == 5 && vr%2 == 0 {
			lastRemovedDigit = 4
		}
		output = vr
		if vr == vm || lastRemovedDigit >= 5 {
			output++
		}
	} else {
		roundUp := false
		if vp/100 > vm/100 {
			roundUp = vr%100 >= 50
			vr /= 100
			vp /= 100
			vm /= 100
			removed += 2
		}
		for vp/10 > vm/10 {
			roundUp = vr%10 >= 5
			vr /= 10
			vp /= 10
			vm /= 10
			removed++
		}
		output = vr
		if vr == vm || roundUp {
			output++
		}
	}
	return output, e10 + removed
}

func mulShift32(m uint32, factor uint64, shift int32) uint32 {
	bits0 := uint64(m) * (factor & 0xffffffff)
	bits1 := uint64(m) * (factor >> 32)
	sum := bits0>>32 + bits1
	return uint32(sum >> uint(shift-32))
}

func pow5Factor32(v uint32) uint32 {
	var n uint32
	for v%5 == 0 {
		v /= 5
		n++
	}
	return n
}

// f2d is d2d for float4.
func f2d(ieeeMantissa, ieeeExponent uint32) (uint32, int32) {
	var e2 int32
	var m2 uint32
	if ieeeExponent == 0 {
		e2 = 1 - 127 - 23 - 2
		m2 = ieeeMantissa
	} else {
		e2 = int32(ieeeExponent) - 127 - 23 - 2
		m2 = 1<<23 | ieeeMantissa
	}
	mv := 4 * m2
	mp := 4*m2 + 2
	mmShift := uint32(0)
	if ieeeMantissa != 0 || ieeeExponent <= 1 {
		mmShift = 1
	}
	mm := 4*m2 - 1 - mmShift
	var vr, vp, vm uint32
	var e10 int32
	vrIsTrailingZeros := false
	var lastRemovedDigit uint32
	if e2 >= 0 {
		q := log10Pow2(e2)
		e10 = int32(q)
		k := floatPow5InvBitcount + pow5bits(int32(q)) - 1
		i := -e2 + int32(q) + k
		vr = mulShift32(mv, floatPow5InvSplit[q], i)
		vp = mulShift32(mp, floatPow5InvSplit[q], i)
		vm = mulShift32(mm, floatPow5InvSplit[q], i)
		if q != 0 && (vp-1)/10 <= vm/10 {
			l := floatPow5InvBitcount + pow5bits(int32(q-1)) - 1
			lastRemovedDigit = mulShift32(mv, floatPow5InvSplit[q-1], -e2+int32(q)-1+l) % 10
		}
		if q <= 9 {
			if mv%5 == 0 {
				vrIsTrailingZeros = pow5Factor32(mv) >= q
			} else if pow5Factor32(mp) >= q {
				vp--
			}
		}
	} else {
		q := log10Pow5(-e2)
		e10 = int32(q) + e2
		i := -e2 - int32(q)
		k := pow5bits(i) - floatPow5Bitcount
		j := int32(q) - k
		vr = mulShift32(mv, floatPow5Split[i], j)
		vp = mulShift32(mp, floatPow5Split[i], j)
		vm = mulShift32(mm, floatPow5Split[i], j)
		if q != 0 && (vp-1)/10 <= vm/10 {
			j = int32(q) - 1 - (pow5bits(i+1) - floatPow5Bitcount)
			lastRemovedDigit = mulShift32(mv, floatPow5Split[i+1], j) % 10
		}
		if q <= 1 {
			vrIsTrailingZeros = true
			vp--
		} else if q < 31 {
			vrIsTrailingZeros = mv&(1<<(q-1)-1) == 0
		}
	}
	var removed int32
	var output uint32
	if vrIsTrailingZeros {
		for vp/10 > vm/10 {
			vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
			lastRemovedDigit = vr % 10
			vr /= 10
			vp /= 10
			vm /= 10
			removed++
		}
		if vrIsTrailingZeros && lastRemovedDigit == 5 && vr%2 == 0 {
			lastRemovedDigit = 4
		}
	} else {
		for vp/10 > vm/10 {
			lastRemovedDigit = vr % 10
			vr /= 10
			vp /= 10
			vm /= 10
			removed++
		}
	}
	output = vr
	if vr == vm || lastRemovedDigit >= 5 {
		output++
	}
	return output, e10 + removed
}

// appendShortestFloat appends PostgreSQL's float8out/float4out text of a
// finite float: fixed notation for decimal exponents in [-4, 15) (float8)
// or [-4, 6) (float4), else d.ddde±XX.
func appendShortestFloat(buf []byte, f float64, bits32 bool) []byte {
	var mant uint64
	var exp int32
	var neg bool
	maxExp := int32(15)
	if bits32 {
		b := math.Float32bits(float32(f))
		neg = b>>31 != 0
		ieeeMantissa := b & (1<<23 - 1)
		ieeeExponent := (b >> 23) & 0xff
		if ieeeExponent == 0 && ieeeMantissa == 0 {
			return appendSignedZero(buf, neg)
		}
		maxExp = 6
		if m, e, ok := f2dSmallInt(ieeeMantissa, ieeeExponent); ok {
			mant, exp = uint64(m), e
		} else {
			m, e := f2d(ieeeMantissa, ieeeExponent)
			mant, exp = uint64(m), e
		}
	} else {
		b := math.Float64bits(f)
		neg = b>>63 != 0
		ieeeMantissa := b & (1<<52 - 1)
		ieeeExponent := uint32(b>>52) & 0x7ff
		if ieeeExponent == 0 && ieeeMantissa == 0 {
			return appendSignedZero(buf, neg)
		}
		if m, e, ok := d2dSmallInt(ieeeMantissa, ieeeExponent); ok {
			mant, exp = m, e
		} else {
			mant, exp = d2d(ieeeMantissa, ieeeExponent)
		}
	}
	if neg {
		buf = append(buf, '-')
	}
	var digs [20]byte
	nd := len(digs)
	for v := mant; ; {
		nd--
		digs[nd] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	d := digs[nd:]
	olength := int32(len(d))
	dispExp := exp + olength - 1
	if dispExp >= -4 && dispExp < maxExp {
		switch nexp := exp + olength; {
		case nexp <= 0:
			buf = append(buf, '0', '.')
			for i := int32(0); i < -nexp; i++ {
				buf = append(buf, '0')
			}
			return append(buf, d...)
		case exp < 0:
			buf = append(buf, d[:nexp]...)
			buf = append(buf, '.')
			return append(buf, d[nexp:]...)
		default:
			buf = append(buf, d...)
			for i := int32(0); i < exp; i++ {
				buf = append(buf, '0')
			}
			return buf
		}
	}
	// Scientific: the small-integer path (exp 0) may leave trailing zeros.
	for exp == 0 && len(d) > 1 && d[len(d)-1] == '0' {
		d = d[:len(d)-1]
	}
	buf = append(buf, d[0])
	if len(d) > 1 {
		buf = append(buf, '.')
		buf = append(buf, d[1:]...)
	}
	buf = append(buf, 'e')
	if dispExp < 0 {
		buf = append(buf, '-')
		dispExp = -dispExp
	} else {
		buf = append(buf, '+')
	}
	if dispExp >= 100 {
		buf = append(buf, byte('0'+dispExp/100))
		dispExp %= 100
	}
	return append(buf, byte('0'+dispExp/10), byte('0'+dispExp%10))
}

func appendSignedZero(buf []byte, neg bool) []byte {
	if neg {
		return append(buf, '-', '0')
	}
	return append(buf, '0')
}

// d2dSmallInt is Ryu's fast path for integers in [1, 2^53).
func d2dSmallInt(ieeeMantissa uint64, ieeeExponent uint32) (uint64, int32, bool) {
	e2 := int32(ieeeExponent) - 1023 - 52
	if e2 >= -52 && e2 <= 0 {
		mask := uint64(1)<<uint(-e2) - 1
		if ieeeMantissa&mask == 0 {
			return (1<<52 | ieeeMantissa) >> uint(-e2), 0, true
		}
	}
	return 0, 0, false
}

// f2dSmallInt is the float4 counterpart of d2dSmallInt.
func f2dSmallInt(ieeeMantissa, ieeeExponent uint32) (uint32, int32, bool) {
	e2 := int32(ieeeExponent) - 127 - 23
	if e2 >= -23 && e2 <= 0 {
		mask := uint32(1)<<uint(-e2) - 1
		if ieeeMantissa&mask == 0 {
			return (1<<23 | ieeeMantissa) >> uint(-e2), 0, true
		}
	}
	return 0, 0, false
}
