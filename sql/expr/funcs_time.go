package expr

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// dtField is a unit of date_trunc, date_part and extract.
type dtField uint8

const (
	fBad dtField = iota
	fMicrosecond
	fMillisecond
	fSecond
	fMinute
	fHour
	fDay
	fWeek
	fMonth
	fQuarter
	fYear
	fDecade
	fCentury
	fMillennium
	fEpoch
	fDow
	fIsodow
	fDoy
	fIsoyear
	fTimezone
	fTimezoneHour
	fTimezoneMinute
)

var dtFieldNames = map[string]dtField{
	"microsecond": fMicrosecond, "microseconds": fMicrosecond, "us": fMicrosecond, "usec": fMicrosecond, "usecs": fMicrosecond, "useconds": fMicrosecond,
	"millisecond": fMillisecond, "milliseconds": fMillisecond, "ms": fMillisecond, "msec": fMillisecond, "msecs": fMillisecond, "mseconds": fMillisecond,
	"second": fSecond, "seconds": fSecond, "s": fSecond, "sec": fSecond, "secs": fSecond,
	"minute": fMinute, "minutes": fMinute, "m": fMinute, "min": fMinute, "mins": fMinute,
	"hour": fHour, "hours": fHour, "h": fHour, "hr": fHour, "hrs": fHour,
	"day": fDay, "days": fDay, "d": fDay,
	"week": fWeek, "weeks": fWeek, "w": fWeek,
	"month": fMonth, "months": fMonth, "mon": fMonth, "mons": fMonth,
	"quarter": fQuarter, "qtr": fQuarter,
	"year": fYear, "years": fYear, "y": fYear, "yr": fYear, "yrs": fYear,
	"decade": fDecade, "decades": fDecade, "dec": fDecade,
	"century": fCentury, "centuries": fCentury, "c": fCentury, "cent": fCentury,
	"millennium": fMillennium, "millennia": fMillennium, "mil": fMillennium, "mils": fMillennium,
	"epoch": fEpoch, "dow": fDow, "isodow": fIsodow, "doy": fDoy, "isoyear": fIsoyear,
	"timezone": fTimezone, "timezone_hour": fTimezoneHour, "timezone_minute": fTimezoneMinute,
}

func parseDTField(s string) dtField { return dtFieldNames[lowerString(strings.TrimSpace(s))] }

func unitNotRecognized(unit string, t types.T) error {
	return pgerror.Newf(pgerror.InvalidParameterValue, "unit \"%s\" not recognized for type %s", lowerString(unit), t.String())
}

func unitNotSupported(unit string, t types.T) error {
	return pgerror.Newf(pgerror.FeatureNotSupported, "unit \"%s\" not supported for type %s", lowerString(unit), t.String())
}

// ---------------------------------------------------------------- date_trunc

// truncTimestamp is timestamp_trunc in UTC.
func truncTimestamp(f dtField, ts int64) (int64, bool) {
	if isTimeInf(ts) {
		return ts, true
	}
	c := toCivil(ts)
	y, m, d := c.year, c.month, c.day
	var tod int64
	switch f {
	case fMicrosecond:
		return ts, true
	case fMillisecond:
		return floorDiv(ts, 1000) * 1000, true
	case fSecond:
		return floorDiv(ts, microsPerSecond) * microsPerSecond, true
	case fMinute:
		return floorDiv(ts, microsPerMinute) * microsPerMinute, true
	case fHour:
		return floorDiv(ts, microsPerHour) * microsPerHour, true
	case fDay:
		return c.days * microsPerDay, true
	case fWeek:
		// ISO weeks start on Monday; 1970-01-01 was a Thursday.
		dow := (c.days%7 + 7 + 3) % 7 // 0 = Monday
		return (c.days - dow) * microsPerDay, true
	case fMonth:
		d = 1
	case fQuarter:
		m, d = (m-1)/3*3+1, 1
	case fYear:
		m, d = 1, 1
	case fDecade:
		if y > 0 {
			y = y / 10 * 10
		} else {
			y = -((8 - (y - 1)) / 10) * 10
		}
		m, d = 1, 1
	case fCentury:
		if y > 0 {
			y = (y+99)/100*100 - 99
		} else {
			y = -((99-(y-1))/100)*100 + 1
		}
		m, d = 1, 1
	case fMillennium:
		if y > 0 {
			y = (y+999)/1000*1000 - 999
		} else {
			y = -((999-(y-1))/1000)*1000 + 1
		}
		m, d = 1, 1
	default:
		return 0, false
	}
	r, ok := fromCivil(y, m, d, tod)
	if !ok {
		return ts, true
	}
	return r, true
}

