package types

import (
	"math"
	"strconv"
)

// AppendJSON appends d of type t as a JSON value, for sinks with FORMAT
// JSON: numbers as JSON numbers (NUMERIC keeps its scale; NaN and
// infinities, which JSON lacks, as strings), booleans as true/false, json
// and jsonb as they are, arrays as JSON arrays, and every other type as a
// JSON string of its PostgreSQL text form (timestamps as
// "2026-01-01 00:00:02.63", which the Kafka source reads back).
func AppendJSON(buf []byte, d Datum, t T) []byte {
	if d.IsNull() {
		return append(buf, "null"...)
	}
	if d.K != t.Kind() {
		return appendJSONString(buf, string(appendByKind(nil, d)))
	}
	switch t.Fam {
	case Bool:
		if d.I != 0 {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case Int2, Int4, Int8, Oid:
		return strconv.AppendInt(buf, d.I, 10)
	case Float4, Float8:
		f := d.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return appendJSONString(buf, FormatText(d, t))
		}
		bits := 64
		if t.Fam == Float4 {
			bits = 32
		}
		return appendFloat(buf, f, bits)
	case Numeric:
		if dec := d.Decimal(); dec.Form != 0 { // NaN or infinity
			return appendJSONString(buf, FormatText(d, t))
		}
		return AppendNumeric(buf, d.Decimal())
	case Json, Jsonb:
		return append(buf, d.S...)
	case Array:
		buf = append(buf, '[')
		elem := t.ElemType()
		for i, e := range d.Array() {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = AppendJSON(buf, e, elem)
		}
		return append(buf, ']')
	case Text, Varchar, Name:
		return appendJSONString(buf, d.S)
	}
	return appendJSONString(buf, FormatText(d, t))
}

// AppendJSONString appends s as a JSON string literal.
func AppendJSONString(buf []byte, s string) []byte { return appendJSONString(buf, s) }
