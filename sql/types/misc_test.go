package types

import (
	"encoding/hex"
	"testing"
	"time"

	"streamsqld/sql/pgerror"
)

func TestRecordText(t *testing.T) {
	rec := NewArray([]Datum{
		NewInt(1), NewString("abc"), Null, NewString("x y"), NewString(""), NewString(`a"b`),
		mustParse(t, "1.5", TNumeric), NewArray([]Datum{NewInt(1), NewInt(2)}),
	})
	// PostgreSQL: SELECT row(1, 'abc', null, 'x y', '', 'a"b', 1.5, array[1,2])
	want := `(1,abc,,"x y","","a""b",1.5,"{1,2}")`
	if got := FormatText(rec, TRecord); got != want {
		t.Errorf("record text = %s, want %s", got, want)
	}
	bin, err := AppendBinary(nil, NewArray([]Datum{NewInt(7), Null}), TRecord)
	if err != nil {
		t.Fatal(err)
	}
	// 2 fields; int8 7; NULL (typed text).
	wantBin := "00000002" + "00000014" + "00000008" + "0000000000000007" + "00000019" + "ffffffff"
	if got := hex.EncodeToString(bin); got != wantBin {
		t.Errorf("record binary = %s, want %s", got, wantBin)
	}
}

func TestNestedArrays(t *testing.T) {
	typ := ArrayOf(Int4)
	d := mustParse(t, "{{1,2},{3,NULL}}", typ)
	if got := FormatText(d, typ); got != "{{1,2},{3,NULL}}" {
		t.Errorf("FormatText = %s", got)
	}
	bin, err := AppendBinary(nil, d, typ)
	if err != nil {
		t.Fatal(err)
	}
	// PostgreSQL: array_send('{{1,2},{3,NULL}}'::int4[])
	want := "00000002" + "00000001" + "00000017" + "00000002" + "00000001" + "00000002" + "00000001" +
		"00000004" + "00000001" + "00000004" + "00000002" + "00000004" + "00000003" + "ffffffff"
	if got := hex.EncodeToString(bin); got != want {
		t.Errorf("binary = %s, want %s", got, want)
	}
	back, err := ParseBinary(bin, typ)
	if err != nil || !Equal(back, d) {
		t.Errorf("ParseBinary = %s, %v", FormatText(back, typ), err)
	}
	ragged := NewArray([]Datum{NewArray([]Datum{NewInt(1)}), NewArray([]Datum{NewInt(1), NewInt(2)})})
	if _, err := AppendBinary(nil, ragged, typ); err == nil {
		t.Error("AppendBinary accepted a ragged array")
	}
}

func TestArrayTextErrors(t *testing.T) {
	cases := []struct {
		in, detail string
	}{
		{"{{1,2},{3}}", "Multidimensional arrays must have sub-arrays with matching dimensions."},
		{"{1,2", "Unexpected end of input."},
		{"{1,2}x", "Junk after closing right brace."},
		{"1,2", `Array value must start with "{" or dimension information.`},
		{"{1,{2}}", `Unexpected "{" character.`},
		{"{,}", `Unexpected "," character.`},
		{`{"a}`, "Unexpected end of input."},
	}
	for _, c := range cases {
		_, err := ParseText(c.in, ArrayOf(Int4))
		pe := pgerror.Flatten(err)
		if err == nil || pe.Code != pgerror.InvalidTextRepresentation || pe.Detail != c.detail {
			t.Errorf("ParseText(%q): %v (detail %q), want detail %q", c.in, err, pe.Detail, c.detail)
		}
	}
}

func TestMalformedBinary(t *testing.T) {
	cases := []struct {
		typ T
		hex string
	}{
		{TBool, ""},
		{TInt2, "000102"},
		{TInt4, "0001"},
		{TInt8, "00"},
		{TFloat8, "0000"},
		{TNumeric, "0001"},
		{TNumeric, "000100000000000027ff"}, // digit 10239 >= 10000
		{TNumeric, "0001000000000000"},     // a digit is missing
		{TTimestamp, "00"},
		{TDate, "000000"},
		{TInterval, "00"},
		{ArrayOf(Int4), "00000001"},
		{ArrayOf(Int4), "000000010000000000000017000000020000000100000004"}, // elements missing
		{ArrayOf(Int4), "00000001000000000000001700000001000000010000000200"},
		{TJsonb, "02"},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		_, err := ParseBinary(b, c.typ)
		if err == nil {
			t.Errorf("ParseBinary(%s, %s) succeeded", c.hex, c.typ)
		} else if code := pgerror.Code(err); code != pgerror.InvalidBinaryRepresentation {
			t.Errorf("ParseBinary(%s, %s) code %s (%v), want 22P03", c.hex, c.typ, code, err)
		}
	}
	// An array whose element type does not match is a datatype mismatch.
	b, _ := hex.DecodeString("000000010000000000000014000000010000000100000008000000000000002a")
	if _, err := ParseBinary(b, ArrayOf(Int4)); pgerror.Code(err) != pgerror.DatatypeMismatch {
		t.Errorf("element OID mismatch: %v", err)
	}
}

