package expr

import (
	"math"

	"streamsqld/sql/types"
)

// Timestamps are microseconds since 1970-01-01 00:00:00; timestamptz uses
// the same representation in UTC (the session time zone is UTC), so date
// arithmetic on both is the same.

const (
	microsPerSecond = int64(1_000_000)
	microsPerMinute = 60 * microsPerSecond
	microsPerHour   = 60 * microsPerMinute
	microsPerDay    = 24 * microsPerHour

	// minTimestamp is 4714-11-24 00:00:00 BC, PostgreSQL's lower bound.
	minTimestamp = int64(-210866803200000000)
	minDateDays  = int64(-2440588)
	endDateDays  = int64(2145031949)
)

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func isTimeInf(m int64) bool { return m == types.TimeInfinity || m == types.TimeNegInfinity }
func isDateInf(d int64) bool { return d == types.DateInfinity || d == types.DateNegInfinity }

// dateToMicros converts a date to the timestamp at its midnight.
func dateToMicros(days int64) int64 {
	switch days {
	case types.DateInfinity:
		return types.TimeInfinity
	case types.DateNegInfinity:
		return types.TimeNegInfinity
	}
	return days * microsPerDay
}

// civil is a broken-down timestamp.
type civil struct {
	year               int64
	month, day         int
	hour, minute, sec  int
	usec               int64 // microseconds within the second
	days, microsOfDays int64 // days since the epoch and microseconds within the day
}

func toCivil(micros int64) civil {
	days := floorDiv(micros, microsPerDay)
	tod := micros - days*microsPerDay
	y, m, d := types.CivilFromDays(days)
	return civil{
		year: y, month: m, day: d,
		hour: int(tod / microsPerHour), minute: int(tod / microsPerMinute % 60),
		sec: int(tod / microsPerSecond % 60), usec: tod % microsPerSecond,
		days: days, microsOfDays: tod,
	}
}

func fromCivil(y int64, m, d int, tod int64) (int64, bool) {
	days := types.DaysFromCivil(y, m, d)
	r, ok := mulAdd(days, microsPerDay, tod)
	if !ok || r < minTimestamp || r >= types.TimeInfinity {
		return 0, false
	}
	return r, true
}

// mulAdd returns a*b+c, reporting overflow.
func mulAdd(a, b, c int64) (int64, bool) {
	if a != 0 && (a > math.MaxInt64/b || a < math.MinInt64/b) {
		return 0, false
	}
	p := a * b
	r := p + c
	if (c > 0 && r < p) || (c < 0 && r > p) {
		return 0, false
	}
	return r, true
}

func daysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// tsAddInterval is PostgreSQL's timestamp_pl_interval: months first (the
// day of month clamped to the month's end), then days, then the time.
func tsAddInterval(ts int64, v types.IntervalValue) (int64, error) {
	if isTimeInf(ts) {
		return ts, nil
	}
	if v.Months != 0 || v.Days != 0 {
		c := toCivil(ts)
		y, m, d := c.year, c.month, c.day
		if v.Months != 0 {
			mm := int64(m-1) + int64(v.Months)
			y += floorDiv(mm, 12)
			m = int(mm-floorDiv(mm, 12)*12) + 1
			if dim := daysInMonth(y, m); d > dim {
				d = dim
			}
		}
		days := types.DaysFromCivil(y, m, d) + int64(v.Days)
		r, ok := mulAdd(days, microsPerDay, c.microsOfDays)
		if !ok {
			return 0, errTSRange
		}
		ts = r
	}
	r := ts + v.Micros
	if (v.Micros > 0 && r < ts) || (v.Micros < 0 && r > ts) || r < minTimestamp || r >= types.TimeInfinity {
		return 0, errTSRange
	}
	return r, nil
}

func negInterval(v types.IntervalValue) (types.IntervalValue, error) {
	if v.Months == math.MinInt32 || v.Days == math.MinInt32 || v.Micros == math.MinInt64 {
		return v, errIvRange
	}
	return types.IntervalValue{Months: -v.Months, Days: -v.Days, Micros: -v.Micros}, nil
}

