package types

import (
	"testing"

	"streamsqld/sql/pgerror"
)

func TestOIDs(t *testing.T) {
	cases := []struct {
		t      T
		oid    uint32
		typLen int16
		name   string
	}{
		{TBool, 16, 1, "boolean"},
		{TInt2, 21, 2, "smallint"},
		{TInt4, 23, 4, "integer"},
		{TInt8, 20, 8, "bigint"},
		{TFloat4, 700, 4, "real"},
		{TFloat8, 701, 8, "double precision"},
		{TNumeric, 1700, -1, "numeric"},
		{T{Fam: Numeric, Mod: NumericMod(10, 2)}, 1700, -1, "numeric(10,2)"},
		{TText, 25, -1, "text"},
		{TVarchar, 1043, -1, "character varying"},
		{T{Fam: Varchar, Mod: 20}, 1043, -1, "character varying(20)"},
		{TTimestamp, 1114, 8, "timestamp without time zone"},
		{T{Fam: Timestamp, Mod: 3}, 1114, 8, "timestamp(3) without time zone"},
		{TTimestamptz, 1184, 8, "timestamp with time zone"},
		{TInterval, 1186, 16, "interval"},
		{TDate, 1082, 4, "date"},
		{TBytea, 17, -1, "bytea"},
		{TJson, 114, -1, "json"},
		{TJsonb, 3802, -1, "jsonb"},
		{TName, 19, 64, "name"},
		{TChar, 18, 1, `"char"`},
		{TOid, 26, 4, "oid"},
		{TRegClass, 2205, 4, "regclass"},
		{TRegType, 2206, 4, "regtype"},
		{TRegProc, 24, 4, "regproc"},
		{TTextArray, 1009, -1, "text[]"},
		{ArrayOf(Int8), 1016, -1, "bigint[]"},
		{ArrayOf(Int4), 1007, -1, "integer[]"},
		{ArrayOf(Bool), 1000, -1, "boolean[]"},
		{ArrayOf(Float8), 1022, -1, "double precision[]"},
		{ArrayOf(Numeric), 1231, -1, "numeric[]"},
		{ArrayOf(Timestamptz), 1185, -1, "timestamp with time zone[]"},
		{ArrayOf(Jsonb), 3807, -1, "jsonb[]"},
		{ArrayOf(Char), 1002, -1, `"char"[]`},
		{T{Fam: Array, Elem: Varchar, Mod: 20}, 1015, -1, "character varying(20)[]"},
		{TRecord, 2249, -1, "record"},
		{TVoid, 2278, 4, "void"},
		{TUnknown, 705, -2, "unknown"},
	}
	for _, c := range cases {
		if got := c.t.OID(); got != c.oid {
			t.Errorf("%s.OID() = %d, want %d", c.name, got, c.oid)
		}
		if got := c.t.TypLen(); got != c.typLen {
			t.Errorf("%s.TypLen() = %d, want %d", c.name, got, c.typLen)
		}
		if got := c.t.String(); got != c.name {
			t.Errorf("String() = %q, want %q", got, c.name)
		}
		back, ok := FromOID(c.oid)
		want := c.t
		want.Mod = -1
		if !ok || back != want {
			t.Errorf("FromOID(%d) = %v, %v; want %v", c.oid, back, ok, want)
		}
	}
	if _, ok := FromOID(0); ok {
		t.Error("FromOID(0) succeeded")
	}
	if _, ok := FromOID(99999); ok {
		t.Error("FromOID(99999) succeeded")
	}
}

func TestPGTypmod(t *testing.T) {
	cases := []struct {
		t    T
		want int32
	}{
		{TInt4, -1},
		{TVarchar, -1},
		{T{Fam: Varchar, Mod: 20}, 24},
		{T{Fam: Numeric, Mod: NumericMod(10, 2)}, 10<<16 | 2 + 4},
		{T{Fam: Timestamptz, Mod: 3}, 3},
		{T{Fam: Array, Elem: Varchar, Mod: 5}, 9},
	}
	for _, c := range cases {
		if got := c.t.PGTypmod(); got != c.want {
			t.Errorf("%s.PGTypmod() = %d, want %d", c.t, got, c.want)
		}
	}
}

