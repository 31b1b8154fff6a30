package expr

import (
	"strings"
	"testing"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// TestSetFuncs compares with PostgreSQL 15's output of SELECT f(...).
func TestSetFuncs(t *testing.T) {
	cases := []struct {
		name string
		args []string // parsed as the resolved argument types
		typs []types.T
		want string // rows joined by "|"
	}{
		{"regexp_matches", []string{"#flink #apache", "#([a-z]+)", "g"}, []types.T{types.TText, types.TText, types.TText}, "{flink}|{apache}"},
		{"regexp_matches", []string{"#flink #apache", "#[a-z]+", "g"}, []types.T{types.TText, types.TText, types.TText}, "{#flink}|{#apache}"},
		{"regexp_matches", []string{"#flink #apache", "#[a-z]+"}, []types.T{types.TText, types.TText}, "{#flink}"},
		{"regexp_matches", []string{"abc", "(a)(x)?"}, []types.T{types.TUnknown, types.TUnknown}, "{a,NULL}"},
		{"regexp_matches", []string{"abc", "z"}, []types.T{types.TText, types.TText}, ""},
		{"regexp_split_to_table", []string{"hello world  foo", `\s+`}, []types.T{types.TText, types.TText}, "hello|world|foo"},
		{"regexp_split_to_table", []string{"abc", ""}, []types.T{types.TText, types.TText}, "a|b|c"},
		{"string_to_table", []string{"a,b", ","}, []types.T{types.TText, types.TText}, "a|b"},
		{"generate_series", []string{"1", "10", "3"}, []types.T{types.TInt4, types.TInt4, types.TInt4}, "1|4|7|10"},
		{"generate_series", []string{"5", "1", "-2"}, []types.T{types.TInt4, types.TInt4, types.TInt4}, "5|3|1"},
		{"generate_series", []string{"5", "1"}, []types.T{types.TInt4, types.TInt4}, ""},
		{"generate_series", []string{"2147483646", "2147483647"}, []types.T{types.TInt4, types.TInt4}, "2147483646|2147483647"},
		{"generate_series", []string{"1.5", "3"}, []types.T{types.TNumeric, types.TInt4}, "1.5|2.5"},
		{"generate_series", []string{"0.1", "0.35", "0.1"}, []types.T{types.TNumeric, types.TNumeric, types.TNumeric}, "0.1|0.2|0.3"},
		{"generate_series", []string{"2024-01-31", "2024-05-01", "1 month"}, []types.T{types.TTimestamp, types.TTimestamp, types.TInterval},
			"2024-01-31 00:00:00|2024-02-29 00:00:00|2024-03-29 00:00:00|2024-04-29 00:00:00"},
		{"generate_series", []string{"2024-01-01 00:00+00", "2024-01-01 01:00+00", "30 minutes"}, []types.T{types.TTimestamptz, types.TUnknown, types.TUnknown},
			"2024-01-01 00:00:00+00|2024-01-01 00:30:00+00|2024-01-01 01:00:00+00"},
		{"unnest", []string{"{1,NULL,3}"}, []types.T{types.ArrayOf(types.Int4)}, "1|NULL|3"},
		{"unnest", []string{"NULL"}, []types.T{types.ArrayOf(types.Int4)}, ""},
	}
	for _, c := range cases {
		f, casts, ok, err := ResolveSetFunc(c.name, c.typs)
		if !ok || err != nil {
			t.Errorf("%s%v: ok=%v err=%v", c.name, c.typs, ok, err)
			continue
		}
		args := make([]types.Datum, len(c.args))
		for i, s := range c.args {
			args[i] = mustParse(t, s, casts[i])
		}
		var rows []string
		err = f.Eval(&Ctx{}, args, func(d types.Datum) error {
			rows = append(rows, fmtDatum(d, f.Ret))
			return nil
		})
		if err != nil {
			t.Errorf("%s(%v): %v", c.name, c.args, err)
			continue
		}
		if got := strings.Join(rows, "|"); got != c.want {
			t.Errorf("%s(%v) = %s, want %s", c.name, c.args, got, c.want)
		}
	}
}

func TestSetFuncErrors(t *testing.T) {
	if _, _, ok, _ := ResolveSetFunc("lower", []types.T{types.TText}); ok {
		t.Error("lower is not set-returning")
	}
	if !IsSetReturning("UNNEST") || IsSetReturning("count") {
		t.Error("IsSetReturning")
	}
	if _, _, ok, err := ResolveSetFunc("unnest", []types.T{types.TInt4}); !ok || pgerror.Code(err) != pgerror.UndefinedFunction {
		t.Errorf("unnest(integer): ok=%v err=%v", ok, err)
	}
	f, _, _, _ := ResolveSetFunc("generate_series", []types.T{types.TInt4, types.TInt4, types.TInt4})
	err := f.Eval(&Ctx{}, []types.Datum{types.NewInt(1), types.NewInt(2), types.NewInt(0)}, func(types.Datum) error { return nil })
	if pgerror.Code(err) != pgerror.InvalidParameterValue {
		t.Errorf("zero step: %v", err)
	}
	f, _, _, _ = ResolveSetFunc("regexp_matches", []types.T{types.TText, types.TText})
	err = f.Eval(&Ctx{}, []types.Datum{types.NewString("a"), types.NewString("(")}, func(types.Datum) error { return nil })
	if pgerror.Code(err) != pgerror.InvalidRegularExpression {
		t.Errorf("bad regex: %v", err)
	}
	// The emit error stops the series.
	f, _, _, _ = ResolveSetFunc("generate_series", []types.T{types.TInt8, types.TInt8})
	n := 0
	stop := pgerror.New(pgerror.QueryCanceled, "stop")
	err = f.Eval(&Ctx{}, []types.Datum{types.NewInt(1), types.NewInt(1 << 40)}, func(types.Datum) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("emit error: %v after %d rows", err, n)
	}
}