// truncInterval is interval_trunc.
func truncInterval(f dtField, v types.IntervalValue) (types.IntervalValue, bool) {
	years, mons := v.Months/12, v.Months%12
	switch f {
	case fMicrosecond:
		return v, true
	case fMillisecond:
		v.Micros = v.Micros / 1000 * 1000
	case fSecond:
		v.Micros = v.Micros / microsPerSecond * microsPerSecond
	case fMinute:
		v.Micros = v.Micros / microsPerMinute * microsPerMinute
	case fHour:
		v.Micros = v.Micros / microsPerHour * microsPerHour
	case fDay:
		v.Micros = 0
	case fMonth:
		v.Micros, v.Days = 0, 0
	case fQuarter:
		v.Micros, v.Days, v.Months = 0, 0, years*12+mons/3*3
	case fYear:
		v.Micros, v.Days, v.Months = 0, 0, years*12
	case fDecade:
		v.Micros, v.Days, v.Months = 0, 0, years/10*10*12
	case fCentury:
		v.Micros, v.Days, v.Months = 0, 0, years/100*100*12
	case fMillennium:
		v.Micros, v.Days, v.Months = 0, 0, years/1000*1000*12
	default:
		return v, false
	}
	return v, true
}

func dateTruncFunc(t types.T) *Func {
	trunc := func(f dtField, unit string, d types.Datum) (types.Datum, error) {
		switch f {
		case fBad, fEpoch, fDow, fIsodow, fDoy, fIsoyear:
			// PostgreSQL's date_trunc does not know these units at all.
			return types.Null, unitNotRecognized(unit, t)
		case fTimezone, fTimezoneHour, fTimezoneMinute:
			return types.Null, unitNotSupported(unit, t)
		}
		if t.Fam == types.Interval {
			if f == fWeek {
				return types.Null, pgerror.Newf(pgerror.FeatureNotSupported, "unit \"week\" not supported for type interval").
					WithDetail("Months usually have fractional weeks.")
			}
			v, _ := truncInterval(f, d.Interval())
			return types.NewInterval(v), nil
		}
		r, ok := truncTimestamp(f, d.I)
		if !ok {
			return types.Null, unitNotSupported(unit, t)
		}
		return types.NewTime(r), nil
	}
	return &Func{
		Name: "date_trunc", Args: []types.T{types.TText, t}, Ret: t, Strict: true,
		Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return trunc(parseDTField(a[0].S), a[0].S, a[1])
		},
		specialize: func(consts []*types.Datum) evalFunc {
			if consts[0] == nil || consts[0].K == types.KNull {
				return nil
			}
			unit := consts[0].S
			f := parseDTField(unit)
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return trunc(f, unit, a[1]) }
		},
	}
}

