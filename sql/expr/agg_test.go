package expr

import (
	"testing"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

func mustParse(t *testing.T, s string, typ types.T) types.Datum {
	t.Helper()
	if s == "NULL" {
		return types.Null
	}
	d, err := types.ParseText(s, typ)
	if err != nil {
		t.Fatalf("parse %q as %s: %v", s, typ, err)
	}
	return d
}

func fmtDatum(d types.Datum, t types.T) string {
	if d.K == types.KNull {
		return "NULL"
	}
	return types.FormatText(d, t)
}

// TestAggregates checks results against PostgreSQL 15 (computed with
// SELECT agg(x) FROM (VALUES ...)), then checks that retracting inputs
// gives the aggregate of what remains and that the state survives a
// checkpoint round trip.
func TestAggregates(t *testing.T) {
	cases := []struct {
		name     string
		args     []types.T
		distinct bool
		in       []string
		want     string
		retType  string
	}{
		{"count", nil, false, []string{"x", "x", "x"}, "3", "bigint"},
		{"count", []types.T{types.TInt4}, false, []string{"1", "NULL", "2"}, "2", "bigint"},
		{"count", []types.T{types.TText}, true, []string{"b", "a", "NULL", "b"}, "2", "bigint"},
		{"sum", []types.T{types.TInt4}, false, []string{"1", "2"}, "3", "bigint"},
		{"sum", []types.T{types.TInt4}, false, []string{"2147483647", "2147483647"}, "4294967294", "bigint"},
		{"sum", []types.T{types.TInt8}, false, []string{"9223372036854775807", "9223372036854775807"}, "18446744073709551614", "numeric"},
		{"sum", []types.T{types.TInt8}, false, []string{"-9223372036854775808", "-9223372036854775808", "5"}, "-18446744073709551611", "numeric"},
		{"sum", []types.T{types.TNumeric}, false, []string{"1.5", "2.25", "3"}, "6.75", "numeric"},
		{"sum", []types.T{types.TFloat8}, false, []string{"1.5", "2"}, "3.5", "double precision"},
		{"sum", []types.T{types.TFloat4}, false, []string{"1.5", "2.25"}, "3.75", "real"},
		{"sum", []types.T{types.TInt4}, false, []string{"NULL"}, "NULL", "bigint"},
		{"sum", []types.T{types.TInt4}, true, []string{"1", "1", "2"}, "3", "bigint"},
		{"sum", []types.T{types.TInterval}, false, []string{"1 day", "2 hours"}, "1 day 02:00:00", "interval"},
		{"avg", []types.T{types.TInt4}, false, []string{"1", "2"}, "1.5000000000000000", "numeric"},
		{"avg", []types.T{types.TInt4}, false, []string{"1", "2", "2"}, "1.6666666666666667", "numeric"},
		{"avg", []types.T{types.TInt4}, false, []string{"100000", "200001"}, "150000.500000000000", "numeric"},
		{"avg", []types.T{types.TInt8}, false, []string{"10000000000", "3"}, "5000000001.50000000", "numeric"},
		{"avg", []types.T{types.TInt8}, false, []string{"9223372036854775807", "9223372036854775807"}, "9223372036854775807", "numeric"},
		{"avg", []types.T{types.TNumeric}, false, []string{"1.5", "2.25", "3"}, "2.2500000000000000", "numeric"},
		{"avg", []types.T{types.TNumeric}, false, []string{"0.001", "0.002"}, "0.00150000000000000000", "numeric"},
		{"avg", []types.T{types.TInt8}, false, []string{"12345678901234", "1"}, "6172839450617.5000", "numeric"},
		{"avg", []types.T{types.TFloat8}, false, []string{"1.5", "2"}, "1.75", "double precision"},
		{"avg", []types.T{types.TInterval}, false, []string{"1 day", "2 hours"}, "13:00:00", "interval"},
		{"avg", []types.T{types.TInt4}, false, nil, "NULL", "numeric"},
		{"min", []types.T{types.TText}, false, []string{"b", "a", "NULL", "b"}, "a", "text"},
		{"max", []types.T{types.TText}, false, []string{"b", "a", "NULL", "b"}, "b", "text"},
		{"max", []types.T{types.TNumeric}, false, []string{"1.50", "1.5", "-3"}, "1.50", "numeric"},
		{"min", []types.T{types.TTimestamp}, false, []string{"2024-01-02", "2023-12-31 23:59:59"}, "2023-12-31 23:59:59", "timestamp without time zone"},
		{"max", []types.T{types.TFloat8}, false, []string{"1", "NaN", "2"}, "NaN", "double precision"},
		{"string_agg", []types.T{types.TText, types.TText}, false, []string{"b", "a", "NULL", "b"}, "b, a, b", "text"},
		{"string_agg", []types.T{types.TText, types.TText}, true, []string{"b", "a", "NULL", "b"}, "a, b", "text"},
		{"array_agg", []types.T{types.TText}, true, []string{"b", "a", "NULL", "b", "NULL"}, "{a,b,NULL}", "text[]"},
		{"count", []types.T{types.TNumeric}, true, []string{"1.0", "1.00", "2", "NULL"}, "2", "bigint"},
		{"sum", []types.T{types.TNumeric}, true, []string{"1.0", "1.00", "2", "NULL"}, "3.0", "numeric"},
		{"array_agg", []types.T{types.TText}, false, []string{"b", "a", "NULL", "b"}, "{b,a,NULL,b}", "text[]"},
		{"array_agg", []types.T{types.TInt4}, false, []string{"3", "1"}, "{3,1}", "integer[]"},
		{"bool_and", []types.T{types.TBool}, false, []string{"t", "NULL", "f"}, "f", "boolean"},
		{"bool_and", []types.T{types.TBool}, false, []string{"t", "NULL", "t"}, "t", "boolean"},
		{"every", []types.T{types.TBool}, false, []string{"t"}, "t", "boolean"},
		{"bool_or", []types.T{types.TBool}, false, []string{"f", "NULL", "t"}, "t", "boolean"},
		{"bool_or", []types.T{types.TBool}, false, []string{"NULL"}, "NULL", "boolean"},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name+"/"+c.want, func(t *testing.T) {
			a, err := ResolveAgg(c.name, c.args, c.distinct)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Ret.String(); got != c.retType {
				t.Errorf("return type %s, want %s", got, c.retType)
			}
			input := func(s string) types.Datum {
				if len(c.args) == 0 {
					return types.NewInt(1)
				}
				d := mustParse(t, s, c.args[0])
				if len(c.args) == 2 {
					return types.NewArray([]types.Datum{d, types.NewString(", ")})
				}
				return d
			}
			acc := a.New()
			for _, s := range c.in {
				if err := acc.Add(input(s)); err != nil {
					t.Fatal(err)
				}
			}
			if got := fmtDatum(acc.Result(), a.Ret); got != c.want {
				t.Errorf("%s(%v) = %s, want %s", c.name, c.in, got, c.want)
			}

			// State round trip.
			re := a.New()
			if err := re.LoadState(acc.AppendState(nil)); err != nil {
				t.Fatal(err)
			}
			if got := fmtDatum(re.Result(), a.Ret); got != c.want {
				t.Errorf("after LoadState: %s, want %s", got, c.want)
			}

			// Add extra values and retract them again: the result must
			// come back (on both the original and the restored state).
			extras := []string{"7", "7", "-1", "x"}
			for _, x := range []Accumulator{acc, re} {
				var added []types.Datum
				for _, s := range extras {
					d, ok := tryParse(s, c.args)
					if !ok {
						continue
					}
					if len(c.args) == 2 {
						d = types.NewArray([]types.Datum{d, types.NewString(", ")})
					}
					if len(c.args) == 0 {
						d = types.NewInt(1)
					}
					if err := x.Add(d); err != nil {
						t.Fatal(err)
					}
					added = append(added, d)
				}
				for i := len(added) - 1; i >= 0; i-- {
					if err := x.Retract(added[i]); err != nil {
						t.Fatal(err)
					}
				}
				if got := fmtDatum(x.Result(), a.Ret); got != c.want {
					t.Errorf("after add+retract: %s, want %s", got, c.want)
				}
			}

			// Retracting everything gives the empty aggregate.
			for _, s := range c.in {
				if err := acc.Retract(input(s)); err != nil {
					t.Fatal(err)
				}
			}
			empty := a.New().Result()
			if got, want := fmtDatum(acc.Result(), a.Ret), fmtDatum(empty, a.Ret); got != want {
				t.Errorf("after retracting all: %s, want %s", got, want)
			}
		})
	}
}

