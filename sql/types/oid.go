package types

import (
	"strconv"
	"strings"

	"streamsqld/sql/pgerror"
)

// PostgreSQL type OIDs (pg_type.oid), as clients know them.
const (
	OIDBool        uint32 = 16
	OIDBytea       uint32 = 17
	OIDChar        uint32 = 18
	OIDName        uint32 = 19
	OIDInt8        uint32 = 20
	OIDInt2        uint32 = 21
	OIDInt4        uint32 = 23
	OIDRegProc     uint32 = 24
	OIDText        uint32 = 25
	OIDOid         uint32 = 26
	OIDJson        uint32 = 114
	OIDFloat4      uint32 = 700
	OIDFloat8      uint32 = 701
	OIDUnknown     uint32 = 705
	OIDVarchar     uint32 = 1043
	OIDDate        uint32 = 1082
	OIDTimestamp   uint32 = 1114
	OIDTimestamptz uint32 = 1184
	OIDInterval    uint32 = 1186
	OIDNumeric     uint32 = 1700
	OIDRegClass    uint32 = 2205
	OIDRegType     uint32 = 2206
	OIDRecord      uint32 = 2249
	OIDVoid        uint32 = 2278
	OIDJsonb       uint32 = 3802
)

// famInfo is the static catalog data of one family: its OID, the OID of its
// array type (0 when PostgreSQL has none), pg_type.typlen and the
// format_type name.
type famInfo struct {
	oid, arrayOID uint32
	typLen        int16
	name          string
}

var famInfos = [...]famInfo{
	Unknown:     {OIDUnknown, 0, -2, "unknown"},
	Bool:        {OIDBool, 1000, 1, "boolean"},
	Int2:        {OIDInt2, 1005, 2, "smallint"},
	Int4:        {OIDInt4, 1007, 4, "integer"},
	Int8:        {OIDInt8, 1016, 8, "bigint"},
	Float4:      {OIDFloat4, 1021, 4, "real"},
	Float8:      {OIDFloat8, 1022, 8, "double precision"},
	Numeric:     {OIDNumeric, 1231, -1, "numeric"},
	Text:        {OIDText, 1009, -1, "text"},
	Varchar:     {OIDVarchar, 1015, -1, "character varying"},
	Timestamp:   {OIDTimestamp, 1115, 8, "timestamp without time zone"},
	Timestamptz: {OIDTimestamptz, 1185, 8, "timestamp with time zone"},
	Interval:    {OIDInterval, 1187, 16, "interval"},
	Date:        {OIDDate, 1182, 4, "date"},
	Bytea:       {OIDBytea, 1001, -1, "bytea"},
	Json:        {OIDJson, 199, -1, "json"},
	Jsonb:       {OIDJsonb, 3807, -1, "jsonb"},
	Name:        {OIDName, 1003, 64, "name"},
	Char:        {OIDChar, 1002, 1, `"char"`},
	Oid:         {OIDOid, 1028, 4, "oid"},
	RegClass:    {OIDRegClass, 2210, 4, "regclass"},
	RegType:     {OIDRegType, 2211, 4, "regtype"},
	RegProc:     {OIDRegProc, 1008, 4, "regproc"},
	Array:       {0, 0, -1, "anyarray"},
	Record:      {OIDRecord, 2287, -1, "record"},
	Void:        {OIDVoid, 0, 4, "void"},
}

func (f Family) info() *famInfo {
	if int(f) < len(famInfos) {
		return &famInfos[f]
	}
	return &famInfos[Unknown]
}

// oidToType is the reverse of OID, built once from famInfos.
var oidToType = func() map[uint32]T {
	m := make(map[uint32]T, 2*len(famInfos))
	for f := range famInfos {
		fam := Family(f)
		in := &famInfos[f]
		if fam == Array {
			continue
		}
		m[in.oid] = T{Fam: fam, Mod: -1}
		if in.arrayOID != 0 {
			m[in.arrayOID] = ArrayOf(fam)
		}
	}
	return m
}()

// OID returns t's PostgreSQL type OID (23 int4, 1043 varchar, 1009 text[] ...).
// An array of a family that has no array type in PostgreSQL reports 0.
func (t T) OID() uint32 {
	if t.Fam == Array {
		return t.Elem.info().arrayOID
	}
	return t.Fam.info().oid
}

// FromOID returns the type for a PostgreSQL OID.
func FromOID(oid uint32) (T, bool) {
	t, ok := oidToType[oid]
	return t, ok
}

// TypLen is pg_type.typlen: the fixed wire size, or -1 for variable length
// (-2 for unknown, which PostgreSQL stores like a C string).
func (t T) TypLen() int16 { return t.Fam.info().typLen }

// ElemType returns the element type of an array type. The element keeps the
// array's modifier: like PostgreSQL's atttypmod, an array's Mod describes
// its elements (varchar(20)[]).
func (t T) ElemType() T { return T{Fam: t.Elem, Mod: t.Mod} }

