package types

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // named zones must resolve even without a system tz database

	"streamsqld/sql/pgerror"
)

// Datetime representation. Timestamps are microseconds since the Unix epoch
// and dates are days since it; PostgreSQL counts from 2000-01-01, so the
// binary codec shifts by pgEpoch*. The infinities use PostgreSQL's sentinels
// (the extreme int64/int32 values) so that they order correctly as plain
// integers.
const (
	// TimeInfinity and TimeNegInfinity are the timestamps 'infinity' and
	// '-infinity'.
	TimeInfinity    int64 = math.MaxInt64
	TimeNegInfinity int64 = math.MinInt64
	// DateInfinity and DateNegInfinity are the dates 'infinity' and
	// '-infinity'.
	DateInfinity    int64 = math.MaxInt32
	DateNegInfinity int64 = math.MinInt32

	// MinTimestamp is the earliest finite timestamp, 4714-11-24 00:00:00 BC.
	// Finite timestamps lie in [MinTimestamp, TimeInfinity).
	MinTimestamp int64 = minTime
	// MinDate and EndDate bound finite dates: [MinDate, EndDate).
	MinDate int64 = minDate
	EndDate int64 = endDate

	pgEpochDays   = 10957 // 2000-01-01 - 1970-01-01
	pgEpochMicros = pgEpochDays * microsPerDay

	microsPerSecond = 1_000_000
	microsPerMinute = 60 * microsPerSecond
	microsPerHour   = 60 * microsPerMinute
	microsPerDay    = 24 * microsPerHour

	// minTime is 4714-11-24 00:00:00 BC, PostgreSQL's lower bound (Julian
	// day 0). PostgreSQL's upper bound (294277 AD) does not fit in int64
	// microseconds since 1970, so ours is the largest value below
	// TimeInfinity.
	minTime = -210866803200000000
	// minDate and endDate bound dates: Julian day 0 to 5874898-01-01.
	minDate = -2440588
	endDate = 2145042906
)

// DaysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date; year uses astronomical numbering (0 is 1 BC).
func DaysFromCivil(year int64, month, day int) int64 {
	if month <= 2 {
		year--
	}
	era := floorDiv(year, 400)
	yoe := year - era*400
	mp := int64((month + 9) % 12)
	doy := (153*mp+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// CivilFromDays is the inverse of DaysFromCivil.
func CivilFromDays(days int64) (year int64, month, day int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	year = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int(mp + 3)
	} else {
		month = int(mp - 9)
	}
	if month <= 2 {
		year++
	}
	return year, month, day
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendDate appends YYYY-MM-DD and reports whether the year is BC, which
// PostgreSQL prints as a suffix after the whole value.
func appendDate(buf []byte, days int64) ([]byte, bool) {
	y, m, d := CivilFromDays(days)
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	buf = appendPadded(buf, y, 4)
	buf = append(buf, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	return buf, bc
}

// appendPadded appends a non-negative v with at least width digits.
func appendPadded(buf []byte, v int64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v >= 10 || width > 1 {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	tmp[i] = byte('0' + v)
	return append(buf, tmp[i:]...)
}

// appendClock appends HH:MM:SS[.ffffff] for a non-negative time of day (or
// an interval's time part, whose hours may exceed 24), trimming trailing
// zeros of the fraction as PostgreSQL does.
func appendClock(buf []byte, micros int64) []byte {
	h := micros / microsPerHour
	buf = appendPadded(buf, h, 2)
	return appendClockTail(buf, micros-h*microsPerHour)
}

// appendClockTail appends :MM:SS[.ffffff] for less than an hour.
func appendClockTail(buf []byte, micros int64) []byte {
	mi := micros / microsPerMinute
	micros -= mi * microsPerMinute
	s := micros / microsPerSecond
	frac := micros - s*microsPerSecond
	buf = append(buf, ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	return appendFraction(buf, frac)
}

func appendFraction(buf []byte, frac int64) []byte {
	if frac == 0 {
		return buf
	}
	var tmp [7]byte
	tmp[0] = '.'
	n := 7
	for i := 6; i >= 1; i-- {
		tmp[i] = byte('0' + frac%10)
		frac /= 10
	}
	for tmp[n-1] == '0' {
		n--
	}
	return append(buf, tmp[:n]...)
}

// AppendTimestamp appends PostgreSQL's ISO output of a timestamp; with tz it
// is a timestamptz printed in UTC.
func appendTimestamp(buf []byte, micros int64, tz bool) []byte {
	switch micros {
	case TimeInfinity:
		return append(buf, "infinity"...)
	case TimeNegInfinity:
		return append(buf, "-infinity"...)
	}
	days := floorDiv(micros, microsPerDay)
	buf, bc := appendDate(buf, days)
	buf = append(buf, ' ')
	buf = appendClock(buf, micros-days*microsPerDay)
	if tz {
		buf = append(buf, "+00"...)
	}
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

func appendDateText(buf []byte, days int64) []byte {
	switch days {
	case DateInfinity:
		return append(buf, "infinity"...)
	case DateNegInfinity:
		return append(buf, "-infinity"...)
	}
	buf, bc := appendDate(buf, days)
	if bc {
		buf = append(buf, " BC"...)
	}
	return buf
}

// dtResult is what the datetime parser found.
type dtResult struct {
	special   int // 0 none, +1 infinity, -1 -infinity
	hasDate   bool
	days      int64
	timeOfDay int64 // microseconds
	hasTZ     bool
	tzSecs    int64 // seconds east of UTC
	tzLoc     *time.Location
}

// nowFunc is the clock behind 'now', 'today' and friends; tests replace it.
var nowFunc = time.Now

// dtError distinguishes a syntax error (22007) from a field out of range
// (22008); the caller adds the type name and input.
type dtError int

const (
	dtOK dtError = iota
	dtBadFormat
	dtFieldOverflow
	dtBadTZ
)

// parseTimestamp parses timestamp/timestamptz input. For timestamp without
// time zone, PostgreSQL ignores an explicit zone; so do we.
func parseTimestamp(s string, t T) (Datum, error) {
	r, tzName, e := parseDateTime(s)
	if e != dtOK {
		return Null, dtErr(e, s, t, tzName)
	}
	if r.special != 0 {
		if r.special > 0 {
			return NewTime(TimeInfinity), nil
		}
		return NewTime(TimeNegInfinity), nil
	}
	if !r.hasDate {
		return Null, dtErr(dtBadFormat, s, t, "")
	}
	if r.days < minDate-1 || r.days > endDate {
		return Null, pgerror.Newf(pgerror.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	micros, ok := mulAdd(r.days, microsPerDay, r.timeOfDay)
	if ok && t.Fam == Timestamptz && r.hasTZ {
		off := r.tzSecs
		if r.tzLoc != nil {
			off = zoneOffset(r.tzLoc, micros)
		}
		micros, ok = mulAdd(-off, microsPerSecond, micros)
	}
	if !ok || micros < minTime || micros == TimeInfinity {
		return Null, pgerror.Newf(pgerror.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	micros, ok = roundTimePrecision(micros, t.Mod)
	if !ok {
		return Null, pgerror.Newf(pgerror.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return NewTime(micros), nil
}

// zoneOffset returns the offset (seconds east of UTC) in loc of the local
// wall time given as microseconds since the epoch, as PostgreSQL resolves
// local times (DetermineTimeZoneOffset).
func zoneOffset(loc *time.Location, wallMicros int64) int64 {
	secs := floorDiv(wallMicros, microsPerSecond)
	// First guess: the offset at the wall time read as UTC, then correct it.
	_, off := time.Unix(secs, 0).In(loc).Zone()
	_, off2 := time.Unix(secs-int64(off), 0).In(loc).Zone()
	return int64(off2)
}

func parseDate(s string) (Datum, error) {
	r, tzName, e := parseDateTime(s)
	if e != dtOK {
		return Null, dtErr(e, s, TDate, tzName)
	}
	if r.special != 0 {
		if r.special > 0 {
			return NewDate(DateInfinity), nil
		}
		return NewDate(DateNegInfinity), nil
	}
	if !r.hasDate {
		return Null, dtErr(dtBadFormat, s, TDate, "")
	}
	if r.days < minDate || r.days >= endDate {
		return Null, pgerror.Newf(pgerror.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return NewDate(r.days), nil
}

func dtErr(e dtError, s string, t T, tzName string) error {
	switch e {
	case dtFieldOverflow:
		return pgerror.Newf(pgerror.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	case dtBadTZ:
		return pgerror.Newf(pgerror.InvalidParameterValue, "time zone \"%s\" not recognized", tzName)
	}
	name := t.Fam.info().name
	if t.Fam == Timestamp {
		name = "timestamp" // as PostgreSQL's timestamp_in says
	}
	return pgerror.Newf(pgerror.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", name, s)
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

// roundTimePrecision rounds micros to prec fractional digits (timestamp(p)),
// half away from zero like PostgreSQL's AdjustTimestampForTypmod.
func roundTimePrecision(micros int64, prec int32) (int64, bool) {
	if prec < 0 || prec >= 6 || micros == TimeInfinity || micros == TimeNegInfinity {
		return micros, true
	}
	unit := pow10[6-prec]
	half := unit / 2
	if micros >= 0 {
		r := (micros + half) / unit * unit
		return r, r >= 0 && r != TimeInfinity
	}
	r := -((-micros + half) / unit * unit)
	return r, r >= minTime
}

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
	"october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var dayNames = map[string]bool{
	"sun": true, "sunday": true, "mon": true, "monday": true, "tue": true,
	"tues": true, "tuesday": true, "wed": true, "wednesday": true, "thu": true,
	"thur": true, "thurs": true, "thursday": true, "fri": true, "friday": true,
	"sat": true, "saturday": true,
}

// dtToken is one field of a datetime string, classified like PostgreSQL's
// ParseDateTime does.
type dtToken struct {
	kind byte // 'n' number, 'd' date, 't' time, 'z' numeric zone, 'a' word
	s    string
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// tokenizeDateTime splits s into fields. It does not allocate for the usual
// ISO forms beyond the returned slice.
func tokenizeDateTime(s string, toks []dtToken) ([]dtToken, bool) {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j < len(s) && s[j] == ':' {
				for j < len(s) && (isDigit(s[j]) || s[j] == ':' || s[j] == '.') {
					j++
				}
				toks = append(toks, dtToken{'t', s[i:j]})
			} else if j < len(s) && (s[j] == '-' || s[j] == '/' || s[j] == '.') {
				sep := s[j]
				nsep := 0
				for j < len(s) && (isDigit(s[j]) || s[j] == sep || (sep != '.' && isAlpha(s[j]) && !isISOTimeSep(s, j))) {
					if s[j] == sep {
						nsep++
					}
					j++
				}
				if sep == '.' && nsep == 1 {
					// A number with a fraction, not a date.
					toks = append(toks, dtToken{'n', s[i:j]})
				} else {
					toks = append(toks, dtToken{'d', s[i:j]})
				}
			} else {
				toks = append(toks, dtToken{'n', s[i:j]})
			}
			i = j
			if isISOTimeSep(s, i) {
				i++ // the T of 2026-01-01T12:00:00
			}
		case c == '+' || c == '-':
			j := i + 1
			for j < len(s) && (isDigit(s[j]) || s[j] == ':' || s[j] == '.') {
				j++
			}
			if j == i+1 {
				// -infinity or +infinity
				for j < len(s) && isAlpha(s[j]) {
					j++
				}
				toks = append(toks, dtToken{'a', s[i:j]})
			} else {
				toks = append(toks, dtToken{'z', s[i:j]})
			}
			i = j
		case isAlpha(c):
			j := i
			for j < len(s) && (isAlpha(s[j]) || s[j] == '/' || s[j] == '_' || (j > i && s[j] == '.')) {
				j++
			}
			toks = append(toks, dtToken{'a', s[i:j]})
			i = j
		default:
			return toks, false
		}
	}
	return toks, true
}

func isISOTimeSep(s string, j int) bool {
	return j+1 < len(s) && (s[j] == 'T' || s[j] == 't') && isDigit(s[j+1])
}

// parseDateTime decodes a date, a time of day, a zone, BC/AD and AM/PM.
// On dtBadTZ it also returns the unknown zone name.
func parseDateTime(s string) (dtResult, string, dtError) {
	var r dtResult
	var buf [8]dtToken
	toks, ok := tokenizeDateTime(s, buf[:0])
	if !ok || len(toks) == 0 {
		return r, "", dtBadFormat
	}
	var (
		year          int64
		month, day    int
		haveY, haveM  bool
		haveD         bool
		bc            bool
		ampm          int // 0 none, 1 am, 2 pm
		haveTime      bool
		hour, min     int64
		sec, frac     int64
		pendingNumber []string
	)
	setYMD := func(y int64, m, d int) {
		year, month, day = y, m, d
		haveY, haveM, haveD = true, true, true
	}
	for ti := 0; ti < len(toks); ti++ {
		tk := toks[ti]
		switch tk.kind {
		case 'd':
			if haveY || haveM || haveD {
				return r, "", dtBadFormat
			}
			y, m, d, e := parseDateField(tk.s)
			if e != dtOK {
				return r, "", e
			}
			setYMD(y, m, d)
		case 't':
			if haveTime {
				return r, "", dtBadFormat
			}
			var e dtError
			hour, min, sec, frac, e = parseClock(tk.s)
			if e != dtOK {
				return r, "", e
			}
			haveTime = true
		case 'z':
			if r.hasTZ || (!haveTime && !haveD && len(pendingNumber) == 0) {
				return r, "", dtBadFormat
			}
			off, ok := parseNumericZone(tk.s[1:])
			if !ok {
				return r, "", dtBadFormat
			}
			if tk.s[0] == '-' {
				off = -off
			}
			r.hasTZ, r.tzSecs = true, off
		case 'n':
			pendingNumber = append(pendingNumber, tk.s)
		case 'a':
			w := strings.ToLower(tk.s)
			switch w {
			case "infinity", "+infinity":
				if len(toks) != 1 {
					return r, "", dtBadFormat
				}
				r.special = 1
				return r, "", dtOK
			case "-infinity":
				if len(toks) != 1 {
					return r, "", dtBadFormat
				}
				r.special = -1
				return r, "", dtOK
			case "epoch":
				setYMD(1970, 1, 1)
				haveTime = true
			case "now", "today", "tomorrow", "yesterday":
				now := nowFunc().UTC()
				y, m, d := now.Date()
				days := DaysFromCivil(int64(y), int(m), d)
				switch w {
				case "tomorrow":
					days++
				case "yesterday":
					days--
				case "now":
					haveTime = true
					hour, min, sec = int64(now.Hour()), int64(now.Minute()), int64(now.Second())
					frac = int64(now.Nanosecond() / 1000)
				}
				y2, m2, d2 := CivilFromDays(days)
				setYMD(y2, m2, d2)
			case "bc":
				bc = true
			case "ad":
			case "am", "a.m.":
				ampm = 1
			case "pm", "p.m.":
				ampm = 2
			case "z", "zulu", "utc", "gmt", "ut":
				if r.hasTZ {
					return r, "", dtBadFormat
				}
				r.hasTZ = true
			case "t":
				// ISO 8601 separator written apart: 2026-01-01 T 12:00
			default:
				if m, ok := monthNames[w]; ok && !haveM {
					month, haveM = m, true
					continue
				}
				if dayNames[w] {
					continue
				}
				if r.hasTZ || !isAlpha(tk.s[0]) {
					return r, "", dtBadFormat
				}
				loc, ok := loadZone(tk.s)
				if !ok {
					if strings.IndexByte(tk.s, '/') >= 0 || len(toks) > 1 {
						return r, w, dtBadTZ
					}
					return r, "", dtBadFormat
				}
				r.hasTZ, r.tzLoc = true, loc
			}
		}
	}
	// Loose numbers fill the date (with a month name or as YYYYMMDD) or,
	// after a complete date, give the time of day.
	for _, n := range pendingNumber {
		switch {
		case haveM && !haveY && !haveD && len(n) <= 2:
			d, _ := strconv.Atoi(n)
			day, haveD = d, true
		case haveM && !haveY:
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				return r, "", dtBadFormat
			}
			year, haveY = v, true
			if len(n) == 2 {
				year = twoDigitYear(year)
			}
		case !haveM && !haveY && !haveD && len(n) == 8 && strings.IndexByte(n, '.') < 0:
			y, _ := strconv.Atoi(n[:4])
			m, _ := strconv.Atoi(n[4:6])
			d, _ := strconv.Atoi(n[6:])
			setYMD(int64(y), m, d)
		case !haveM && !haveY && !haveD && len(n) <= 2:
			// "2 Jan 2026": the day comes before the month name.
			d, _ := strconv.Atoi(n)
			day, haveD = d, true
		default:
			return r, "", dtBadFormat
		}
	}
	if haveM && haveD && !haveY {
		return r, "", dtBadFormat
	}
	if !haveD && !haveTime && !haveY {
		return r, "", dtBadFormat
	}
	if haveY || haveM || haveD {
		if !(haveY && haveM && haveD) {
			return r, "", dtBadFormat
		}
		if bc {
			if year <= 0 {
				return r, "", dtFieldOverflow
			}
			year = 1 - year
		}
		if month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) {
			return r, "", dtFieldOverflow
		}
		if year > 6000000 || year < -6000000 {
			return r, "", dtFieldOverflow
		}
		r.hasDate = true
		r.days = DaysFromCivil(year, month, day)
	}
	if haveTime {
		switch ampm {
		case 1:
			if hour > 12 {
				return r, "", dtFieldOverflow
			}
			if hour == 12 {
				hour = 0
			}
		case 2:
			if hour > 12 {
				return r, "", dtFieldOverflow
			}
			if hour != 12 {
				hour += 12
			}
		}
		if hour > 24 || (hour == 24 && (min != 0 || sec != 0 || frac != 0)) {
			return r, "", dtFieldOverflow
		}
		r.timeOfDay = hour*microsPerHour + min*microsPerMinute + sec*microsPerSecond + frac
	} else if ampm != 0 {
		return r, "", dtBadFormat
	}
	return r, "", dtOK
}

func twoDigitYear(y int64) int64 {
	if y < 70 {
		return y + 2000
	}
	return y + 1900
}

// parseDateField decodes one date token: Y-M-D (year of 3+ digits first),
// otherwise M-D-Y (DateStyle MDY), with month names allowed.
func parseDateField(s string) (int64, int, int, dtError) {
	sep := byte('-')
	for i := 0; i < len(s); i++ {
		if s[i] == '-' || s[i] == '/' || s[i] == '.' {
			sep = s[i]
			break
		}
	}
	var parts [3]string
	n := 0
	for _, p := range strings.Split(s, string(sep)) {
		if n == 3 || p == "" {
			return 0, 0, 0, dtBadFormat
		}
		parts[n] = p
		n++
	}
	if n != 3 {
		return 0, 0, 0, dtBadFormat
	}
	num := func(p string) (int64, bool) {
		if len(p) > 9 {
			return 0, false
		}
		v, err := strconv.ParseInt(p, 10, 64)
		return v, err == nil
	}
	monthOf := func(p string) (int, bool) {
		if v, ok := num(p); ok {
			return int(v), true
		}
		m, ok := monthNames[strings.ToLower(p)]
		return m, ok
	}
	var y int64
	var m, d int
	if _, isNum := num(parts[0]); isNum && len(parts[0]) >= 3 {
		y, _ = num(parts[0])
		mm, ok1 := monthOf(parts[1])
		dd, ok2 := num(parts[2])
		if !ok1 || !ok2 {
			return 0, 0, 0, dtBadFormat
		}
		m, d = mm, int(dd)
	} else {
		mm, ok1 := monthOf(parts[0])
		dd, ok2 := num(parts[1])
		yy, ok3 := num(parts[2])
		if !ok1 || !ok2 || !ok3 {
			// 02-Jan-2026
			dd2, okd := num(parts[0])
			mm2, okm := monthNames[strings.ToLower(parts[1])]
			if !okd || !okm || !ok3 {
				return 0, 0, 0, dtBadFormat
			}
			mm, dd = mm2, dd2
		}
		if len(parts[2]) <= 2 {
			yy = twoDigitYear(yy)
		}
		y, m, d = yy, mm, int(dd)
	}
	return y, m, d, dtOK
}

// parseClock decodes H:M[:S[.f]] with range checks.
func parseClock(s string) (hour, min, sec, frac int64, e dtError) {
	fields := 0
	var vals [3]string
	rest := s
	for {
		i := strings.IndexByte(rest, ':')
		if fields == 3 {
			return 0, 0, 0, 0, dtBadFormat
		}
		if i < 0 {
			vals[fields] = rest
			fields++
			break
		}
		vals[fields] = rest[:i]
		fields++
		rest = rest[i+1:]
	}
	if fields < 2 {
		return 0, 0, 0, 0, dtBadFormat
	}
	var ok bool
	if hour, ok = atoiStrict(vals[0]); !ok {
		return 0, 0, 0, 0, dtBadFormat
	}
	secField := ""
	if fields == 3 {
		secField = vals[2]
	}
	minField := vals[1]
	if fields == 2 {
		if i := strings.IndexByte(minField, '.'); i >= 0 {
			// 12:30.5 is minutes and seconds in PostgreSQL; rare enough to
			// reject rather than guess.
			return 0, 0, 0, 0, dtBadFormat
		}
	}
	if min, ok = atoiStrict(minField); !ok {
		return 0, 0, 0, 0, dtBadFormat
	}
	if secField != "" {
		whole, f := secField, ""
		if i := strings.IndexByte(secField, '.'); i >= 0 {
			whole, f = secField[:i], secField[i+1:]
		}
		if sec, ok = atoiStrict(whole); !ok {
			return 0, 0, 0, 0, dtBadFormat
		}
		if frac, ok = parseFracMicros(f); !ok {
			return 0, 0, 0, 0, dtBadFormat
		}
	} else if fields == 3 {
		return 0, 0, 0, 0, dtBadFormat
	}
	if min < 0 || min > 59 || sec < 0 || sec > 60 {
		return 0, 0, 0, 0, dtFieldOverflow
	}
	return hour, min, sec, frac, dtOK
}

// atoiStrict parses a short run of ASCII digits.
func atoiStrict(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	return v, true
}

// parseFracMicros converts the digits after a decimal point into
// microseconds, rounding half to even past the sixth digit like rint().
// The result may be 1e6 when rounding carries into the seconds.
func parseFracMicros(f string) (int64, bool) {
	var v int64
	for i := 0; i < len(f); i++ {
		if !isDigit(f[i]) {
			return 0, false
		}
		if i < 6 {
			v = v*10 + int64(f[i]-'0')
		}
	}
	for i := len(f); i < 6; i++ {
		v *= 10
	}
	if len(f) > 6 {
		first := f[6]
		restNonZero := strings.Trim(f[7:], "0") != ""
		if first > '5' || (first == '5' && (restNonZero || v%2 == 1)) {
			v++
		}
	}
	return v, true
}

// parseNumericZone decodes the digits of +HH, +HHMM, +HH:MM[:SS] into
// seconds.
func parseNumericZone(s string) (int64, bool) {
	var h, m, sec int64
	var ok bool
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if h, ok = atoiStrict(s[:i]); !ok {
			return 0, false
		}
		rest := s[i+1:]
		if j := strings.IndexByte(rest, ':'); j >= 0 {
			if sec, ok = atoiStrict(rest[j+1:]); !ok {
				return 0, false
			}
			rest = rest[:j]
		}
		if m, ok = atoiStrict(rest); !ok {
			return 0, false
		}
	} else {
		switch len(s) {
		case 1, 2:
			h, ok = atoiStrict(s)
		case 3, 4:
			h, ok = atoiStrict(s[:len(s)-2])
			if ok {
				m, ok = atoiStrict(s[len(s)-2:])
			}
		case 5, 6:
			h, ok = atoiStrict(s[:len(s)-4])
			if ok {
				m, ok = atoiStrict(s[len(s)-4 : len(s)-2])
			}
			if ok {
				sec, ok = atoiStrict(s[len(s)-2:])
			}
		}
		if !ok {
			return 0, false
		}
	}
	if h > 15*24 || m > 59 || sec > 59 {
		return 0, false
	}
	return h*3600 + m*60 + sec, true
}

// zoneCache holds the zones found so far. Only successes are cached, so
// that arbitrary client input cannot grow it without bound.
var zoneCache sync.Map // name -> *time.Location

// loadZone resolves a named time zone from the system tz database.
func loadZone(name string) (*time.Location, bool) {
	if v, ok := zoneCache.Load(name); ok {
		return v.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zoneCache.Store(name, loc)
	return loc, true
}
