package types

import (
	"math"
	"strconv"
	"strings"

	"streamsqld/sql/pgerror"
)

// codeIntervalFieldOverflow is SQLSTATE 22015 (interval_field_overflow).
const codeIntervalFieldOverflow = "22015"

// appendInterval appends PostgreSQL's output of an interval in
// IntervalStyle postgres (EncodeInterval, INTSTYLE_POSTGRES): each nonzero
// field carries its own sign, and a field after a negative one gets an
// explicit '+'.
func appendInterval(buf []byte, v IntervalValue) []byte {
	years := int64(v.Months / 12)
	mons := int64(v.Months % 12)
	isZero, isBefore := true, false
	buf = appendIntervalPart(buf, years, "year", &isZero, &isBefore)
	buf = appendIntervalPart(buf, mons, "mon", &isZero, &isBefore)
	buf = appendIntervalPart(buf, int64(v.Days), "day", &isZero, &isBefore)
	if isZero || v.Micros != 0 {
		if !isZero {
			buf = append(buf, ' ')
		}
		m := v.Micros
		if m < 0 {
			buf = append(buf, '-')
		} else if isBefore {
			buf = append(buf, '+')
		}
		u := uint64(m)
		if m < 0 {
			u = uint64(-m) // also right for MinInt64, as an unsigned value
		}
		buf = appendClockU(buf, u)
	}
	return buf
}

// appendClockU is appendClock for an interval's magnitude, which may be
// as large as -math.MinInt64.
func appendClockU(buf []byte, micros uint64) []byte {
	h := micros / microsPerHour
	buf = appendPadded(buf, int64(h), 2)
	return appendClockTail(buf, int64(micros-h*microsPerHour))
}

func appendIntervalPart(buf []byte, v int64, unit string, isZero, isBefore *bool) []byte {
	if v == 0 {
		return buf
	}
	if !*isZero {
		buf = append(buf, ' ')
	}
	if *isBefore && v > 0 {
		buf = append(buf, '+')
	}
	buf = strconv.AppendInt(buf, v, 10)
	buf = append(buf, ' ')
	buf = append(buf, unit...)
	if v != 1 {
		buf = append(buf, 's')
	}
	*isBefore = v < 0
	*isZero = false
	return buf
}

// interval units, keyed by PostgreSQL's spellings truncated to TOKMAXLEN
// (10) characters as its lexer does.
type ivUnit uint8

const (
	ivNone ivUnit = iota
	ivMicro
	ivMilli
	ivSecond
	ivMinute
	ivHour
	ivDay
	ivWeek
	ivMonth
	ivYear
	ivDecade
	ivCentury
	ivMillennium
)

var ivUnits = map[string]ivUnit{
	"microsecon": ivMicro, "us": ivMicro, "usec": ivMicro, "usecond": ivMicro, "useconds": ivMicro, "usecs": ivMicro,
	"millisecon": ivMilli, "ms": ivMilli, "msec": ivMilli, "msecond": ivMilli, "mseconds": ivMilli, "msecs": ivMilli,
	"s": ivSecond, "sec": ivSecond, "second": ivSecond, "seconds": ivSecond, "secs": ivSecond,
	"m": ivMinute, "min": ivMinute, "mins": ivMinute, "minute": ivMinute, "minutes": ivMinute,
	"h": ivHour, "hour": ivHour, "hours": ivHour, "hr": ivHour, "hrs": ivHour,
	"d": ivDay, "day": ivDay, "days": ivDay,
	"w": ivWeek, "week": ivWeek, "weeks": ivWeek,
	"mon": ivMonth, "mons": ivMonth, "month": ivMonth, "months": ivMonth,
	"y": ivYear, "year": ivYear, "years": ivYear, "yr": ivYear, "yrs": ivYear,
	"dec": ivDecade, "decade": ivDecade, "decades": ivDecade, "decs": ivDecade,
	"c": ivCentury, "cent": ivCentury, "century": ivCentury, "centuries": ivCentury,
	"mil": ivMillennium, "mils": ivMillennium, "millennia": ivMillennium, "millennium": ivMillennium,
}

