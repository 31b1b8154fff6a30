package expr

import (
	"sync"
	"testing"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

var (
	colA    = &ColRef{Idx: 0, T: types.TInt4, Name: "a"}
	colName = &ColRef{Idx: 1, T: types.TText, Name: "name"}
	colP    = &ColRef{Idx: 2, T: types.TBool, Name: "p"}
	colQ    = &ColRef{Idx: 3, T: types.TBool, Name: "q"}
	colTS   = &ColRef{Idx: 4, T: types.TTimestamp, Name: "ts"}
	colV    = &ColRef{Idx: 5, T: types.TVarchar, Name: "v"}
)

func mustExpr(t testing.TB, src string) Expr {
	t.Helper()
	e, err := parseSQLExpr(src, colA, colName, colP, colQ, colTS, colV)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return e
}

func mustCompile(t testing.TB, src string) Eval {
	t.Helper()
	ev, err := Compile(mustExpr(t, src))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return ev
}

func boolDatum(s string) types.Datum {
	switch s {
	case "t":
		return types.NewBool(true)
	case "f":
		return types.NewBool(false)
	}
	return types.Null
}

// TestThreeValuedLogic runs the SQL truth tables over columns, so nothing
// is folded away.
func TestThreeValuedLogic(t *testing.T) {
	vals := []string{"t", "f", "NULL"}
	and := map[[2]string]string{
		{"t", "t"}: "t", {"t", "f"}: "f", {"t", "NULL"}: "NULL",
		{"f", "t"}: "f", {"f", "f"}: "f", {"f", "NULL"}: "f",
		{"NULL", "t"}: "NULL", {"NULL", "f"}: "f", {"NULL", "NULL"}: "NULL",
	}
	or := map[[2]string]string{
		{"t", "t"}: "t", {"t", "f"}: "t", {"t", "NULL"}: "t",
		{"f", "t"}: "t", {"f", "f"}: "f", {"f", "NULL"}: "NULL",
		{"NULL", "t"}: "t", {"NULL", "f"}: "NULL", {"NULL", "NULL"}: "NULL",
	}
	evAnd := mustCompile(t, "p and q")
	evOr := mustCompile(t, "p or q")
	evAnd3 := mustCompile(t, "p and q and p")
	evOr3 := mustCompile(t, "p or q or p")
	evNot := mustCompile(t, "not p")
	evIsTrue := mustCompile(t, "p is true")
	evIsNotFalse := mustCompile(t, "p is not false")
	evDistinct := mustCompile(t, "p is distinct from q")
	ctx := &Ctx{}
	for _, p := range vals {
		for _, q := range vals {
			row := types.Row{types.Null, types.Null, boolDatum(p), boolDatum(q)}
			check := func(name string, ev Eval, want string) {
				d, err := ev(ctx, row)
				if err != nil {
					t.Fatal(err)
				}
				if got := fmtDatum(d, types.TBool); got != want {
					t.Errorf("%s with p=%s q=%s: %s, want %s", name, p, q, got, want)
				}
			}
			check("and", evAnd, and[[2]string{p, q}])
			check("or", evOr, or[[2]string{p, q}])
			check("and3", evAnd3, and[[2]string{p, q}])
			check("or3", evOr3, or[[2]string{p, q}])
			distinct := "f"
			if p != q {
				distinct = "t"
			}
			check("distinct", evDistinct, distinct)
		}
		row := types.Row{types.Null, types.Null, boolDatum(p), types.Null}
		d, _ := evNot(ctx, row)
		want := map[string]string{"t": "f", "f": "t", "NULL": "NULL"}[p]
		if got := fmtDatum(d, types.TBool); got != want {
			t.Errorf("not %s = %s", p, got)
		}
		d, _ = evIsTrue(ctx, row)
		if got, want := fmtDatum(d, types.TBool), map[string]string{"t": "t", "f": "f", "NULL": "f"}[p]; got != want {
			t.Errorf("%s is true = %s", p, got)
		}
		d, _ = evIsNotFalse(ctx, row)
		if got, want := fmtDatum(d, types.TBool), map[string]string{"t": "t", "f": "f", "NULL": "t"}[p]; got != want {
			t.Errorf("%s is not false = %s", p, got)
		}
	}
}

// TestShortCircuit checks that AND/OR and CASE do not evaluate operands
// whose value cannot matter (1/0 would fail).
func TestShortCircuit(t *testing.T) {
	ctx := &Ctx{}
	for _, c := range []struct {
		src  string
		want string
	}{
		{"p and 1 / a > 0", "f"},
		{"q or 1 / a > 0", "t"},
		{"case when p then 1 / a else 0 end", "0"},
		{"coalesce(a + 1, 1 / a)", "NULL"},
	} {
		row := types.Row{types.NewInt(0), types.Null, types.NewBool(false), types.NewBool(true)}
		if c.src == "coalesce(a + 1, 1 / a)" {
			row[0] = types.NewInt(0)
			c.want = "1"
		}
		e := mustExpr(t, c.src)
		ev, err := Compile(e)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ev(ctx, row)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := fmtDatum(d, e.Type()); got != c.want {
			t.Errorf("%s = %s, want %s", c.src, got, c.want)
		}
	}
	// And the error surfaces when the operand is needed.
	ev := mustCompile(t, "q and 1 / a > 0")
	_, err := ev(ctx, types.Row{types.NewInt(0), types.Null, types.Null, types.NewBool(true)})
	if pgerror.Code(err) != pgerror.DivisionByZero {
		t.Errorf("got %v, want division by zero", err)
	}
}

func TestExplainString(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"lower(name)", "lower(name)"},
		{"a > 5", "(a > 5)"},
		{"a + 1 > 5 and name like '%x%'", "(((a + 1) > 5) AND (name LIKE '%x%'))"},
		{"not p or q", "((NOT p) OR q)"},
		{"-a", "(- a)"},
		{"a in (1, 2)", "(a IN (1, 2))"},
		{"a is null", "(a IS NULL)"},
		{"p is not true", "(p IS NOT TRUE)"},
		{"a is distinct from 3", "(a IS DISTINCT FROM 3)"},
		{"case when a > 1 then 'x' else 'y' end", "CASE WHEN (a > 1) THEN 'x' ELSE 'y' END"},
		{"coalesce(a, 0)", "COALESCE(a, 0)"},
		{"a = any(array[1, a])", "(a = ANY (ARRAY[1, a]))"},
		{"a::bigint", "(a)::bigint"},
		{"ts > timestamp '2024-01-01'", "(ts > '2024-01-01 00:00:00'::timestamp without time zone)"},
		{"extract(hour from ts)", "EXTRACT(hour FROM ts)"},
		{"name || 'it''s'", "(name || 'it''s')"},
		{"name not ilike 'A%'", "(name NOT ILIKE 'A%')"},
		{"a + 1.5", "((a)::numeric + 1.5)"},
	} {
		e := mustExpr(t, c.src)
		if f, err := Fold(e); err == nil {
			e = f
		}
		if got := String(e); got != c.want {
			t.Errorf("String(%s) = %s, want %s", c.src, got, c.want)
		}
		if got := e.String(); got != String(e) {
			t.Errorf("%T.String() differs: %s", e, got)
		}
	}
	p := &Call{Fn: mustResolve(t, "+", types.TInt4, types.TInt4), Args: []Expr{&Param{Idx: 0, T: types.TInt4}, &Const{D: types.NewInt(1), T: types.TInt4}}}
	if got := String(p); got != "($1 + 1)" {
		t.Errorf("param: %s", got)
	}
}