func tryParse(s string, args []types.T) (types.Datum, bool) {
	if len(args) == 0 {
		return types.NewInt(1), true
	}
	d, err := types.ParseText(s, args[0])
	return d, err == nil
}

func TestAggMinMaxRetractOrder(t *testing.T) {
	a, err := ResolveAgg("min", []types.T{types.TInt4}, false)
	if err != nil {
		t.Fatal(err)
	}
	acc := a.New()
	for _, v := range []int64{5, 3, 3, 9} {
		if err := acc.Add(types.NewInt(v)); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		retract int64
		want    string
	}{{3, "3"}, {3, "5"}, {5, "9"}, {9, "NULL"}}
	for _, s := range steps {
		if err := acc.Retract(types.NewInt(s.retract)); err != nil {
			t.Fatal(err)
		}
		if got := fmtDatum(acc.Result(), types.TInt4); got != s.want {
			t.Fatalf("after retracting %d: %s, want %s", s.retract, got, s.want)
		}
	}
	if err := acc.Retract(types.NewInt(1)); pgerror.Code(err) != pgerror.InternalError {
		t.Fatalf("retracting an absent value: %v", err)
	}
}

func TestAggErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args []types.T
	}{
		{"sum", []types.T{types.TText}},
		{"avg", []types.T{types.TBool}},
		{"nosuch", []types.T{types.TInt4}},
		{"bool_and", []types.T{types.TInt4}},
		{"sum", nil},
	} {
		if _, err := ResolveAgg(c.name, c.args, false); pgerror.Code(err) != pgerror.UndefinedFunction {
			t.Errorf("%s%v: %v, want 42883", c.name, c.args, err)
		}
	}
	a, _ := ResolveAgg("sum", []types.T{types.TInt8}, false)
	if a.Ret != types.TNumeric {
		t.Errorf("sum(bigint) returns %s", a.Ret)
	}
	s, _ := ResolveAgg("sum", []types.T{types.TInt4}, false)
	acc := s.New()
	_ = acc.Add(types.NewInt(1 << 62))
	_ = acc.Add(types.NewInt(1 << 62))
	if err := acc.Add(types.NewInt(1 << 62)); pgerror.Code(err) != pgerror.NumericValueOutOfRange {
		t.Errorf("sum(int) overflow: %v", err)
	}
	if !IsAggregate("COUNT") || IsAggregate("lower") {
		t.Error("IsAggregate")
	}
	if err := acc.LoadState([]byte{0xff}); err == nil {
		t.Error("corrupt state accepted")
	}
}
