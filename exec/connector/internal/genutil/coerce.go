package genutil

import (
	"math"
	"strconv"
	"time"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/types"
)

// Generators produce int64s, float64s, strings and event times; the
// relation may declare any column type. These conversions follow what a
// user would expect from an implicit cast and give NULL where no sensible
// conversion exists (the generator cannot fail mid-stream). Integers that
// do not fit a narrower integer type wrap, as Go conversions do: cheaper
// than a range check per value and still deterministic.

// FromInt converts a generated integer to a datum of type t.
func FromInt(v int64, t types.T) types.Datum {
	switch t.Fam {
	case types.Int8, types.Oid, types.RegClass, types.RegType, types.RegProc:
		return types.NewInt(v)
	case types.Int4:
		return types.NewInt(int64(int32(v)))
	case types.Int2:
		return types.NewInt(int64(int16(v)))
	case types.Float8:
		return types.NewFloat(float64(v))
	case types.Float4:
		return types.NewFloat(float64(float32(v)))
	case types.Numeric:
		return types.NewDecimal(apd.New(v, 0))
	case types.Bool:
		return types.NewBool(v != 0)
	case types.Text, types.Varchar, types.Name, types.Unknown:
		return FromString(strconv.FormatInt(v, 10), t)
	case types.Timestamp, types.Timestamptz:
		// An integer destined for a timestamp is read as epoch millis,
		// the unit of Nexmark's and Flink's BIGINT times.
		return types.NewTime(v * 1000)
	}
	return types.Null
}

// FromFloat converts a generated float to a datum of type t.
func FromFloat(f float64, t types.T) types.Datum {
	switch t.Fam {
	case types.Float8:
		return types.NewFloat(f)
	case types.Float4:
		return types.NewFloat(float64(float32(f)))
	case types.Int2, types.Int4, types.Int8:
		return FromInt(int64(math.Round(f)), t)
	case types.Numeric:
		scale := t.NumericScale()
		if scale < 0 {
			scale = 2
		}
		return types.NewDecimal(apd.New(int64(math.Round(f*math.Pow10(scale))), -int32(scale)))
	case types.Text, types.Varchar, types.Name, types.Unknown:
		return FromString(strconv.FormatFloat(f, 'g', -1, 64), t)
	}
	return types.Null
}

// FromTime converts an event time (microseconds since the Unix epoch) to a
// datum of type t; integer types receive epoch milliseconds.
func FromTime(us int64, t types.T) types.Datum {
	switch t.Fam {
	case types.Timestamp, types.Timestamptz:
		return types.NewTime(us)
	case types.Date:
		return types.NewDate(floorDiv(us, 86400e6))
	case types.Int8, types.Int4, types.Int2:
		return FromInt(floorDiv(us, 1000), t)
	case types.Float8, types.Float4:
		return FromFloat(float64(us)/1000, t)
	case types.Text, types.Varchar, types.Name, types.Unknown:
		s := time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
		return FromString(s, t)
	}
	return types.Null
}

// FromString converts a generated string to a datum of type t. A varchar(n)
// value is cut to n bytes (generated strings are ASCII) rather than failing
// as an INSERT would: the generator has nobody to report an error to.
func FromString(s string, t types.T) types.Datum {
	switch t.Fam {
	case types.Text, types.Name, types.Unknown:
		return types.NewString(s)
	case types.Varchar:
		if t.Mod > 0 && len(s) > int(t.Mod) {
			s = s[:t.Mod]
		}
		return types.NewString(s)
	case types.Char:
		if len(s) > 1 {
			s = s[:1]
		}
		return types.NewString(s)
	case types.Bytea:
		return types.Datum{K: types.KBytes, S: s}
	}
	return types.Null
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