// tsSub is timestamp - timestamp: the difference in microseconds, with
// whole days moved into the days field (interval_justify_hours).
func tsSub(a, b int64) (types.IntervalValue, error) {
	if isTimeInf(a) || isTimeInf(b) {
		return types.IntervalValue{}, errTSRange
	}
	d := a - b
	if (b < 0 && d < a) || (b > 0 && d > a) {
		return types.IntervalValue{}, errIvRange
	}
	days := d / microsPerDay
	return types.IntervalValue{Days: int32(days), Micros: d - days*microsPerDay}, nil
}

func addInterval(a, b types.IntervalValue) (types.IntervalValue, error) {
	m := int64(a.Months) + int64(b.Months)
	d := int64(a.Days) + int64(b.Days)
	u := a.Micros + b.Micros
	if m != int64(int32(m)) || d != int64(int32(d)) ||
		(b.Micros > 0 && u < a.Micros) || (b.Micros < 0 && u > a.Micros) {
		return a, errIvRange
	}
	return types.IntervalValue{Months: int32(m), Days: int32(d), Micros: u}, nil
}

// tsRound is PostgreSQL's TSROUND: round to microsecond precision to hide
// floating point noise.
func tsRound(f float64) float64 { return math.RoundToEven(f*1e6) / 1e6 }