func mustResolve(t testing.TB, name string, args ...types.T) *Func {
	f, _, err := ResolveFunc(name, args)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"1 + 2 * 3", "7"},
		{"a + (1 + 2)", "(a + 3)"},
		{"false and p", "false"},
		{"true and p", "p"},
		{"p or true", "true"},
		{"p and null", "(p AND NULL)"},
		{"case when 1 > 2 then a when true then 5 else 6 end", "5"},
		{"case when p then 1 when false then 2 end", "CASE WHEN p THEN 1 END"},
		{"coalesce(null, a, 3)", "COALESCE(a, 3)"},
		{"coalesce(null, 3, a)", "3"},
		{"lower('ABC') || name", "('abc' || name)"},
		{"a + null", "NULL"},
		{"now() > ts", "(now() > ts)"},
		{"random() < 2", "(random() < 2)"},
	} {
		f, err := Fold(mustExpr(t, c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := String(f); got != c.want {
			t.Errorf("Fold(%s) = %s, want %s", c.src, got, c.want)
		}
	}
	for _, c := range []struct{ src, code string }{
		{"a + 1 / 0", pgerror.DivisionByZero},
		{"'x' ~ lower('(')", pgerror.InvalidRegularExpression},
		{"a > 2147483647 + 1", pgerror.NumericValueOutOfRange},
	} {
		if _, err := Fold(mustExpr(t, c.src)); err == nil || pgerror.Code(err) != c.code {
			t.Errorf("Fold(%s): %v, want %s", c.src, err, c.code)
		}
	}
	// Fold does not modify its input.
	e := mustExpr(t, "a + (1 + 2)")
	before := String(e)
	_, _ = Fold(e)
	if String(e) != before {
		t.Errorf("Fold mutated its input: %s", String(e))
	}
}

func TestResolveErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args []types.T
		msg  string
	}{
		{"lower", []types.T{types.TInt4}, "function lower(integer) does not exist"},
		{"nosuch", nil, "function nosuch() does not exist"},
		{"+", []types.T{types.TInt4, types.TText}, "operator does not exist: integer + text"},
		{"like", []types.T{types.TInt4, types.TText}, "operator does not exist: integer ~~ text"},
		{"neg", []types.T{types.TText}, "operator does not exist: - text"},
		{"=", []types.T{types.TInt4, types.TText}, "operator does not exist: integer = text"},
	} {
		_, _, err := ResolveFunc(c.name, c.args)
		pe := pgerror.Flatten(err)
		if pe.Code != pgerror.UndefinedFunction || pe.Message != c.msg || pe.Hint == "" {
			t.Errorf("%s%v: %q (%s), want %q", c.name, c.args, pe.Message, pe.Code, c.msg)
		}
	}
	// Type resolution: arguments and results.
	for _, c := range []struct {
		name  string
		args  []types.T
		ret   string
		casts string
	}{
		{"+", []types.T{types.TInt4, types.TInt8}, "bigint", "integer,bigint"},
		{"+", []types.T{types.TInt4, types.TNumeric}, "numeric", "numeric,numeric"},
		{"*", []types.T{types.TNumeric, types.TFloat8}, "double precision", "double precision,double precision"},
		{"+", []types.T{types.TInt8, types.TUnknown}, "bigint", "bigint,bigint"},
		{"+", []types.T{types.TTimestamptz, types.TUnknown}, "timestamp with time zone", "timestamp with time zone,interval"},
		{"-", []types.T{types.TTimestamp, types.TUnknown}, "interval", "timestamp without time zone,timestamp without time zone"},
		{"=", []types.T{types.TVarchar, types.TText}, "boolean", "character varying,text"},
		{"=", []types.T{types.TDate, types.TTimestamptz}, "boolean", "timestamp with time zone,timestamp with time zone"},
		{"lower", []types.T{types.TVarchar}, "text", "text"},
		{"lower", []types.T{types.TUnknown}, "text", "text"},
		{"round", []types.T{types.TInt4}, "double precision", "double precision"},
		{"round", []types.T{types.TNumeric, types.TInt8}, "", ""},
		{"date_trunc", []types.T{types.TUnknown, types.TDate}, "timestamp with time zone", "text,timestamp with time zone"},
		{"concat", []types.T{types.TUnknown, types.TInt4}, "text", "text,integer"},
		{"greatest", []types.T{types.TInt4, types.TNumeric}, "numeric", "numeric,numeric"},
	} {
		f, casts, err := ResolveFunc(c.name, c.args)
		if c.ret == "" {
			if err == nil {
				t.Errorf("%s%v: resolved to %v", c.name, c.args, f.Args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
			continue
		}
		var cs []string
		for _, x := range casts {
			cs = append(cs, x.String())
		}
		if got := f.Ret.String(); got != c.ret {
			t.Errorf("%s%v returns %s, want %s", c.name, c.args, got, c.ret)
		}
		if got := joinStrings(cs); got != c.casts {
			t.Errorf("%s%v casts %s, want %s", c.name, c.args, got, c.casts)
		}
	}
}

func joinStrings(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func TestParamsAndCommonType(t *testing.T) {
	e := &Call{Fn: mustResolve(t, "*", types.TInt4, types.TInt4), Args: []Expr{&Param{Idx: 1, T: types.TInt4}, colA}}
	ev, err := Compile(e)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ev(&Ctx{Params: []types.Datum{types.Null, types.NewInt(6)}}, types.Row{types.NewInt(7)})
	if err != nil || d.I != 42 {
		t.Fatalf("$2 * a = %v, %v", d, err)
	}
	if _, err := ev(&Ctx{}, types.Row{types.NewInt(7)}); pgerror.Code(err) != pgerror.UndefinedParameter {
		t.Errorf("missing parameter: %v", err)
	}
	for _, c := range []struct {
		in   []types.T
		want string
		code string
	}{
		{[]types.T{types.TInt4, types.TInt8}, "bigint", ""},
		{[]types.T{types.TUnknown, types.TUnknown}, "text", ""},
		{[]types.T{types.TUnknown, types.TDate}, "date", ""},
		{[]types.T{types.TVarchar, types.TText}, "text", ""},
		{[]types.T{types.TInt4, types.TFloat8, types.TNumeric}, "double precision", ""},
		{[]types.T{types.TDate, types.TTimestamptz}, "timestamp with time zone", ""},
		{[]types.T{types.TInt4, types.TText}, "", pgerror.DatatypeMismatch},
	} {
		got, err := CommonType(c.in, "CASE")
		if c.code != "" {
			if pgerror.Code(err) != c.code {
				t.Errorf("CommonType(%v): %v", c.in, err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("CommonType(%v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

// TestLikeAndRegexPerRow checks patterns that come from the row (no
// per-call-site compilation).
func TestLikeAndRegexPerRow(t *testing.T) {
	cases := []struct {
		s, pat string
		like   string
		re     string
	}{
		{"hello", "h%", "t", "f"},
		{"hello", "he.*o", "f", "t"},
		{"a.c", "a_c", "t", "f"},
		{"", "", "t", "t"},
	}
	evLike := mustCompile(t, "name like v")
	evRe := mustCompile(t, "name ~ v")
	ctx := &Ctx{}
	for _, c := range cases {
		row := types.Row{types.Null, types.NewString(c.s), types.Null, types.Null, types.Null, types.NewString(c.pat)}
		d, err := evLike(ctx, row)
		if err != nil || fmtDatum(d, types.TBool) != c.like {
			t.Errorf("%q like %q = %v %v", c.s, c.pat, d, err)
		}
		d, err = evRe(ctx, row)
		if err != nil || fmtDatum(d, types.TBool) != c.re {
			t.Errorf("%q ~ %q = %v %v", c.s, c.pat, d, err)
		}
	}
	// An invalid constant pattern fails at the first row, not at compile
	// time (an empty input never fails), like PostgreSQL.
	ev := mustCompile(t, "name ~ '('")
	if _, err := ev(ctx, types.Row{types.Null, types.NewString("x")}); pgerror.Code(err) != pgerror.InvalidRegularExpression {
		t.Errorf("invalid regex: %v", err)
	}
}

// TestConcurrentEval shares one compiled expression between goroutines,
// each with its own Ctx (run with -race).
func TestConcurrentEval(t *testing.T) {
	ev := mustCompile(t, "lower(name) like '%x%' and a + 1 > 5 and regexp_replace(name, 'X', 'y', 'g') <> ''")
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := &Ctx{}
			row := types.Row{types.NewInt(10), types.NewString("aXb"), types.Null, types.Null, types.Null, types.Null}
			for i := 0; i < 1000; i++ {
				d, err := ev(ctx, row)
				if err != nil || !d.Bool() {
					t.Errorf("got %v %v", d, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestNoAllocs checks that fixed-size values evaluate without allocating.
func TestNoAllocs(t *testing.T) {
	for _, src := range []string{
		"a + 1 > 5 and a * 2 < 100",
		"name like '%x%' or name ~ 'y+'",
		"ts + interval '1 hour' > timestamp '2024-01-01'",
		"date_trunc('hour', ts) = ts",
		"a in (1, 2, 3, 4, 5, 6) and coalesce(a, 0) between 1 and 10",
		"lower(name) like '%x%'",
		"abs(a - 3) >= 0 and greatest(a, 2) > 1",
	} {
		ev := mustCompile(t, src)
		ctx := &Ctx{}
		row := types.Row{types.NewInt(4), types.NewString("axb"), types.Null, types.Null, types.NewTime(1_700_000_000_000_000), types.Null}
		if _, err := ev(ctx, row); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		n := testing.AllocsPerRun(100, func() { _, _ = ev(ctx, row) })
		if n != 0 {
			t.Errorf("%s: %.1f allocations per row", src, n)
		}
	}
}

// BenchmarkFilter is a typical streaming filter:
// lower(name) LIKE '%x%' AND a + 1 > 5.
func BenchmarkFilter(b *testing.B) {
	ev := mustCompile(b, "lower(name) like '%x%' and a + 1 > 5")
	ctx := &Ctx{}
	rows := []types.Row{
		{types.NewInt(10), types.NewString("Some Text With X inside")},
		{types.NewInt(3), types.NewString("another row without it")},
		{types.NewInt(7), types.NewString("lowercase x here")},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ev(ctx, rows[i%len(rows)]); err != nil {
			b.Fatal(err)
		}
	}
}