func TestParseTypeName(t *testing.T) {
	cases := []struct {
		name string
		mods []int
		want T
		code string
		msg  string
	}{
		{name: "bool", want: TBool},
		{name: "BOOLEAN", want: TBool},
		{name: "int2", want: TInt2},
		{name: "smallint", want: TInt2},
		{name: "int", want: TInt4},
		{name: "Integer", want: TInt4},
		{name: "int4", want: TInt4},
		{name: "int8", want: TInt8},
		{name: "bigint", want: TInt8},
		{name: "real", want: TFloat4},
		{name: "float4", want: TFloat4},
		{name: "float", want: TFloat8},
		{name: "float", mods: []int{10}, want: TFloat4},
		{name: "float", mods: []int{30}, want: TFloat8},
		{name: "float8", want: TFloat8},
		{name: "double  precision", want: TFloat8},
		{name: "numeric", want: TNumeric},
		{name: "decimal", mods: []int{10, 2}, want: T{Fam: Numeric, Mod: NumericMod(10, 2)}},
		{name: "numeric", mods: []int{5}, want: T{Fam: Numeric, Mod: NumericMod(5, 0)}},
		{name: "numeric(12,4)", want: T{Fam: Numeric, Mod: NumericMod(12, 4)}},
		{name: "text", want: TText},
		{name: "string", want: TText},
		{name: "varchar", want: TVarchar},
		{name: "varchar", mods: []int{20}, want: T{Fam: Varchar, Mod: 20}},
		{name: "character varying", mods: []int{20}, want: T{Fam: Varchar, Mod: 20}},
		{name: "char varying(3)", want: T{Fam: Varchar, Mod: 3}},
		{name: "character varying(20)[]", want: T{Fam: Array, Elem: Varchar, Mod: 20}},
		{name: "timestamp", want: TTimestamp},
		{name: "timestamp without time zone", want: TTimestamp},
		{name: "timestamptz", want: TTimestamptz},
		{name: "timestamp with time zone", want: TTimestamptz},
		{name: "timestamp(3) with time zone", want: T{Fam: Timestamptz, Mod: 3}},
		{name: "timestamp", mods: []int{9}, want: T{Fam: Timestamp, Mod: 6}},
		{name: "interval", want: TInterval},
		{name: "date", want: TDate},
		{name: "bytea", want: TBytea},
		{name: "json", want: TJson},
		{name: "jsonb", want: TJsonb},
		{name: "name", want: TName},
		{name: "oid", want: TOid},
		{name: "regclass", want: TRegClass},
		{name: "regtype", want: TRegType},
		{name: `"char"`, want: TChar},
		{name: "pg_catalog.int4", want: TInt4},
		{name: "text[]", want: TTextArray},
		{name: "int8 []", want: ArrayOf(Int8)},
		{name: "_int4", want: ArrayOf(Int4)},
		{name: "char", mods: []int{4}, want: T{Fam: Varchar, Mod: 4}},
		{name: "foo", code: "42704", msg: `type "foo" does not exist`},
		{name: "foo[]", code: "42704", msg: `type "foo[]" does not exist`},
		{name: "varchar", mods: []int{0}, code: "22023", msg: "length for type varchar must be at least 1"},
		{name: "numeric", mods: []int{0}, code: "22023", msg: "NUMERIC precision 0 must be between 1 and 1000"},
		{name: "numeric", mods: []int{5, 6}, code: "22023", msg: "NUMERIC scale 6 must be between 0 and precision 5"},
		{name: "int4", mods: []int{5}, code: "42601", msg: "invalid type modifier for type int4"},
	}
	for _, c := range cases {
		got, err := ParseTypeName(c.name, c.mods)
		if c.code != "" {
			if err == nil || pgerror.Code(err) != c.code || err.Error() != c.msg {
				t.Errorf("ParseTypeName(%q, %v) = %v, %v; want %s %q", c.name, c.mods, got, err, c.code, c.msg)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseTypeName(%q, %v) = %v, %v; want %v", c.name, c.mods, got, err, c.want)
		}
	}
	// Every String() form parses back to the same type.
	for _, typ := range []T{TBool, TInt2, TInt4, TInt8, TFloat4, TFloat8, TNumeric, {Fam: Numeric, Mod: NumericMod(7, 3)},
		TText, TVarchar, {Fam: Varchar, Mod: 9}, TTimestamp, TTimestamptz, {Fam: Timestamp, Mod: 0}, TInterval, TDate,
		TBytea, TJson, TJsonb, TName, TChar, TOid, TRegClass, TRegType, TRegProc, TTextArray, ArrayOf(Date), TRecord, TVoid} {
		got, err := ParseTypeName(typ.String(), nil)
		if err != nil || got != typ {
			t.Errorf("ParseTypeName(%q) = %v, %v; want %v", typ.String(), got, err, typ)
		}
	}
}