// ivAcc accumulates an interval being parsed, with overflow detection, like
// PostgreSQL's pg_itm_in.
type ivAcc struct {
	months, days int64
	micros       int64
	overflow     bool
}

func (a *ivAcc) addMicros(v int64) {
	r := a.micros + v
	if (v > 0 && r < a.micros) || (v < 0 && r > a.micros) {
		a.overflow = true
	}
	a.micros = r
}

// addScaledMicros adds (whole+frac)*scale microseconds; the fraction is
// rounded half away from zero (AdjustMicroseconds + AdjustFractMicroseconds).
func (a *ivAcc) addScaledMicros(whole int64, frac float64, scale int64) {
	v, ok := mulAdd(whole, scale, 0)
	if !ok {
		a.overflow = true
		return
	}
	a.addMicros(v)
	a.addFracMicros(frac, scale)
}

func (a *ivAcc) addFracMicros(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	f := frac * float64(scale)
	if math.Abs(f) >= 9.2e18 {
		a.overflow = true
		return
	}
	u := int64(f)
	f -= float64(u)
	if f > 0.5 {
		u++
	} else if f < -0.5 {
		u--
	}
	a.addMicros(u)
}

// addFracDays spreads a fraction of scale days into days and microseconds
// (AdjustFractDays).
func (a *ivAcc) addFracDays(frac float64, scale int64) {
	if frac == 0 {
		return
	}
	f := frac * float64(scale)
	d := int64(f)
	a.days += d
	a.addFracMicros(f-float64(d), microsPerDay)
}

func (a *ivAcc) addUnit(u ivUnit, whole int64, frac float64) {
	switch u {
	case ivMicro:
		a.addScaledMicros(whole, frac, 1)
	case ivMilli:
		a.addScaledMicros(whole, frac, 1000)
	case ivSecond:
		a.addScaledMicros(whole, frac, microsPerSecond)
	case ivMinute:
		a.addScaledMicros(whole, frac, microsPerMinute)
	case ivHour:
		a.addScaledMicros(whole, frac, microsPerHour)
	case ivDay:
		a.days += whole
		a.addFracMicros(frac, microsPerDay)
	case ivWeek:
		a.days += whole * 7
		a.addFracDays(frac, 7)
	case ivMonth:
		a.months += whole
		a.addFracDays(frac, 30)
	case ivYear, ivDecade, ivCentury, ivMillennium:
		scale := int64(1)
		switch u {
		case ivDecade:
			scale = 10
		case ivCentury:
			scale = 100
		case ivMillennium:
			scale = 1000
		}
		a.months += whole * scale * 12
		a.months += int64(math.Round(frac * float64(scale) * 12))
	}
	if whole > math.MaxInt32*12 || whole < -math.MaxInt32*12 {
		a.overflow = true
	}
}

func (a *ivAcc) result() (IntervalValue, bool) {
	if a.overflow || a.months > math.MaxInt32 || a.months < math.MinInt32 ||
		a.days > math.MaxInt32 || a.days < math.MinInt32 {
		return IntervalValue{}, false
	}
	return IntervalValue{Months: int32(a.months), Days: int32(a.days), Micros: a.micros}, true
}

