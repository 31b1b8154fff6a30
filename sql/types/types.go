// Package types defines streamsqld's SQL types and the Datum value that
// carries one SQL value through the parser, planner, runtime, storage and
// the wire. Types are identified by PostgreSQL OIDs so that clients see the
// same type catalog as on PostgreSQL.
package types

import (
	"fmt"
	"math"

	"github.com/cockroachdb/apd/v3"
)

// Family is the kind of a SQL type, independent of modifiers.
type Family uint8

const (
	Unknown Family = iota // type of an untyped NULL or string literal before coercion
	Bool
	Int2
	Int4
	Int8
	Float4
	Float8
	Numeric
	Text
	Varchar
	Timestamp
	Timestamptz
	Interval
	Date
	Bytea
	Json
	Jsonb
	Name // pg_catalog "name"
	Char // pg_catalog "char" (single byte)
	Oid
	RegClass
	RegType
	RegProc
	Array // element family in T.Elem
	Record
	Void
)

// T is a SQL type: a family, the element family of an array, and the type
// modifier (varchar length, or numeric precision<<16|scale), -1 when absent.
// T is comparable and cheap to copy.
type T struct {
	Fam  Family
	Elem Family // only for Array
	Mod  int32
}

// Common types, ready to use.
var (
	TUnknown     = T{Fam: Unknown, Mod: -1}
	TBool        = T{Fam: Bool, Mod: -1}
	TInt2        = T{Fam: Int2, Mod: -1}
	TInt4        = T{Fam: Int4, Mod: -1}
	TInt8        = T{Fam: Int8, Mod: -1}
	TFloat4      = T{Fam: Float4, Mod: -1}
	TFloat8      = T{Fam: Float8, Mod: -1}
	TNumeric     = T{Fam: Numeric, Mod: -1}
	TText        = T{Fam: Text, Mod: -1}
	TVarchar     = T{Fam: Varchar, Mod: -1}
	TTimestamp   = T{Fam: Timestamp, Mod: -1}
	TTimestamptz = T{Fam: Timestamptz, Mod: -1}
	TInterval    = T{Fam: Interval, Mod: -1}
	TDate        = T{Fam: Date, Mod: -1}
	TBytea       = T{Fam: Bytea, Mod: -1}
	TJson        = T{Fam: Json, Mod: -1}
	TJsonb       = T{Fam: Jsonb, Mod: -1}
	TName        = T{Fam: Name, Mod: -1}
	TChar        = T{Fam: Char, Mod: -1}
	TOid         = T{Fam: Oid, Mod: -1}
	TRegClass    = T{Fam: RegClass, Mod: -1}
	TRegType     = T{Fam: RegType, Mod: -1}
	TRegProc     = T{Fam: RegProc, Mod: -1}
	TTextArray   = T{Fam: Array, Elem: Text, Mod: -1}
	TVoid        = T{Fam: Void, Mod: -1}
	TRecord      = T{Fam: Record, Mod: -1}
)

// ArrayOf returns the array type whose elements are of family f.
func ArrayOf(f Family) T { return T{Fam: Array, Elem: f, Mod: -1} }

// NumericMod packs a NUMERIC(precision, scale) modifier.
func NumericMod(precision, scale int) int32 { return int32(precision<<16 | scale) }

// NumericScale returns the declared scale of a NUMERIC type, or -1.
func (t T) NumericScale() int {
	if t.Fam != Numeric || t.Mod < 0 {
		return -1
	}
	return int(t.Mod & 0xffff)
}

// IsNumeric reports whether arithmetic applies to values of t.
func (t T) IsNumeric() bool {
	switch t.Fam {
	case Int2, Int4, Int8, Float4, Float8, Numeric:
		return true
	}
	return false
}

// IsInteger reports whether t is one of the integer types.
func (t T) IsInteger() bool { return t.Fam == Int2 || t.Fam == Int4 || t.Fam == Int8 }

// IsString reports whether t is a character type.
func (t T) IsString() bool {
	return t.Fam == Text || t.Fam == Varchar || t.Fam == Name || t.Fam == Char || t.Fam == Unknown
}

// Kind is the in-memory representation of a Datum.
type Kind uint8

const (
	KNull     Kind = iota
	KBool          // I: 0 or 1
	KInt           // I
	KFloat         // I: math.Float64bits
	KDecimal       // X: *apd.Decimal (never mutated once in a Datum)
	KString        // S
	KTime          // I: microseconds since 1970-01-01 00:00:00 UTC (timestamp and timestamptz)
	KDate          // I: days since 1970-01-01
	KInterval      // X: IntervalValue
	KArray         // X: []Datum (never mutated once in a Datum)
	KBytes         // S: raw bytes
)

// IntervalValue is PostgreSQL's interval: months, days and microseconds are
// kept apart because their lengths vary.
type IntervalValue struct {
	Months int32
	Days   int32
	Micros int64
}

// Datum is one SQL value. It is passed by value; the zero Datum is NULL.
// Its fields are exported so hot loops can read them without calls; build
// Datums through the constructors below.
type Datum struct {
	K Kind
	I int64
	S string
	X any
}

// Null is the NULL datum.
var Null = Datum{}

func NewBool(b bool) Datum {
	if b {
		return Datum{K: KBool, I: 1}
	}
	return Datum{K: KBool}
}
func NewInt(i int64) Datum         { return Datum{K: KInt, I: i} }
func NewFloat(f float64) Datum     { return Datum{K: KFloat, I: int64(math.Float64bits(f))} }
func NewString(s string) Datum     { return Datum{K: KString, S: s} }
func NewBytes(b []byte) Datum      { return Datum{K: KBytes, S: string(b)} }
func NewTime(micros int64) Datum   { return Datum{K: KTime, I: micros} }
func NewDate(days int64) Datum     { return Datum{K: KDate, I: days} }
func NewArray(elems []Datum) Datum { return Datum{K: KArray, X: elems} }
func NewDecimal(d *apd.Decimal) Datum {
	return Datum{K: KDecimal, X: d}
}
func NewInterval(v IntervalValue) Datum { return Datum{K: KInterval, X: v} }

func (d Datum) IsNull() bool            { return d.K == KNull }
func (d Datum) Bool() bool              { return d.I != 0 }
func (d Datum) Int() int64              { return d.I }
func (d Datum) Float() float64          { return math.Float64frombits(uint64(d.I)) }
func (d Datum) Str() string             { return d.S }
func (d Datum) Micros() int64           { return d.I }
func (d Datum) Decimal() *apd.Decimal   { return d.X.(*apd.Decimal) }
func (d Datum) Interval() IntervalValue { return d.X.(IntervalValue) }
func (d Datum) Array() []Datum          { return d.X.([]Datum) }
func (d Datum) GoString() string        { return fmt.Sprintf("Datum{%d %d %q %v}", d.K, d.I, d.S, d.X) }
func (v IntervalValue) IsZero() bool    { return v.Months == 0 && v.Days == 0 && v.Micros == 0 }
func (v IntervalValue) ApproxMicros() int64 {
	return v.Micros + int64(v.Days)*86400e6 + int64(v.Months)*30*86400e6
}

// Row is one row of values; its schema is known from context.
type Row = []Datum

// Column is a named, typed column of a relation or a result.
type Column struct {
	Name string
	Type T
}