// mulInterval is PostgreSQL's interval_mul: fractional months cascade into
// days (30 per month) and fractional days into seconds, never upward.
func mulInterval(v types.IntervalValue, factor float64) (types.IntervalValue, error) {
	fm := float64(v.Months) * factor
	if math.IsNaN(fm) || fm < math.MinInt32 || fm > math.MaxInt32 {
		return v, errIvRange
	}
	fd := float64(v.Days) * factor
	if math.IsNaN(fd) || fd < math.MinInt32 || fd > math.MaxInt32 {
		return v, errIvRange
	}
	r := types.IntervalValue{Months: int32(fm), Days: int32(fd)}
	monthRemDays := tsRound((float64(v.Months)*factor - float64(r.Months)) * 30)
	secRem := tsRound((float64(v.Days)*factor - float64(r.Days) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	return finishIntervalMul(r, monthRemDays, secRem, float64(v.Micros)*factor)
}

// divInterval is PostgreSQL's interval_div.
func divInterval(v types.IntervalValue, factor float64) (types.IntervalValue, error) {
	if factor == 0 {
		return v, errDivByZero
	}
	r := types.IntervalValue{Months: int32(float64(v.Months) / factor), Days: int32(float64(v.Days) / factor)}
	monthRemDays := tsRound((float64(v.Months)/factor - float64(r.Months)) * 30)
	secRem := tsRound((float64(v.Days)/factor - float64(r.Days) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	return finishIntervalMul(r, monthRemDays, secRem, float64(v.Micros)/factor)
}

func finishIntervalMul(r types.IntervalValue, monthRemDays, secRem, micros float64) (types.IntervalValue, error) {
	if math.Abs(secRem) >= 86400 {
		r.Days += int32(secRem / 86400)
		secRem -= math.Trunc(secRem/86400) * 86400
	}
	r.Days += int32(monthRemDays)
	t := math.RoundToEven(micros + secRem*1e6)
	if math.IsNaN(t) || t < math.MinInt64 || t >= math.MaxInt64 {
		return r, errIvRange
	}
	r.Micros = int64(t)
	return r, nil
}

func isTS(t types.T) bool { return t.Fam == types.Timestamp || t.Fam == types.Timestamptz }

// datetimeOverload returns the date/time arithmetic overload of op for the
// operand types, or nil.
func datetimeOverload(op string, l, r types.T) *Func {
	mk := func(a, b, ret types.T, ev evalFunc) *Func {
		return &Func{Name: op, Args: []types.T{a, b}, Ret: ret, Strict: true, Eval: ev}
	}
	iv := types.TInterval
	switch op {
	case "+":
		switch {
		case isTS(l) && r.Fam == types.Interval:
			return mk(l, iv, l, evalTSPlusIv(0, 1))
		case l.Fam == types.Interval && isTS(r):
			return mk(iv, r, r, evalTSPlusIv(1, 0))
		case l.Fam == types.Date && r.Fam == types.Interval:
			return mk(types.TTimestamp, iv, types.TTimestamp, evalTSPlusIv(0, 1))
		case l.Fam == types.Interval && r.Fam == types.Date:
			return mk(iv, types.TTimestamp, types.TTimestamp, evalTSPlusIv(1, 0))
		case l.Fam == types.Date && r.IsInteger():
			return mk(l, r, types.TDate, evalDatePlusInt(0, 1, 1))
		case l.IsInteger() && r.Fam == types.Date:
			return mk(l, r, types.TDate, evalDatePlusInt(1, 0, 1))
		case l.Fam == types.Interval && r.Fam == types.Interval:
			return mk(iv, iv, iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				v, err := addInterval(a[0].Interval(), a[1].Interval())
				return types.NewInterval(v), err
			})
		}
	case "-":
		switch {
		case isTS(l) && r.Fam == types.Interval:
			return mk(l, iv, l, evalTSMinusIv)
		case l.Fam == types.Date && r.Fam == types.Interval:
			return mk(types.TTimestamp, iv, types.TTimestamp, evalTSMinusIv)
		case l.Fam == types.Date && r.IsInteger():
			return mk(l, r, types.TDate, evalDatePlusInt(0, 1, -1))
		case l.Fam == types.Date && r.Fam == types.Date:
			return mk(l, r, types.TInt4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				if isDateInf(a[0].I) || isDateInf(a[1].I) {
					return types.Null, pgErrf("22008", "cannot subtract infinite dates")
				}
				return types.NewInt(a[0].I - a[1].I), nil
			})
		case (isTS(l) || l.Fam == types.Date) && (isTS(r) || r.Fam == types.Date):
			t := types.TTimestamp
			if l.Fam == types.Timestamptz || r.Fam == types.Timestamptz {
				t = types.TTimestamptz
			}
			return mk(t, t, iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				v, err := tsSub(a[0].I, a[1].I)
				return types.NewInterval(v), err
			})
		case l.Fam == types.Interval && r.Fam == types.Interval:
			return mk(iv, iv, iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				n, err := negInterval(a[1].Interval())
				if err != nil {
					return types.Null, err
				}
				v, err := addInterval(a[0].Interval(), n)
				return types.NewInterval(v), err
			})
		}
	case "*":
		switch {
		case l.Fam == types.Interval && r.IsNumeric():
			return mk(iv, types.TFloat8, iv, evalIvMul(0, 1))
		case l.IsNumeric() && r.Fam == types.Interval:
			return mk(types.TFloat8, iv, iv, evalIvMul(1, 0))
		}
	case "/":
		if l.Fam == types.Interval && r.IsNumeric() {
			return mk(iv, types.TFloat8, iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				v, err := divInterval(a[0].Interval(), a[1].Float())
				return types.NewInterval(v), err
			})
		}
	}
	return nil
}

func evalTSPlusIv(ti, ii int) evalFunc {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := tsAddInterval(a[ti].I, a[ii].Interval())
		return types.NewTime(r), err
	}
}

func evalTSMinusIv(_ *Ctx, a []types.Datum) (types.Datum, error) {
	n, err := negInterval(a[1].Interval())
	if err != nil {
		return types.Null, err
	}
	r, err := tsAddInterval(a[0].I, n)
	return types.NewTime(r), err
}

func evalDatePlusInt(di, ii int, sign int64) evalFunc {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		d := a[di].I
		if isDateInf(d) {
			return a[di], nil
		}
		r := d + sign*a[ii].I
		if r < minDateDays || r >= endDateDays {
			return types.Null, errDateRange
		}
		return types.NewDate(r), nil
	}
}

func evalIvMul(ii, fi int) evalFunc {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		v, err := mulInterval(a[ii].Interval(), a[fi].Float())
		return types.NewInterval(v), err
	}
}
