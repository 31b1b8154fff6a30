package expr

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// AggFunc is an aggregate function overload.
type AggFunc struct {
	Name string
	Arg  types.T // TUnknown for count(*)
	// Args are all the argument types. When there is more than one
	// (string_agg(value, delimiter)), the runtime passes Add and Retract
	// one KArray datum holding the argument values of the row.
	Args     []types.T
	Ret      types.T
	Distinct bool
	// Retractable aggregates accept Retract (they can maintain a result
	// under deletions with bounded state, e.g. count, sum, avg); min/max and
	// DISTINCT keep a multiset of values to support it.
	New func() Accumulator
}

// Accumulator is the running state of one aggregate in one group. It is
// used by one goroutine at a time.
//
// Memory: count, sum, avg, bool_and/bool_or keep a few words. min, max,
// the DISTINCT variants, string_agg and array_agg must survive the
// retraction of any value, so they keep every distinct live value with its
// multiplicity (min/max in a B-tree ordered by value, DISTINCT in a hash
// map, string_agg/array_agg in input order); their state grows with the
// number of distinct live values of the group.
type Accumulator interface {
	// Add folds one input value in (NULLs are ignored except by count(*),
	// whose argument is always a non-NULL dummy, and array_agg, which keeps
	// them as PostgreSQL does).
	Add(d types.Datum) error
	// Retract removes one value previously added.
	Retract(d types.Datum) error
	// Result is the aggregate's current value (NULL for an empty sum/min/max/avg, 0 for count).
	Result() types.Datum
	// AppendState serialises the state for checkpoints; LoadState restores it.
	AppendState(buf []byte) []byte
	LoadState(b []byte) error
}

var aggNames = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"string_agg": true, "array_agg": true, "bool_and": true, "bool_or": true, "every": true,
}

// IsAggregate reports whether name is an aggregate function.
func IsAggregate(name string) bool { return aggNames[strings.ToLower(name)] }

var errRetractMissing = pgerror.New(pgerror.InternalError, "aggregate retracted a value it does not hold")

// ResolveAgg finds an aggregate: count, sum, min, max, avg, string_agg,
// bool_and, bool_or, every, array_agg. 42883 when unknown.
func ResolveAgg(name string, args []types.T, distinct bool) (*AggFunc, error) {
	name = strings.ToLower(name)
	a, err := resolveAgg(name, args)
	if err != nil {
		return nil, err
	}
	a.Name = name
	a.Args = args
	if len(args) > 0 {
		a.Arg = args[0]
	} else {
		a.Arg = types.TUnknown
	}
	if distinct {
		a.Distinct = true
		inner := a.New
		a.New = func() Accumulator { return &distinctAcc{inner: inner(), vals: map[string]*distinctEntry{}} }
	}
	return a, nil
}

func resolveAgg(name string, args []types.T) (*AggFunc, error) {
	undefined := func() (*AggFunc, error) { return nil, undefinedFunc(name, args) }
	if len(args) == 0 {
		if name == "count" {
			return &AggFunc{Ret: types.TInt8, New: func() Accumulator { return &countAcc{star: true} }}, nil
		}
		return undefined()
	}
	t := args[0]
	switch name {
	case "count":
		if len(args) != 1 {
			return undefined()
		}
		return &AggFunc{Ret: types.TInt8, New: func() Accumulator { return &countAcc{} }}, nil
	case "sum", "avg":
		if len(args) != 1 {
			return undefined()
		}
		avg := name == "avg"
		switch t.Fam {
		case types.Int2, types.Int4, types.Int8:
			ret := types.TNumeric
			if !avg && t.Fam != types.Int8 {
				ret = types.TInt8
			}
			bigint := !avg && t.Fam != types.Int8
			return &AggFunc{Ret: ret, New: func() Accumulator { return &intSumAcc{avg: avg, bigint: bigint} }}, nil
		case types.Numeric:
			return &AggFunc{Ret: types.TNumeric, New: func() Accumulator { return &decSumAcc{avg: avg} }}, nil
		case types.Float4, types.Float8:
			ret := types.TFloat8
			single := !avg && t.Fam == types.Float4
			if single {
				ret = types.TFloat4
			}
			return &AggFunc{Ret: ret, New: func() Accumulator { return &floatSumAcc{avg: avg, single: single} }}, nil
		case types.Interval:
			return &AggFunc{Ret: types.TInterval, New: func() Accumulator { return &intervalSumAcc{avg: avg} }}, nil
		}
		return undefined()
	case "min", "max":
		if len(args) != 1 || t.Fam == types.Json || t.Fam == types.Record {
			return undefined()
		}
		ret := t
		if t.Fam == types.Unknown {
			ret = types.TText
		}
		sign := 1
		if name == "min" {
			sign = -1
		}
		return &AggFunc{Ret: ret, New: func() Accumulator { return newMinMax(sign) }}, nil
	case "string_agg":
		if len(args) != 2 || !(t.IsString()) || !args[1].IsString() {
			return undefined()
		}
		return &AggFunc{Ret: types.TText, New: func() Accumulator { return &seqAcc{str: true, index: map[string][]uint64{}} }}, nil
	case "array_agg":
		if len(args) != 1 || t.Fam == types.Array {
			return undefined()
		}
		et := t
		if t.Fam == types.Unknown {
			et = types.TText
		}
		ret := types.ArrayOf(et.Fam)
		ret.Mod = et.Mod
		return &AggFunc{Ret: ret, New: func() Accumulator { return &seqAcc{index: map[string][]uint64{}} }}, nil
	case "bool_and", "every", "bool_or":
		if len(args) != 1 || (t.Fam != types.Bool && t.Fam != types.Unknown) {
			return undefined()
		}
		or := name == "bool_or"
		return &AggFunc{Ret: types.TBool, New: func() Accumulator { return &boolAcc{or: or} }}, nil
	}
	return undefined()
}