// parseInterval parses interval input in PostgreSQL's postgres style
// ("1 day 02:03:04", "5 minutes ago", "@ 3 hours") and ISO 8601 format
// ("P1DT2H").
func parseInterval(s string, mod int32) (Datum, error) {
	bad := func() error {
		return pgerror.Newf(pgerror.InvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", s)
	}
	over := func() error {
		return pgerror.Newf(codeIntervalFieldOverflow, "interval field value out of range: \"%s\"", s)
	}
	str := strings.TrimSpace(s)
	if len(str) > 0 && (str[0] == 'P' || str[0] == 'p') {
		v, e := parseISOInterval(str[1:])
		switch e {
		case dtBadFormat:
			return Null, bad()
		case dtFieldOverflow:
			return Null, over()
		}
		if mod >= 0 && mod < 6 {
			v.Micros = roundIntervalMicros(v.Micros, mod)
		}
		return NewInterval(v), nil
	}
	var acc ivAcc
	seen := map[ivUnit]bool{}
	var (
		haveAny, ago, haveTime bool
		pendingNum             string
		havePending            bool
	)
	flushPending := func(u ivUnit) bool {
		whole, frac, ok := splitNumber(pendingNum)
		if !ok || seen[u] {
			return false
		}
		if (u == ivHour || u == ivMinute || u == ivSecond) && haveTime {
			return false
		}
		seen[u] = true
		acc.addUnit(u, whole, frac)
		havePending = false
		return true
	}
	i := 0
	for i < len(str) {
		c := str[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
			continue
		case c == '@' && !haveAny:
			i++
			continue
		}
		haveAny = true
		if isDigit(c) || c == '-' || c == '+' || c == '.' {
			j := i
			if c == '-' || c == '+' {
				j++
			}
			for j < len(str) && (isDigit(str[j]) || str[j] == '.' || str[j] == ':') {
				j++
			}
			tok := str[i:j]
			i = j
			if havePending {
				return Null, bad()
			}
			if strings.IndexByte(tok, ':') >= 0 {
				if haveTime || seen[ivHour] || seen[ivMinute] || seen[ivSecond] {
					return Null, bad()
				}
				micros, e := parseIntervalClock(tok)
				if e != dtOK {
					if e == dtFieldOverflow {
						return Null, over()
					}
					return Null, bad()
				}
				haveTime = true
				acc.addMicros(micros)
				continue
			}
			pendingNum, havePending = tok, true
			continue
		}
		if !isAlpha(c) {
			return Null, bad()
		}
		j := i
		for j < len(str) && isAlpha(str[j]) {
			j++
		}
		word := strings.ToLower(str[i:j])
		i = j
		if word == "ago" {
			if ago || havePending {
				return Null, bad()
			}
			ago = true
			continue
		}
		if len(word) > 10 {
			word = word[:10]
		}
		u, ok := ivUnits[word]
		if !ok || !havePending || ago {
			return Null, bad()
		}
		if !flushPending(u) {
			return Null, bad()
		}
	}
	if havePending {
		// A bare trailing number counts as seconds.
		if !flushPending(ivSecond) {
			return Null, bad()
		}
	}
	if !haveAny {
		return Null, bad()
	}
	v, ok := acc.result()
	if !ok {
		return Null, over()
	}
	if mod >= 0 && mod < 6 {
		v.Micros = roundIntervalMicros(v.Micros, mod)
	}
	if ago {
		if v.Months == math.MinInt32 || v.Days == math.MinInt32 || v.Micros == math.MinInt64 {
			return Null, over()
		}
		v = IntervalValue{Months: -v.Months, Days: -v.Days, Micros: -v.Micros}
	}
	return NewInterval(v), nil
}

// roundIntervalMicros rounds to prec fractional digits of a second, half
// away from zero, as interval(p) does (AdjustIntervalForTypmod).
func roundIntervalMicros(us int64, prec int32) int64 {
	unit := pow10[6-prec]
	half := unit / 2
	if us >= 0 {
		if us > math.MaxInt64-half {
			return us / unit * unit
		}
		return (us + half) / unit * unit
	}
	if us < math.MinInt64+half {
		return us / unit * unit
	}
	return -((-us + half) / unit * unit)
}

// splitNumber parses a signed decimal number into its integer part and the
// fraction (carrying the same sign).
func splitNumber(s string) (int64, float64, bool) {
	if s == "" {
		return 0, 0, false
	}
	neg := false
	body := s
	if body[0] == '-' || body[0] == '+' {
		neg = body[0] == '-'
		body = body[1:]
	}
	intPart, fracPart := body, ""
	if k := strings.IndexByte(body, '.'); k >= 0 {
		intPart, fracPart = body[:k], body[k:]
		if strings.IndexByte(fracPart[1:], '.') >= 0 {
			return 0, 0, false
		}
	}
	if intPart == "" && (fracPart == "" || fracPart == ".") {
		return 0, 0, false
	}
	var whole int64
	if intPart != "" {
		w, err := strconv.ParseInt(intPart, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return math.MaxInt64, 0, true // caught by the overflow checks
			}
			return 0, 0, false
		}
		whole = w
	}
	var frac float64
	if len(fracPart) > 1 {
		f, err := strconv.ParseFloat("0"+fracPart, 64)
		if err != nil {
			return 0, 0, false
		}
		frac = f
	}
	if neg {
		whole, frac = -whole, -frac
	}
	return whole, frac, true
}