// Kind returns the Datum kind that carries values of t.
func (t T) Kind() Kind {
	switch t.Fam {
	case Bool:
		return KBool
	case Int2, Int4, Int8, Oid, RegClass, RegType, RegProc:
		return KInt
	case Float4, Float8:
		return KFloat
	case Numeric:
		return KDecimal
	case Timestamp, Timestamptz:
		return KTime
	case Date:
		return KDate
	case Interval:
		return KInterval
	case Array, Record:
		return KArray
	case Bytea:
		return KBytes
	case Void:
		return KNull
	}
	return KString
}

// PGTypmod is the type modifier as PostgreSQL reports it in
// RowDescription and pg_attribute.atttypmod: varchar(n) is n+4 and
// numeric(p,s) is (p<<16|s)+4 because PostgreSQL counts the varlena header;
// timestamp(p) is p. It is -1 when t has no modifier.
func (t T) PGTypmod() int32 {
	if t.Mod < 0 {
		return -1
	}
	f := t.Fam
	if f == Array {
		f = t.Elem
	}
	switch f {
	case Varchar, Numeric:
		return t.Mod + 4
	case Timestamp, Timestamptz, Interval:
		return t.Mod
	}
	return -1
}

// String is the type's name as PostgreSQL's format_type prints it
// ("bigint", "character varying(20)", "timestamp without time zone", "text[]").
func (t T) String() string {
	var b []byte
	if t.Fam == Array {
		b = appendTypeName(make([]byte, 0, 32), t.Elem, t.Mod)
		b = append(b, "[]"...)
	} else {
		b = appendTypeName(make([]byte, 0, 32), t.Fam, t.Mod)
	}
	return string(b)
}

func appendTypeName(b []byte, f Family, mod int32) []byte {
	if mod < 0 {
		return append(b, f.info().name...)
	}
	switch f {
	case Varchar:
		b = append(b, "character varying("...)
		b = strconv.AppendInt(b, int64(mod), 10)
		return append(b, ')')
	case Numeric:
		b = append(b, "numeric("...)
		b = strconv.AppendInt(b, int64(mod>>16), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(mod&0xffff), 10)
		return append(b, ')')
	case Timestamp, Timestamptz:
		b = append(b, "timestamp("...)
		b = strconv.AppendInt(b, int64(mod), 10)
		if f == Timestamp {
			return append(b, ") without time zone"...)
		}
		return append(b, ") with time zone"...)
	case Interval:
		b = append(b, "interval("...)
		b = strconv.AppendInt(b, int64(mod), 10)
		return append(b, ')')
	}
	return append(b, f.info().name...)
}

// Limits on type modifiers, as PostgreSQL enforces them.
const (
	maxVarcharLen       = 10 * 1024 * 1024
	maxNumericPrecision = 1000
	maxTimePrecision    = 6
)

// typeNames maps the lower-case SQL spellings of a type to its family.
var typeNames = map[string]Family{
	"bool": Bool, "boolean": Bool,
	"int2": Int2, "smallint": Int2,
	"int": Int4, "int4": Int4, "integer": Int4,
	"int8": Int8, "bigint": Int8,
	"real": Float4, "float4": Float4,
	"float8": Float8, "double precision": Float8,
	"numeric": Numeric, "decimal": Numeric, "dec": Numeric,
	"text": Text, "string": Text,
	"varchar": Varchar, "character varying": Varchar, "char varying": Varchar,
	"timestamp": Timestamp, "timestamp without time zone": Timestamp,
	"timestamptz": Timestamptz, "timestamp with time zone": Timestamptz,
	"interval": Interval,
	"date":     Date,
	"bytea":    Bytea,
	"json":     Json,
	"jsonb":    Jsonb,
	"name":     Name,
	`"char"`:   Char,
	"oid":      Oid,
	"regclass": RegClass,
	"regtype":  RegType,
	"regproc":  RegProc,
	"record":   Record,
	"void":     Void,
	"unknown":  Unknown,
}