// ---------------------------------------------------------------- count

type countAcc struct {
	n    int64
	star bool
}

func (a *countAcc) Add(d types.Datum) error {
	if a.star || d.K != types.KNull {
		a.n++
	}
	return nil
}

func (a *countAcc) Retract(d types.Datum) error {
	if a.star || d.K != types.KNull {
		a.n--
	}
	return nil
}

func (a *countAcc) Result() types.Datum           { return types.NewInt(a.n) }
func (a *countAcc) AppendState(buf []byte) []byte { return binary.AppendVarint(buf, a.n) }
func (a *countAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	a.n = r.varint()
	return r.err
}

// ---------------------------------------------------------------- integer sum/avg

// i128 is a two's complement 128-bit integer: sums of int8 cannot
// overflow it in practice, and it keeps the hot path allocation-free.
type i128 struct {
	hi int64
	lo uint64
}

func (x *i128) add(v int64) {
	lo, c := bits.Add64(x.lo, uint64(v), 0)
	x.hi += v>>63 + int64(c)
	x.lo = lo
}

func (x *i128) sub(v int64) {
	lo, b := bits.Sub64(x.lo, uint64(v), 0)
	x.hi -= v>>63 + int64(b)
	x.lo = lo
}

func (x i128) fitsInt64() bool {
	return (x.hi == 0 && x.lo <= math.MaxInt64) || (x.hi == -1 && x.lo > math.MaxInt64)
}

func (x i128) decimal() *apd.Decimal {
	if x.fitsInt64() {
		return apd.New(int64(x.lo), 0)
	}
	neg := x.hi < 0
	hi, lo := uint64(x.hi), x.lo
	if neg {
		lo, hi = -lo, ^hi
		if lo == 0 {
			hi++
		}
	}
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], hi)
	binary.BigEndian.PutUint64(buf[8:], lo)
	d := new(apd.Decimal)
	d.Coeff.SetBytes(buf[:])
	d.Negative = neg
	return d
}

type intSumAcc struct {
	sum    i128
	n      int64
	avg    bool
	bigint bool // sum(int2/int4) returns bigint and must fit in it
}

func (a *intSumAcc) Add(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	a.sum.add(d.I)
	if a.bigint && !a.sum.fitsInt64() {
		a.sum.sub(d.I)
		return errInt8Range
	}
	a.n++
	return nil
}

func (a *intSumAcc) Retract(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	a.sum.sub(d.I)
	if a.bigint && !a.sum.fitsInt64() {
		a.sum.add(d.I)
		return errInt8Range
	}
	a.n--
	return nil
}

func (a *intSumAcc) Result() types.Datum {
	if a.n == 0 {
		return types.Null
	}
	if a.bigint {
		return types.NewInt(int64(a.sum.lo))
	}
	s := a.sum.decimal()
	if !a.avg {
		return types.NewDecimal(s)
	}
	r, err := decDiv(s, apd.New(a.n, 0))
	if err != nil {
		return types.Null
	}
	return r
}

func (a *intSumAcc) AppendState(buf []byte) []byte {
	buf = binary.AppendVarint(buf, a.sum.hi)
	buf = binary.AppendUvarint(buf, a.sum.lo)
	return binary.AppendVarint(buf, a.n)
}

func (a *intSumAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	a.sum.hi = r.varint()
	a.sum.lo = r.uvarint()
	a.n = r.varint()
	return r.err
}

// ---------------------------------------------------------------- numeric sum/avg

type decSumAcc struct {
	sum apd.Decimal
	n   int64
	// nan counts NaN inputs: the sum is NaN while any is live.
	nan int64
	avg bool
}

