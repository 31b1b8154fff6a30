package expr

import (
	"math"
	"testing"

	"streamsqld/sql/types"
)

// to_json of date-time values is ISO 8601 with a T, and of text escapes
// as escape_json does; the sinks' JSON uses the same encoder.
func TestAppendJSONTimestampAndText(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = AppendJSON(make([]byte, 0, 64), types.NewFloat(2.25), types.TFloat8) }); n > 1 {
		t.Errorf("AppendJSON of a float8 allocates %v times", n)
	}
	ts, err := types.ParseText("2026-01-01 00:00:02.63", types.TTimestamp)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    types.Datum
		t    types.T
		want string
	}{
		{ts, types.TTimestamp, `"2026-01-01T00:00:02.63"`},
		{types.NewString("a \"q\"\n"), types.TVarchar, `"a \"q\"\n"`},
		{types.Null, types.TTimestamp, `null`},
		{types.NewFloat(1.5), types.TFloat8, `1.5`},
		{types.NewFloat(math.Inf(-1)), types.TFloat8, `"-Infinity"`},
	} {
		if got := string(AppendJSON([]byte("x"), c.d, c.t)); got != "x"+c.want {
			t.Errorf("AppendJSON(%v) = %s, want x%s", c.d, got, c.want)
		}
	}
}