// parseIntervalClock decodes [-]H:M[:S[.f]] into signed microseconds. Hours
// are not limited to a day.
func parseIntervalClock(tok string) (int64, dtError) {
	neg := false
	if tok[0] == '-' || tok[0] == '+' {
		neg = tok[0] == '-'
		tok = tok[1:]
	}
	parts := strings.Split(tok, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, dtBadFormat
	}
	h, ok := atoiStrict(parts[0])
	if !ok {
		return 0, dtBadFormat
	}
	var m, sec, frac int64
	if len(parts) == 2 && strings.IndexByte(parts[1], '.') >= 0 {
		// M:S.f is minutes and seconds, as in PostgreSQL.
		return 0, dtBadFormat
	}
	if m, ok = atoiStrict(parts[1]); !ok {
		return 0, dtBadFormat
	}
	if len(parts) == 3 {
		whole, f := parts[2], ""
		if k := strings.IndexByte(parts[2], '.'); k >= 0 {
			whole, f = parts[2][:k], parts[2][k+1:]
		}
		if sec, ok = atoiStrict(whole); !ok {
			return 0, dtBadFormat
		}
		if frac, ok = parseFracMicros(f); !ok {
			return 0, dtBadFormat
		}
	}
	if m > 59 || sec > 59 {
		return 0, dtFieldOverflow
	}
	v, ok := mulAdd(h, microsPerHour, m*microsPerMinute+sec*microsPerSecond+frac)
	if !ok {
		return 0, dtFieldOverflow
	}
	if neg {
		v = -v
	}
	return v, dtOK
}

// parseISOInterval decodes the part after 'P' of an ISO 8601 duration
// ("1Y2M3DT4H5M6.5S", "T5S", "1W").
func parseISOInterval(s string) (IntervalValue, dtError) {
	var acc ivAcc
	inTime := false
	if s == "" {
		return IntervalValue{}, dtBadFormat
	}
	for len(s) > 0 {
		if s[0] == 'T' || s[0] == 't' {
			if inTime {
				return IntervalValue{}, dtBadFormat
			}
			inTime = true
			s = s[1:]
			if s == "" {
				return IntervalValue{}, dtBadFormat
			}
			continue
		}
		j := 0
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		for j < len(s) && (isDigit(s[j]) || s[j] == '.') {
			j++
		}
		if j == len(s) {
			return IntervalValue{}, dtBadFormat
		}
		whole, frac, ok := splitNumber(s[:j])
		if !ok {
			return IntervalValue{}, dtBadFormat
		}
		var u ivUnit
		switch s[j] | 0x20 {
		case 'y':
			u = ivYear
		case 'm':
			if inTime {
				u = ivMinute
			} else {
				u = ivMonth
			}
		case 'w':
			u = ivWeek
		case 'd':
			u = ivDay
		case 'h':
			u = ivHour
		case 's':
			u = ivSecond
		default:
			return IntervalValue{}, dtBadFormat
		}
		if inTime != (u == ivHour || u == ivMinute || u == ivSecond) {
			return IntervalValue{}, dtBadFormat
		}
		acc.addUnit(u, whole, frac)
		s = s[j+1:]
	}
	v, ok := acc.result()
	if !ok {
		return IntervalValue{}, dtFieldOverflow
	}
	return v, dtOK
}