func (a *decSumAcc) Add(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	x := d.Decimal()
	a.n++
	if x.Form != apd.Finite {
		a.nan++
		return nil
	}
	if _, err := exactCtx.Add(&a.sum, &a.sum, x); err != nil {
		return decErr(err)
	}
	return nil
}

func (a *decSumAcc) Retract(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	x := d.Decimal()
	a.n--
	if x.Form != apd.Finite {
		a.nan--
		return nil
	}
	if _, err := exactCtx.Sub(&a.sum, &a.sum, x); err != nil {
		return decErr(err)
	}
	return nil
}

func (a *decSumAcc) Result() types.Datum {
	if a.n == 0 {
		return types.Null
	}
	if a.nan > 0 {
		return types.NewDecimal(&apd.Decimal{Form: apd.NaN})
	}
	s := new(apd.Decimal).Set(&a.sum)
	if s.Coeff.Sign() == 0 {
		s.Negative = false
	}
	if !a.avg {
		return types.NewDecimal(normalizeExp(s))
	}
	r, err := decDiv(s, apd.New(a.n, 0))
	if err != nil {
		return types.Null
	}
	return r
}

func (a *decSumAcc) AppendState(buf []byte) []byte {
	buf = appendDatum(buf, types.NewDecimal(&a.sum))
	buf = binary.AppendVarint(buf, a.n)
	return binary.AppendVarint(buf, a.nan)
}

func (a *decSumAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	d := r.datum()
	a.n = r.varint()
	a.nan = r.varint()
	if r.err == nil {
		if d.K != types.KDecimal {
			return errCorruptState
		}
		a.sum.Set(d.Decimal())
	}
	return r.err
}

// ---------------------------------------------------------------- float sum/avg

// floatSumAcc retracts by subtraction, so after retractions the sum may
// differ from a fresh sum in the last bits, as with any floating point
// moving sum. Infinities and NaNs are counted apart so that retracting
// them restores a finite sum.
type floatSumAcc struct {
	sum              float64
	n                int64
	posInf, negInf   int64
	nan              int64
	avg, single      bool
	overflowReported bool
}

func (a *floatSumAcc) classify(f float64, delta int64) bool {
	switch {
	case math.IsNaN(f):
		a.nan += delta
	case math.IsInf(f, 1):
		a.posInf += delta
	case math.IsInf(f, -1):
		a.negInf += delta
	default:
		return false
	}
	return true
}

func (a *floatSumAcc) Add(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	f := d.Float()
	a.n++
	if !a.classify(f, 1) {
		s := a.sum + f
		if math.IsInf(s, 0) {
			a.n--
			return errFloatOver
		}
		a.sum = s
	}
	return nil
}

func (a *floatSumAcc) Retract(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	f := d.Float()
	a.n--
	if !a.classify(f, -1) {
		a.sum -= f
	}
	return nil
}

func (a *floatSumAcc) Result() types.Datum {
	if a.n == 0 {
		return types.Null
	}
	var s float64
	switch {
	case a.nan > 0 || (a.posInf > 0 && a.negInf > 0):
		s = math.NaN()
	case a.posInf > 0:
		s = math.Inf(1)
	case a.negInf > 0:
		s = math.Inf(-1)
	default:
		s = a.sum
	}
	if a.avg {
		s /= float64(a.n)
	}
	if a.single {
		s = float64(float32(s))
	}
	return types.NewFloat(s)
}

func (a *floatSumAcc) AppendState(buf []byte) []byte {
	buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(a.sum))
	for _, v := range [...]int64{a.n, a.posInf, a.negInf, a.nan} {
		buf = binary.AppendVarint(buf, v)
	}
	return buf
}

func (a *floatSumAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	a.sum = r.float()
	a.n, a.posInf, a.negInf, a.nan = r.varint(), r.varint(), r.varint(), r.varint()
	return r.err
}

// ---------------------------------------------------------------- interval sum/avg

type intervalSumAcc struct {
	months, days, micros int64
	n                    int64
	avg                  bool
}

func (a *intervalSumAcc) Add(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	v := d.Interval()
	a.months += int64(v.Months)
	a.days += int64(v.Days)
	a.micros += v.Micros
	a.n++
	return nil
}

func (a *intervalSumAcc) Retract(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	v := d.Interval()
	a.months -= int64(v.Months)
	a.days -= int64(v.Days)
	a.micros -= v.Micros
	a.n--
	return nil
}

func (a *intervalSumAcc) Result() types.Datum {
	if a.n == 0 || a.months != int64(int32(a.months)) || a.days != int64(int32(a.days)) {
		return types.Null
	}
	v := types.IntervalValue{Months: int32(a.months), Days: int32(a.days), Micros: a.micros}
	if a.avg {
		r, err := divInterval(v, float64(a.n))
		if err != nil {
			return types.Null
		}
		v = r
	}
	return types.NewInterval(v)
}