func TestCheckVarcharLength(t *testing.T) {
	v3 := T{Fam: Varchar, Mod: 3}
	cases := []struct {
		in, want string
		err      bool
	}{
		{"ab", "ab", false},
		{"abc", "abc", false},
		{"äöü", "äöü", false},
		{"abc   ", "abc", false},
		{"abcd", "", true},
		{"ab d", "", true},
	}
	for _, c := range cases {
		got, err := CheckVarcharLength(c.in, v3)
		if c.err {
			if pgerror.Code(err) != pgerror.StringDataRightTruncation || err.Error() != "value too long for type character varying(3)" {
				t.Errorf("CheckVarcharLength(%q) = %q, %v; want 22001", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("CheckVarcharLength(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestCastMisc(t *testing.T) {
	if d, err := Cast(Null, TInt4, TText); err != nil || d.K != KNull {
		t.Errorf("Cast(NULL) = %v, %v", d.GoString(), err)
	}
	_, err := Cast(NewInt(1), TInt4, TInterval)
	if pgerror.Code(err) != "42846" || err.Error() != "cannot cast type integer to interval" {
		t.Errorf("Cast(int4 -> interval) = %v", err)
	}
	d, err := Cast(NewString("héllo"), TText, T{Fam: Varchar, Mod: 2})
	if err != nil || d.S != "hé" {
		t.Errorf("varchar(2) truncation = %q, %v", d.S, err)
	}
	d, err = Cast(NewString("2026-01-01 12:00:00+02"), TUnknown, TTimestamptz)
	if err != nil || FormatText(d, TTimestamptz) != "2026-01-01 10:00:00+00" {
		t.Errorf("unknown -> timestamptz = %v, %v", d.GoString(), err)
	}
	num := T{Fam: Numeric, Mod: NumericMod(5, 2)}
	_, err = Cast(NewInt(1000), TInt4, num)
	pe := pgerror.Flatten(err)
	if pe.Code != "22003" || pe.Message != "numeric field overflow" ||
		pe.Detail != "A field with precision 5, scale 2 must round to an absolute value less than 10^3." {
		t.Errorf("numeric(5,2) overflow = %+v", pe)
	}
}

func TestKindMismatchFallsBack(t *testing.T) {
	// A datum of an unexpected kind prints by its kind instead of panicking.
	if got := FormatText(NewInt(5), TNumeric); got != "5" {
		t.Errorf("got %q", got)
	}
	if got := FormatText(NewString("x"), TInt4); got != "x" {
		t.Errorf("got %q", got)
	}
	if _, err := AppendBinary(nil, NewString("x"), TInt4); err == nil {
		t.Error("AppendBinary accepted a string as integer")
	}
}

func TestRelativeDates(t *testing.T) {
	old := nowFunc
	defer func() { nowFunc = old }()
	nowFunc = func() time.Time { return time.Date(2026, 3, 1, 10, 20, 30, 123456000, time.UTC) }
	cases := []struct {
		in   string
		typ  T
		want string
	}{
		{"now", TTimestamptz, "2026-03-01 10:20:30.123456+00"},
		{"today", TTimestamp, "2026-03-01 00:00:00"},
		{"tomorrow", TDate, "2026-03-02"},
		{"yesterday", TDate, "2026-02-28"},
		{"epoch", TTimestamptz, "1970-01-01 00:00:00+00"},
	}
	for _, c := range cases {
		d, err := ParseText(c.in, c.typ)
		if err != nil || FormatText(d, c.typ) != c.want {
			t.Errorf("ParseText(%q, %s) = %q, %v; want %q", c.in, c.typ, FormatText(d, c.typ), err, c.want)
		}
	}
}

func TestDateTimeRoundTrip(t *testing.T) {
	// Every day over a wide range prints and parses back, BC included.
	for days := int64(minDate); days < endDate; days += 9973 {
		s := FormatText(NewDate(days), TDate)
		d, err := ParseText(s, TDate)
		if err != nil || d.I != days {
			t.Fatalf("date %d prints %q, which parses to %d, %v", days, s, d.I, err)
		}
		ts := NewTime(days*microsPerDay + 45296789012)
		if days*microsPerDay < minTime || days > 106000000 {
			continue
		}
		s = FormatText(ts, TTimestamptz)
		back, err := ParseText(s, TTimestamptz)
		if err != nil || back.I != ts.I {
			t.Fatalf("timestamp %d prints %q, which parses to %d, %v", ts.I, s, back.I, err)
		}
	}
}

func TestIntervalRoundTrip(t *testing.T) {
	vals := []IntervalValue{
		{}, {Micros: 1}, {Micros: -1}, {Days: -1, Micros: 1}, {Months: -13, Days: 5, Micros: -3600e6},
		{Months: 2147483647, Days: 2147483647, Micros: 9223372036854775807},
		{Months: -2147483648, Days: -2147483648, Micros: -9223372036854775807},
	}
	for _, v := range vals {
		s := FormatText(NewInterval(v), TInterval)
		d, err := ParseText(s, TInterval)
		if err != nil || d.Interval() != v {
			t.Errorf("%+v prints %q, which parses to %+v, %v", v, s, d.X, err)
		}
	}
}
