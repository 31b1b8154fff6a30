package types

import (
	"encoding/hex"
	"testing"
)

var fuzzTypes = []T{TBool, TInt2, TInt4, TInt8, TFloat4, TFloat8, TNumeric, {Fam: Numeric, Mod: NumericMod(6, 2)},
	TText, TName, TChar, TBytea, TJson, TJsonb, TTimestamp, TTimestamptz, {Fam: Timestamp, Mod: 2}, TDate, TInterval,
	TOid, TRegType, ArrayOf(Int4), TTextArray, ArrayOf(Numeric), ArrayOf(Interval)}

// FuzzParseText checks that no input crashes the text parsers and that
// whatever parses prints as text that parses back to an equal value.
func FuzzParseText(f *testing.F) {
	for _, c := range textCases {
		f.Add(c.in, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, which uint8) {
		typ := fuzzTypes[int(which)%len(fuzzTypes)]
		d, err := ParseText(s, typ)
		if err != nil {
			return
		}
		out := FormatText(d, typ)
		back, err := ParseText(out, typ)
		if err != nil {
			t.Fatalf("%s: %q parses, prints %q, which does not parse: %v", typ, s, out, err)
		}
		if !Equal(back, d) {
			t.Fatalf("%s: %q prints %q, which parses to a different value", typ, s, out)
		}
		if bin, err := AppendBinary(nil, d, typ); err == nil {
			if _, err := ParseBinary(bin, typ); err != nil {
				t.Fatalf("%s: %q sends %x, which does not receive: %v", typ, s, bin, err)
			}
		}
	})
}

// FuzzParseBinary checks that malformed binary input is rejected, never
// crashes, and that accepted input re-encodes to a value that decodes
// alike.
func FuzzParseBinary(f *testing.F) {
	for _, c := range textCases {
		if b, err := hex.DecodeString(c.wantBin); err == nil && c.code == "" {
			f.Add(b, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		typ := fuzzTypes[int(which)%len(fuzzTypes)]
		d, err := ParseBinary(b, typ)
		if err != nil {
			return
		}
		out, err := AppendBinary(nil, d, typ)
		if err != nil {
			t.Fatalf("%s: %x decodes but does not encode: %v", typ, b, err)
		}
		back, err := ParseBinary(out, typ)
		if err != nil || !Equal(back, d) {
			t.Fatalf("%s: %x re-encodes as %x, which decodes to %v, %v", typ, b, out, back.GoString(), err)
		}
	})
}