// dateBin is date_bin(stride, source, origin).
func dateBin(_ *Ctx, a []types.Datum) (types.Datum, error) {
	stride, src, origin := a[0].Interval(), a[1].I, a[2].I
	if stride.Months != 0 {
		return types.Null, pgerror.New(pgerror.FeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
	}
	if isTimeInf(src) || isTimeInf(origin) {
		return types.Null, pgerror.New(pgerror.FeatureNotSupported, "timestamps cannot be binned into infinite intervals")
	}
	step, ok := mulAdd(int64(stride.Days), microsPerDay, stride.Micros)
	if !ok {
		return types.Null, errIvRange
	}
	if step <= 0 {
		return types.Null, pgerror.New(pgerror.DatetimeFieldOverflow, "stride must be greater than zero")
	}
	diff := src - origin
	if (origin < 0 && diff < src) || (origin > 0 && diff > src) {
		return types.Null, errTSRange
	}
	r := origin + floorDiv(diff, step)*step
	return types.NewTime(r), nil
}

// ---------------------------------------------------------------- extract

// partValue is a field value: exact as v/10^scale, and as a float8 the way
// date_part computes it.
type partValue struct {
	v     int64
	scale int
	f     float64
	null  bool
}

func intPart(v int64) partValue { return partValue{v: v, f: float64(v)} }

func isoWeek(y int64, m, d int) (year int64, week int) {
	yy, ww := time.Date(int(y), time.Month(m), d, 0, 0, 0, 0, time.UTC).ISOWeek()
	return int64(yy), ww
}

// timestampPart is timestamp_part_common for a finite timestamp.
func timestampPart(f dtField, ts int64, tz bool) (partValue, bool) {
	if isTimeInf(ts) {
		return partValue{null: true}, true
	}
	c := toCivil(ts)
	secMicros := int64(c.sec)*microsPerSecond + c.usec
	switch f {
	case fMicrosecond:
		return intPart(secMicros), true
	case fMillisecond:
		return partValue{v: secMicros, scale: 3, f: float64(c.sec)*1000 + float64(c.usec)/1000.0}, true
	case fSecond:
		return partValue{v: secMicros, scale: 6, f: float64(c.sec) + float64(c.usec)/1e6}, true
	case fMinute:
		return intPart(int64(c.minute)), true
	case fHour:
		return intPart(int64(c.hour)), true
	case fEpoch:
		return partValue{v: ts, scale: 6, f: float64(ts) / 1e6}, true
	case fTimezone, fTimezoneHour, fTimezoneMinute:
		if !tz {
			return partValue{}, false
		}
		return intPart(0), true
	}
	return datePart(f, c.year, c.month, c.day, c.days)
}

// datePart computes the calendar fields shared by dates and timestamps.
func datePart(f dtField, y int64, m, d int, days int64) (partValue, bool) {
	switch f {
	case fDay:
		return intPart(int64(d)), true
	case fMonth:
		return intPart(int64(m)), true
	case fQuarter:
		return intPart(int64((m-1)/3 + 1)), true
	case fWeek:
		_, w := isoWeek(y, m, d)
		return intPart(int64(w)), true
	case fYear:
		if y > 0 {
			return intPart(y), true
		}
		return intPart(y - 1), true // there is no year 0: 1 BC is -1
	case fDecade:
		if y >= 0 {
			return intPart(y / 10), true
		}
		return intPart(-((8 - (y - 1)) / 10)), true
	case fCentury:
		if y > 0 {
			return intPart((y + 99) / 100), true
		}
		return intPart(-((99 - (y - 1)) / 100)), true
	case fMillennium:
		if y > 0 {
			return intPart((y + 999) / 1000), true
		}
		return intPart(-((999 - (y - 1)) / 1000)), true
	case fDow:
		return intPart((days%7 + 7 + 4) % 7), true
	case fIsodow:
		dow := (days%7 + 7 + 4) % 7
		if dow == 0 {
			dow = 7
		}
		return intPart(dow), true
	case fDoy:
		return intPart(days - types.DaysFromCivil(y, 1, 1) + 1), true
	case fIsoyear:
		iy, _ := isoWeek(y, m, d)
		if iy <= 0 {
			iy--
		}
		return intPart(iy), true
	}
	return partValue{}, false
}

func dateFieldPart(f dtField, days int64) (partValue, bool) {
	if isDateInf(days) {
		return partValue{null: true}, true
	}
	switch f {
	case fEpoch:
		return intPart(days * 86400), true
	case fMicrosecond, fMillisecond, fSecond, fMinute, fHour, fTimezone, fTimezoneHour, fTimezoneMinute:
		return partValue{}, false
	}
	y, m, d := types.CivilFromDays(days)
	return datePart(f, y, m, d, days)
}

// intervalPart is interval_part_common.
func intervalPart(f dtField, v types.IntervalValue) (partValue, bool) {
	years, mons := int64(v.Months/12), int64(v.Months%12)
	hours := v.Micros / microsPerHour
	mins := v.Micros / microsPerMinute % 60
	secMicros := v.Micros % microsPerMinute
	switch f {
	case fMicrosecond:
		return intPart(secMicros), true
	case fMillisecond:
		return partValue{v: secMicros, scale: 3, f: float64(secMicros) / 1000}, true
	case fSecond:
		return partValue{v: secMicros, scale: 6, f: float64(secMicros) / 1e6}, true
	case fMinute:
		return intPart(mins), true
	case fHour:
		return intPart(hours), true
	case fDay:
		return intPart(int64(v.Days)), true
	case fMonth:
		return intPart(mons), true
	case fQuarter:
		return intPart(mons/3 + 1), true
	case fYear:
		return intPart(years), true
	case fDecade:
		return intPart(years / 10), true
	case fCentury:
		return intPart(years / 100), true
	case fMillennium:
		return intPart(years / 1000), true
	case fEpoch:
		// 365.25 days per year and 30 per month, computed exactly in
		// quarter days as PostgreSQL does.
		secs := (1461*years + 120*mons + 4*int64(v.Days)) * (86400 / 4)
		val, ok := mulAdd(secs, microsPerSecond, v.Micros)
		fv := float64(v.Micros)/1e6 + 365.25*86400*float64(years) + 30*86400*float64(mons) + 86400*float64(v.Days)
		if !ok {
			return partValue{v: 0, scale: 0, f: fv, null: false}, true
		}
		return partValue{v: val, scale: 6, f: fv}, true
	}
	return partValue{}, false
}

// extractFunc builds extract (numeric result) or date_part (float8) over
// values of type t.
func extractFunc(name string, t types.T, numeric bool) *Func {
	part := func(f dtField, unit string, d types.Datum) (types.Datum, error) {
		if f == fBad {
			return types.Null, unitNotRecognized(unit, t)
		}
		var pv partValue
		var ok bool
		switch t.Fam {
		case types.Timestamp, types.Timestamptz:
			pv, ok = timestampPart(f, d.I, t.Fam == types.Timestamptz)
		case types.Date:
			pv, ok = dateFieldPart(f, d.I)
		case types.Interval:
			pv, ok = intervalPart(f, d.Interval())
		}
		if !ok {
			return types.Null, unitNotSupported(unit, t)
		}
		if pv.null {
			return types.Null, nil
		}
		if !numeric {
			return types.NewFloat(pv.f), nil
		}
		if pv.scale == 0 && pv.v == 0 && pv.f != 0 {
			// The exact value overflowed int64 (epoch of huge intervals).
			r, err := decFromFloat(pv.f)
			if err != nil {
				return types.Null, err
			}
			return types.NewDecimal(r), nil
		}
		return types.NewDecimal(apd.New(pv.v, int32(-pv.scale))), nil
	}
	ret := types.TFloat8
	if numeric {
		ret = types.TNumeric
	}
	return &Func{
		Name: name, Args: []types.T{types.TText, t}, Ret: ret, Strict: true,
		Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return part(parseDTField(a[0].S), a[0].S, a[1])
		},
		specialize: func(consts []*types.Datum) evalFunc {
			if consts[0] == nil || consts[0].K == types.KNull {
				return nil
			}
			unit := consts[0].S
			f := parseDTField(unit)
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return part(f, unit, a[1]) }
		},
	}
}