// ParseTypeName maps a SQL type name and its modifiers (the numbers in
// varchar(20) or numeric(10,2)) to a type. Names are case-insensitive, may
// carry a pg_catalog. prefix and a trailing [] for arrays. The quoted name
// "char" is PostgreSQL's one-byte type; the bare SQL char(n)/character(n)
// (blank-padded bpchar) is approximated by varchar(n), which lacks the
// padding semantics.
//
// Modifiers may also be written inside name ("numeric(10,2)",
// "timestamp(3) with time zone") when mods is empty.
func ParseTypeName(name string, mods []int) (T, error) {
	n := normalizeTypeName(name)
	if open := strings.IndexByte(n, '('); open >= 0 && len(mods) == 0 {
		end := strings.IndexByte(n, ')')
		if end < open {
			return T{}, pgerror.Newf(pgerror.SyntaxError, "syntax error at or near \"%s\"", name)
		}
		for _, f := range strings.Split(n[open+1:end], ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return T{}, typmodError(name)
			}
			mods = append(mods, v)
		}
		n = normalizeTypeName(n[:open] + " " + n[end+1:])
	}
	isArray := false
	for strings.HasSuffix(n, "[]") {
		isArray = true
		n = strings.TrimSpace(n[:len(n)-2])
	}
	if strings.HasPrefix(n, "_") && len(n) > 1 {
		// PostgreSQL's internal array names: _int4, _text.
		if _, ok := typeNames[n[1:]]; ok {
			isArray = true
			n = n[1:]
		}
	}
	t, err := parseScalarTypeName(n, name, mods)
	if err != nil {
		return T{}, err
	}
	if isArray {
		if t.Fam == Array || t.Fam == Void || t.Fam == Unknown {
			return T{}, pgerror.Newf(pgerror.UndefinedObject, "type \"%s[]\" does not exist", strings.TrimSpace(name))
		}
		return T{Fam: Array, Elem: t.Fam, Mod: t.Mod}, nil
	}
	return t, nil
}

func parseScalarTypeName(n, orig string, mods []int) (T, error) {
	switch n {
	case "float":
		// float(p): PostgreSQL picks real for p <= 24, double otherwise.
		if len(mods) == 0 {
			return TFloat8, nil
		}
		if len(mods) > 1 {
			return T{}, typmodError(orig)
		}
		p := mods[0]
		switch {
		case p < 1:
			return T{}, pgerror.New(pgerror.InvalidParameterValue, "precision for type float must be at least 1 bit")
		case p <= 24:
			return TFloat4, nil
		case p <= 53:
			return TFloat8, nil
		}
		return T{}, pgerror.New(pgerror.InvalidParameterValue, "precision for type float must be less than 54 bits")
	case "char", "character", "bpchar":
		mod := int32(1)
		if n == "bpchar" {
			mod = -1
		}
		if len(mods) > 0 {
			m, err := varcharMod(n, mods)
			if err != nil {
				return T{}, err
			}
			mod = m
		}
		return T{Fam: Varchar, Mod: mod}, nil
	}
	fam, ok := typeNames[n]
	if !ok {
		return T{}, pgerror.Newf(pgerror.UndefinedObject, "type \"%s\" does not exist", strings.TrimSpace(orig))
	}
	t := T{Fam: fam, Mod: -1}
	if len(mods) == 0 {
		return t, nil
	}
	switch fam {
	case Varchar:
		m, err := varcharMod("varchar", mods)
		if err != nil {
			return T{}, err
		}
		t.Mod = m
	case Numeric:
		if len(mods) > 2 {
			return T{}, typmodError(orig)
		}
		p, s := mods[0], 0
		if len(mods) == 2 {
			s = mods[1]
		}
		if p < 1 || p > maxNumericPrecision {
			return T{}, pgerror.Newf(pgerror.InvalidParameterValue, "NUMERIC precision %d must be between 1 and %d", p, maxNumericPrecision)
		}
		if s < 0 || s > p {
			return T{}, pgerror.Newf(pgerror.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", s, p)
		}
		t.Mod = NumericMod(p, s)
	case Timestamp, Timestamptz, Interval:
		if len(mods) > 1 {
			return T{}, typmodError(orig)
		}
		p := mods[0]
		if p < 0 {
			kw := "TIMESTAMP"
			if fam == Interval {
				kw = "INTERVAL"
			}
			return T{}, pgerror.Newf(pgerror.InvalidParameterValue, "%s(%d) precision must not be negative", kw, p)
		}
		// PostgreSQL only warns and reduces a larger precision to 6.
		t.Mod = int32(min(p, maxTimePrecision))
	default:
		return T{}, typmodError(orig)
	}
	return t, nil
}

func varcharMod(name string, mods []int) (int32, error) {
	if len(mods) != 1 {
		return 0, typmodError(name)
	}
	if mods[0] < 1 {
		return 0, pgerror.Newf(pgerror.InvalidParameterValue, "length for type %s must be at least 1", name)
	}
	if mods[0] > maxVarcharLen {
		return 0, pgerror.Newf(pgerror.InvalidParameterValue, "length for type %s cannot exceed %d", name, maxVarcharLen)
	}
	return int32(mods[0]), nil
}

func typmodError(name string) error {
	return pgerror.Newf(pgerror.SyntaxError, "invalid type modifier for type %s", strings.TrimSpace(name))
}

// normalizeTypeName lower-cases name (except a quoted "char"), collapses
// runs of white space and drops a pg_catalog schema.
func normalizeTypeName(name string) string {
	n := strings.Join(strings.Fields(strings.ToLower(name)), " ")
	n = strings.TrimPrefix(n, "pg_catalog.")
	n = strings.ReplaceAll(n, " []", "[]")
	return n
}
