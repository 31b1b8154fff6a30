package expr

import (
	"strconv"
	"strings"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// to_char and to_timestamp/to_date templates: the common subset of
// PostgreSQL's formatting.c (year, month, day, hour, minute, second and
// fraction fields, month and day names, AM/PM, FM, TH, quoted literals).

type fmtKind uint8

const (
	fmtLiteral fmtKind = iota
	fmtYYYY
	fmtYYY
	fmtYY
	fmtY
	fmtMM
	fmtDD
	fmtDDD
	fmtD
	fmtID
	fmtHH24
	fmtHH12
	fmtMI
	fmtSS
	fmtMS
	fmtUS
	fmtFF1
	fmtFF2
	fmtFF3
	fmtFF4
	fmtFF5
	fmtFF6
	fmtSSSS
	fmtAM // AM/PM, with case and dots variants in text
	fmtMonth
	fmtMon
	fmtDay
	fmtDy
	fmtQ
	fmtIW
	fmtIYYY
	fmtCC
	fmtTZ
	fmtOF
	fmtJ
)

type fmtNode struct {
	kind fmtKind
	text string // literal text, or the pattern as written (for case)
	fm   bool   // FM: no padding
	th   byte   // 'T' for TH, 't' for th, 0 none
}

// fmtPatterns is tried in order at each position, so longer patterns come
// first.
var fmtPatterns = []struct {
	pat  string
	kind fmtKind
}{
	{"HH24", fmtHH24}, {"HH12", fmtHH12}, {"HH", fmtHH12}, {"MI", fmtMI}, {"SSSSS", fmtSSSS}, {"SSSS", fmtSSSS}, {"SS", fmtSS},
	{"MS", fmtMS}, {"US", fmtUS}, {"FF1", fmtFF1}, {"FF2", fmtFF2}, {"FF3", fmtFF3}, {"FF4", fmtFF4}, {"FF5", fmtFF5}, {"FF6", fmtFF6},
	{"A.M.", fmtAM}, {"P.M.", fmtAM}, {"a.m.", fmtAM}, {"p.m.", fmtAM}, {"AM", fmtAM}, {"PM", fmtAM}, {"am", fmtAM}, {"pm", fmtAM},
	{"IYYY", fmtIYYY}, {"YYYY", fmtYYYY}, {"YYY", fmtYYY}, {"YY", fmtYY}, {"Y", fmtY},
	{"MONTH", fmtMonth}, {"Month", fmtMonth}, {"month", fmtMonth}, {"MON", fmtMon}, {"Mon", fmtMon}, {"mon", fmtMon},
	{"MM", fmtMM}, {"DAY", fmtDay}, {"Day", fmtDay}, {"day", fmtDay}, {"DY", fmtDy}, {"Dy", fmtDy}, {"dy", fmtDy},
	{"DDD", fmtDDD}, {"DD", fmtDD}, {"D", fmtD}, {"ID", fmtID}, {"IW", fmtIW}, {"Q", fmtQ}, {"CC", fmtCC},
	{"TZ", fmtTZ}, {"tz", fmtTZ}, {"OF", fmtOF}, {"J", fmtJ},
}

func parseFormat(f string) []fmtNode {
	var out []fmtNode
	lit := func(s string) {
		if n := len(out); n > 0 && out[n-1].kind == fmtLiteral {
			out[n-1].text += s
			return
		}
		out = append(out, fmtNode{kind: fmtLiteral, text: s})
	}
	for i := 0; i < len(f); {
		if f[i] == '"' {
			j := i + 1
			var b strings.Builder
			for j < len(f) && f[j] != '"' {
				if f[j] == '\\' && j+1 < len(f) {
					j++
				}
				b.WriteByte(f[j])
				j++
			}
			lit(b.String())
			i = j + 1
			continue
		}
		if f[i] == '\\' && i+1 < len(f) && f[i+1] == '"' {
			// Only a double quote is escaped by a backslash.
			lit(`"`)
			i += 2
			continue
		}
		fm := false
		j := i
		if strings.HasPrefix(f[j:], "FM") || strings.HasPrefix(f[j:], "fm") {
			fm = true
			j += 2
		}
		matched := false
		for _, p := range fmtPatterns {
			if strings.HasPrefix(f[j:], p.pat) {
				n := fmtNode{kind: p.kind, text: p.pat, fm: fm}
				j += len(p.pat)
				if strings.HasPrefix(f[j:], "TH") {
					n.th, j = 'T', j+2
				} else if strings.HasPrefix(f[j:], "th") {
					n.th, j = 't', j+2
				}
				out = append(out, n)
				i, matched = j, true
				break
			}
		}
		if !matched {
			lit(f[i : i+1])
			i++
		}
	}
	return out
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func appendNum(b []byte, v int64, width int, fm bool) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if !fm {
		for i := len(s); i < width; i++ {
			b = append(b, '0')
		}
	}
	return append(b, s...)
}

func ordinal(v int64, upper bool) string {
	suf := "th"
	if v%100 < 11 || v%100 > 13 {
		switch v % 10 {
		case 1:
			suf = "st"
		case 2:
			suf = "nd"
		case 3:
			suf = "rd"
		}
	}
	if upper {
		return strings.ToUpper(suf)
	}
	return suf
}

// caseLike renders name in the case of the pattern (MONTH, Month, month)
// padded to 9 characters unless FM.
func caseLike(b []byte, name, pat string, fm bool, width int) []byte {
	switch {
	case pat == strings.ToUpper(pat):
		name = strings.ToUpper(name)
	case pat == strings.ToLower(pat):
		name = strings.ToLower(name)
	}
	b = append(b, name...)
	if !fm {
		for i := len(name); i < width; i++ {
			b = append(b, ' ')
		}
	}
	return b
}

func toCharTS(ctx *Ctx, a []types.Datum) (types.Datum, error) {
	if isTimeInf(a[0].I) {
		return types.Null, nil
	}
	c := toCivil(a[0].I)
	year := c.year
	if year <= 0 {
		year = 1 - year
	}
	b := ctx.Scratch[:0]
	for _, n := range parseFormat(a[1].S) {
		var v int64
		numeric := true
		switch n.kind {
		case fmtLiteral:
			b = append(b, n.text...)
			continue
		case fmtYYYY:
			b = appendNum(b, year, 4, n.fm)
			v = year
		case fmtYYY:
			b = appendNum(b, year%1000, 3, n.fm)
			v = year
		case fmtYY:
			b = appendNum(b, year%100, 2, n.fm)
			v = year
		case fmtY:
			b = appendNum(b, year%10, 1, n.fm)
			v = year
		case fmtIYYY:
			iy, _ := isoWeek(c.year, c.month, c.day)
			v = iy
			b = appendNum(b, iy, 4, n.fm)
		case fmtCC:
			v = (year + 99) / 100
			b = appendNum(b, v, 2, n.fm)
		case fmtMM:
			v = int64(c.month)
			b = appendNum(b, v, 2, n.fm)
		case fmtDD:
			v = int64(c.day)
			b = appendNum(b, v, 2, n.fm)
		case fmtDDD:
			v = c.days - types.DaysFromCivil(c.year, 1, 1) + 1
			b = appendNum(b, v, 3, n.fm)
		case fmtD:
			v = (c.days%7+7+4)%7 + 1
			b = appendNum(b, v, 1, n.fm)
		case fmtID:
			v = (c.days%7 + 7 + 3) % 7
			v++
			b = appendNum(b, v, 1, n.fm)
		case fmtIW:
			_, w := isoWeek(c.year, c.month, c.day)
			v = int64(w)
			b = appendNum(b, v, 2, n.fm)
		case fmtQ:
			v = int64((c.month-1)/3 + 1)
			b = appendNum(b, v, 1, n.fm)
		case fmtHH24:
			v = int64(c.hour)
			b = appendNum(b, v, 2, n.fm)
		case fmtHH12:
			v = int64(c.hour % 12)
			if v == 0 {
				v = 12
			}
			b = appendNum(b, v, 2, n.fm)
		case fmtMI:
			v = int64(c.minute)
			b = appendNum(b, v, 2, n.fm)
		case fmtSS:
			v = int64(c.sec)
			b = appendNum(b, v, 2, n.fm)
		case fmtSSSS:
			v = c.microsOfDays / microsPerSecond
			b = appendNum(b, v, 1, true)
		case fmtMS:
			v = c.usec / 1000
			b = appendNum(b, v, 3, n.fm)
		case fmtUS:
			v = c.usec
			b = appendNum(b, v, 6, n.fm)
		case fmtFF1, fmtFF2, fmtFF3, fmtFF4, fmtFF5, fmtFF6:
			digits := int(n.kind-fmtFF1) + 1
			v = c.usec / pow10i(6-digits)
			b = appendNum(b, v, digits, false)
		case fmtJ:
			v = c.days + 2440588
			b = appendNum(b, v, 1, true)
		case fmtAM:
			numeric = false
			pm := c.hour >= 12
			s := n.text
			upper := s[0] == 'A' || s[0] == 'P'
			dots := strings.Contains(s, ".")
			var out string
			switch {
			case pm && dots:
				out = "p.m."
			case pm:
				out = "pm"
			case dots:
				out = "a.m."
			default:
				out = "am"
			}
			if upper {
				out = strings.ToUpper(out)
			}
			b = append(b, out...)
		case fmtMonth:
			numeric = false
			b = caseLike(b, monthNames[c.month-1], n.text, n.fm, 9)
		case fmtMon:
			numeric = false
			b = caseLike(b, monthNames[c.month-1][:3], n.text, true, 0)
		case fmtDay:
			numeric = false
			b = caseLike(b, dayNames[(c.days%7+7+4)%7], n.text, n.fm, 9)
		case fmtDy:
			numeric = false
			b = caseLike(b, dayNames[(c.days%7+7+4)%7][:3], n.text, true, 0)
		case fmtTZ:
			numeric = false
			if n.text == "tz" {
				b = append(b, "utc"...)
			} else {
				b = append(b, "UTC"...)
			}
		case fmtOF:
			numeric = false
			b = append(b, "+00"...)
		}
		if numeric && n.th != 0 {
			b = append(b, ordinal(v, n.th == 'T')...)
		}
	}
	ctx.Scratch = b
	return types.NewString(string(b)), nil
}

func pow10i(n int) int64 {
	r := int64(1)
	for ; n > 0; n-- {
		r *= 10
	}
	return r
}

func errBadFormatValue(s, field string) error {
	return pgerror.Newf(pgerror.InvalidDatetimeFormat, "invalid value \"%s\" for \"%s\"", s, field)
}

// parseFormatted is to_timestamp(text, fmt): it returns microseconds
// since the epoch (UTC).
func parseFormatted(s, f string) (int64, error) {
	// Missing fields default to January 1 of year 1 BC (astronomical
	// year 0), as in PostgreSQL.
	year, month, day := int64(0), 1, 1
	var hour, minute, sec, usec int64
	pm, hasAMPM, hour12 := false, false, false
	doy := int64(-1)
	bc := false
	i := 0
	skipSpaces := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	readNum := func(maxDigits int, field string) (int64, error) {
		skipSpaces()
		start := i
		neg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') && field == "YYYY" {
			neg = s[i] == '-'
			i++
		}
		ds := i
		for i < len(s) && i-ds < maxDigits && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == ds {
			rest := s[start:]
			if len(rest) > 10 {
				rest = rest[:10]
			}
			return 0, errBadFormatValue(rest, field)
		}
		v, _ := strconv.ParseInt(s[ds:i], 10, 64)
		if neg {
			v = -v
		}
		return v, nil
	}
	readName := func(names []string, abbrev bool, field string) (int, error) {
		skipSpaces()
		for k, name := range names {
			if abbrev {
				name = name[:3]
			}
			if len(s)-i >= len(name) && strings.EqualFold(s[i:i+len(name)], name) {
				i += len(name)
				return k, nil
			}
		}
		rest := s[i:]
		if len(rest) > 10 {
			rest = rest[:10]
		}
		return 0, errBadFormatValue(rest, field)
	}
	var err error
	nodes := parseFormat(f)
	for k, n := range nodes {
		// Without a separator before the next field, a field reads only
		// its nominal width (YYYYMMDD).
		packed := k+1 < len(nodes) && nodes[k+1].kind != fmtLiteral
		switch n.kind {
		case fmtLiteral:
			for range n.text {
				if i < len(s) {
					i++
				}
			}
		case fmtYYYY, fmtIYYY:
			w := 9
			if packed {
				w = 4
			}
			year, err = readNum(w, "YYYY")
		case fmtYYY:
			year, err = readNum(3, "YYY")
			if err == nil && year < 100 {
				year += 2000
			}
		case fmtYY:
			year, err = readNum(2, "YY")
			if err == nil {
				if year < 70 {
					year += 2000
				} else {
					year += 1900
				}
			}
		case fmtY:
			year, err = readNum(1, "Y")
			year += 2000
		case fmtMM:
			var v int64
			v, err = readNum(2, "MM")
			month = int(v)
		case fmtDD:
			var v int64
			v, err = readNum(2, "DD")
			day = int(v)
		case fmtDDD:
			doy, err = readNum(3, "DDD")
		case fmtHH24:
			hour, err = readNum(2, "HH24")
		case fmtHH12:
			hour, err = readNum(2, "HH12")
			hour12 = true
		case fmtMI:
			minute, err = readNum(2, "MI")
		case fmtSS:
			sec, err = readNum(2, "SS")
		case fmtMS:
			var v int64
			st := i
			v, err = readNum(3, "MS")
			for k := i - st; k < 3 && err == nil; k++ {
				v *= 10
			}
			usec += v * 1000
		case fmtUS, fmtFF1, fmtFF2, fmtFF3, fmtFF4, fmtFF5, fmtFF6:
			var v int64
			skipSpaces()
			st := i
			v, err = readNum(6, "US")
			for k := i - st; k < 6 && err == nil; k++ {
				v *= 10
			}
			usec += v
		case fmtAM:
			skipSpaces()
			hasAMPM = true
			rest := strings.ToLower(s[i:])
			switch {
			case strings.HasPrefix(rest, "a.m."), strings.HasPrefix(rest, "p.m."):
				pm = rest[0] == 'p'
				i += 4
			case strings.HasPrefix(rest, "am"), strings.HasPrefix(rest, "pm"):
				pm = rest[0] == 'p'
				i += 2
			default:
				return 0, errBadFormatValue(s[i:], n.text)
			}
		case fmtMonth:
			var k int
			k, err = readName(monthNames[:], false, "Month")
			month = k + 1
		case fmtMon:
			var k int
			k, err = readName(monthNames[:], true, "Mon")
			month = k + 1
		case fmtDay:
			_, err = readName(dayNames[:], false, "Day")
		case fmtDy:
			_, err = readName(dayNames[:], true, "Dy")
		case fmtD, fmtID, fmtQ, fmtIW, fmtCC, fmtJ, fmtSSSS:
			_, err = readNum(9, n.text)
		case fmtTZ, fmtOF:
			return 0, pgerror.Newf(pgerror.FeatureNotSupported, "formatting field \"%s\" is only supported in to_char", n.text)
		}
		if err != nil {
			return 0, err
		}
	}
	if hour12 || hasAMPM {
		if hour < 1 || hour > 12 {
			return 0, pgerror.Newf(pgerror.InvalidDatetimeFormat, "hour \"%d\" is invalid for the 12-hour clock", hour).
				WithHint("Use the 24-hour clock, or give an hour between 1 and 12.")
		}
		if pm && hour < 12 {
			hour += 12
		} else if !pm && hour == 12 {
			hour = 0
		}
	}
	if bc {
		year = 1 - year
	}
	if doy >= 0 {
		month, day = 1, 1
	}
	if month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 24 || minute > 59 || sec > 60 {
		return 0, pgerror.New(pgerror.DatetimeFieldOverflow, "date/time field value out of range: \""+s+"\"")
	}
	days := types.DaysFromCivil(year, month, day)
	if doy >= 0 {
		days += doy - 1
	}
	m, ok := mulAdd(days, microsPerDay, hour*microsPerHour+minute*microsPerMinute+sec*microsPerSecond+usec)
	if !ok || m < minTimestamp {
		return 0, errTSRange
	}
	return m, nil
}