func (a *intervalSumAcc) AppendState(buf []byte) []byte {
	for _, v := range [...]int64{a.months, a.days, a.micros, a.n} {
		buf = binary.AppendVarint(buf, v)
	}
	return buf
}

func (a *intervalSumAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	a.months, a.days, a.micros, a.n = r.varint(), r.varint(), r.varint(), r.varint()
	return r.err
}

// ---------------------------------------------------------------- bool_and/bool_or

type boolAcc struct {
	nTrue, nFalse int64
	or            bool
}

func (a *boolAcc) Add(d types.Datum) error {
	if d.K != types.KNull {
		if d.I != 0 {
			a.nTrue++
		} else {
			a.nFalse++
		}
	}
	return nil
}

func (a *boolAcc) Retract(d types.Datum) error {
	if d.K != types.KNull {
		if d.I != 0 {
			a.nTrue--
		} else {
			a.nFalse--
		}
	}
	return nil
}

func (a *boolAcc) Result() types.Datum {
	if a.nTrue+a.nFalse == 0 {
		return types.Null
	}
	if a.or {
		return types.NewBool(a.nTrue > 0)
	}
	return types.NewBool(a.nFalse == 0)
}

func (a *boolAcc) AppendState(buf []byte) []byte {
	return binary.AppendVarint(binary.AppendVarint(buf, a.nTrue), a.nFalse)
}

func (a *boolAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	a.nTrue, a.nFalse = r.varint(), r.varint()
	return r.err
}

// ---------------------------------------------------------------- DISTINCT

type distinctEntry struct {
	d types.Datum
	n int64
}

// distinctAcc feeds the inner accumulator each distinct value once: when
// its multiplicity goes from 0 to 1 (Add) or from 1 to 0 (Retract).
type distinctAcc struct {
	inner Accumulator
	vals  map[string]*distinctEntry
	key   []byte
}

// NULL is one more distinct value: the inner accumulator ignores it or,
// for array_agg, keeps it once.
func (a *distinctAcc) Add(d types.Datum) error {
	a.key = distinctKey(a.key[:0], d)
	if e, ok := a.vals[string(a.key)]; ok {
		e.n++
		return nil
	}
	if err := a.inner.Add(d); err != nil {
		return err
	}
	a.vals[string(a.key)] = &distinctEntry{d: d, n: 1}
	return nil
}

func (a *distinctAcc) Retract(d types.Datum) error {
	a.key = distinctKey(a.key[:0], d)
	e, ok := a.vals[string(a.key)]
	if !ok {
		return errRetractMissing
	}
	if e.n > 1 {
		e.n--
		return nil
	}
	if err := a.inner.Retract(e.d); err != nil {
		return err
	}
	delete(a.vals, string(a.key))
	return nil
}

// Result is the inner result, except for the order-sensitive string_agg
// and array_agg: PostgreSQL implements DISTINCT by sorting, so their
// values come out in ascending order (NULLs last), not in input order.
func (a *distinctAcc) Result() types.Datum {
	seq, ok := a.inner.(*seqAcc)
	if !ok {
		return a.inner.Result()
	}
	vals := make([]types.Datum, 0, len(a.vals))
	for _, e := range a.vals {
		vals = append(vals, e.d)
	}
	sortKey := func(d types.Datum) types.Datum {
		if seq.str && d.K == types.KArray && len(d.Array()) > 0 {
			return d.Array()[0]
		}
		return d
	}
	slices.SortFunc(vals, func(x, y types.Datum) int {
		x, y = sortKey(x), sortKey(y)
		switch {
		case x.K == types.KNull && y.K == types.KNull:
			return 0
		case x.K == types.KNull:
			return 1
		case y.K == types.KNull:
			return -1
		}
		return compareDatum(x, y)
	})
	sorted := &seqAcc{str: seq.str, index: map[string][]uint64{}}
	for _, v := range vals {
		_ = sorted.Add(v)
	}
	return sorted.Result()
}

func (a *distinctAcc) AppendState(buf []byte) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(a.vals)))
	for _, e := range a.vals {
		buf = appendDatum(buf, e.d)
		buf = binary.AppendVarint(buf, e.n)
	}
	inner := a.inner.AppendState(nil)
	buf = binary.AppendUvarint(buf, uint64(len(inner)))
	return append(buf, inner...)
}

func (a *distinctAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	n := r.uvarint()
	if n > uint64(len(b)) {
		return errCorruptState
	}
	a.vals = make(map[string]*distinctEntry, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		d := r.datum()
		c := r.varint()
		a.vals[string(distinctKey(nil, d))] = &distinctEntry{d: d, n: c}
	}
	inner := r.bytes(r.uvarint())
	if r.err != nil {
		return r.err
	}
	return a.inner.LoadState(inner)
}