// ---------------------------------------------------------------- to_timestamp

func toTimestampFloat(_ *Ctx, a []types.Datum) (types.Datum, error) {
	f := a[0].Float()
	switch {
	case math.IsNaN(f):
		return types.Null, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp cannot be NaN")
	case math.IsInf(f, 1):
		return types.NewTime(types.TimeInfinity), nil
	case math.IsInf(f, -1):
		return types.NewTime(types.TimeNegInfinity), nil
	}
	m := math.RoundToEven(f * 1e6)
	if m < float64(minTimestamp) || m >= float64(endDateDays)*float64(microsPerDay) {
		return types.Null, pgerror.Newf(pgerror.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", formatFloatG(f))
	}
	return types.NewTime(int64(m)), nil
}

func formatFloatG(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func init() {
	t, ts, tstz, iv, date := types.TText, types.TTimestamp, types.TTimestamptz, types.TInterval, types.TDate
	now := func(ctx *Ctx, _ []types.Datum) (types.Datum, error) { return types.NewTime(ctx.nowMicros()), nil }
	volatile := func(name string, ret types.T, ev evalFunc) *Func {
		return &Func{Name: name, Ret: ret, Volatile: true, Eval: ev}
	}
	register(
		volatile("now", tstz, now),
		volatile("current_timestamp", tstz, now),
		volatile("transaction_timestamp", tstz, now),
		volatile("statement_timestamp", tstz, now),
		volatile("localtimestamp", ts, now),
		volatile("clock_timestamp", tstz, func(*Ctx, []types.Datum) (types.Datum, error) {
			return types.NewTime(time.Now().UnixMicro()), nil
		}),
		volatile("current_date", date, func(ctx *Ctx, _ []types.Datum) (types.Datum, error) {
			return types.NewDate(floorDiv(ctx.nowMicros(), microsPerDay)), nil
		}),
		dateTruncFunc(ts), dateTruncFunc(tstz), dateTruncFunc(iv),
		extractFunc("extract", ts, true), extractFunc("extract", tstz, true),
		extractFunc("extract", date, true), extractFunc("extract", iv, true),
		extractFunc("date_part", ts, false), extractFunc("date_part", tstz, false),
		extractFunc("date_part", iv, false),
		fn("date_bin", ts, dateBin, iv, ts, ts),
		fn("date_bin", tstz, dateBin, iv, tstz, tstz),
		fn("to_timestamp", tstz, toTimestampFloat, types.TFloat8),
		fn("to_timestamp", tstz, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			m, err := parseFormatted(a[0].S, a[1].S)
			return types.NewTime(m), err
		}, t, t),
		fn("to_date", date, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			m, err := parseFormatted(a[0].S, a[1].S)
			return types.NewDate(floorDiv(m, microsPerDay)), err
		}, t, t),
		fn("to_char", t, toCharTS, ts, t),
		fn("to_char", t, toCharTS, tstz, t),
		fn("age", iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v, err := age(a[0].I, a[1].I)
			return types.NewInterval(v), err
		}, ts, ts),
		fn("age", iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v, err := age(a[0].I, a[1].I)
			return types.NewInterval(v), err
		}, tstz, tstz),
		fn("justify_hours", iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := a[0].Interval()
			d := v.Micros / microsPerDay
			v.Days += int32(d)
			v.Micros -= d * microsPerDay
			if v.Days > 0 && v.Micros < 0 {
				v.Micros += microsPerDay
				v.Days--
			} else if v.Days < 0 && v.Micros > 0 {
				v.Micros -= microsPerDay
				v.Days++
			}
			return types.NewInterval(v), nil
		}, iv),
		fn("justify_days", iv, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := a[0].Interval()
			m := v.Days / 30
			v.Months += m
			v.Days -= m * 30
			if v.Months > 0 && v.Days < 0 {
				v.Days += 30
				v.Months--
			} else if v.Months < 0 && v.Days > 0 {
				v.Days -= 30
				v.Months++
			}
			return types.NewInterval(v), nil
		}, iv),
		fn("make_date", date, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			y, m, d := a[0].I, a[1].I, a[2].I
			if y == 0 || m < 1 || m > 12 || d < 1 || d > int64(daysInMonth(y, int(m))) {
				return types.Null, pgerror.Newf(pgerror.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
			}
			if y < 0 {
				y++
			}
			return types.NewDate(types.DaysFromCivil(y, int(m), int(d))), nil
		}, types.TInt4, types.TInt4, types.TInt4),
	)
}

// age is PostgreSQL's age(a, b): a symbolic difference in years, months
// and days, then time.
func age(a, b int64) (types.IntervalValue, error) {
	if isTimeInf(a) || isTimeInf(b) {
		return types.IntervalValue{}, errIvRange
	}
	c1, c2 := toCivil(a), toCivil(b)
	fsec := c1.microsOfDays - c2.microsOfDays
	day := int64(c1.day - c2.day)
	mon := int64(c1.month - c2.month)
	year := c1.year - c2.year
	neg := a < b
	if neg {
		fsec, day, mon, year = -fsec, -day, -mon, -year
	}
	if fsec < 0 {
		fsec += microsPerDay
		day--
	}
	for day < 0 {
		// Borrow the length of the earlier timestamp's month, as
		// PostgreSQL's timestamp_age does.
		ref := c2
		if neg {
			ref = c1
		}
		day += int64(daysInMonth(ref.year, ref.month))
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	v := types.IntervalValue{Months: int32(year*12 + mon), Days: int32(day), Micros: fsec}
	if neg {
		v = types.IntervalValue{Months: -v.Months, Days: -v.Days, Micros: -v.Micros}
	}
	return v, nil
}
