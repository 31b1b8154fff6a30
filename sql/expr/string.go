package expr

import (
	"strconv"
	"strings"

	"streamsqld/sql/types"
)

// String renders an expression for EXPLAIN, in the style of PostgreSQL's
// deparser: operators are parenthesised, `(count > 5)`, function calls are
// `lower(name)`, parameters are `$1`, columns are shown by name.
func String(e Expr) string {
	if e == nil {
		return "NULL"
	}
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func (e *ColRef) String() string       { return String(e) }
func (e *Const) String() string        { return String(e) }
func (e *Param) String() string        { return String(e) }
func (e *Call) String() string         { return String(e) }
func (e *CastExpr) String() string     { return String(e) }
func (e *And) String() string          { return String(e) }
func (e *Or) String() string           { return String(e) }
func (e *Not) String() string          { return String(e) }
func (e *IsNull) String() string       { return String(e) }
func (e *IsBool) String() string       { return String(e) }
func (e *DistinctFrom) String() string { return String(e) }
func (e *InList) String() string       { return String(e) }
func (e *Case) String() string         { return String(e) }
func (e *Coalesce) String() string     { return String(e) }
func (e *ArrayCtor) String() string    { return String(e) }
func (e *AnyAll) String() string       { return String(e) }

// sqlOperators are rendered infix with their SQL spelling.
var sqlOperators = map[string]string{
	"like": "LIKE", "not like": "NOT LIKE", "ilike": "ILIKE", "not ilike": "NOT ILIKE",
	"~~": "~~", "!~~": "!~~", "~~*": "~~*", "!~~*": "!~~*",
}

func writeExpr(b *strings.Builder, e Expr) {
	switch n := e.(type) {
	case *ColRef:
		if n.Name != "" {
			b.WriteString(n.Name)
		} else {
			b.WriteByte('$')
			b.WriteString("col")
			b.WriteString(strconv.Itoa(n.Idx))
		}
	case *Const:
		writeConst(b, n.D, n.T)
	case *Param:
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n.Idx + 1))
	case *Call:
		writeCall(b, n)
	case *CastExpr:
		b.WriteByte('(')
		writeExpr(b, n.E)
		b.WriteString(")::")
		b.WriteString(n.T.String())
	case *And:
		writeJoined(b, n.Args, " AND ")
	case *Or:
		writeJoined(b, n.Args, " OR ")
	case *Not:
		b.WriteString("(NOT ")
		writeExpr(b, n.E)
		b.WriteByte(')')
	case *IsNull:
		b.WriteByte('(')
		writeExpr(b, n.E)
		if n.Negate {
			b.WriteString(" IS NOT NULL)")
		} else {
			b.WriteString(" IS NULL)")
		}
	case *IsBool:
		b.WriteByte('(')
		writeExpr(b, n.E)
		b.WriteString(" IS ")
		if n.Negate {
			b.WriteString("NOT ")
		}
		if n.Value {
			b.WriteString("TRUE)")
		} else {
			b.WriteString("FALSE)")
		}
	case *DistinctFrom:
		b.WriteByte('(')
		writeExpr(b, n.L)
		if n.Negate {
			b.WriteString(" IS NOT DISTINCT FROM ")
		} else {
			b.WriteString(" IS DISTINCT FROM ")
		}
		writeExpr(b, n.R)
		b.WriteByte(')')
	case *InList:
		b.WriteByte('(')
		writeExpr(b, n.E)
		if n.Negate {
			b.WriteString(" NOT IN (")
		} else {
			b.WriteString(" IN (")
		}
		writeList(b, n.List)
		b.WriteString("))")
	case *Case:
		b.WriteString("CASE")
		for _, w := range n.Whens {
			b.WriteString(" WHEN ")
			writeExpr(b, w.Cond)
			b.WriteString(" THEN ")
			writeExpr(b, w.Result)
		}
		if n.Else != nil {
			b.WriteString(" ELSE ")
			writeExpr(b, n.Else)
		}
		b.WriteString(" END")
	case *Coalesce:
		b.WriteString("COALESCE(")
		writeList(b, n.Args)
		b.WriteByte(')')
	case *ArrayCtor:
		b.WriteString("ARRAY[")
		writeList(b, n.Elems)
		b.WriteByte(']')
	case *AnyAll:
		b.WriteByte('(')
		writeExpr(b, n.L)
		b.WriteByte(' ')
		if n.Fn != nil {
			b.WriteString(opSymbol(n.Fn.Name))
		}
		if n.All {
			b.WriteString(" ALL (")
		} else {
			b.WriteString(" ANY (")
		}
		writeExpr(b, n.R)
		b.WriteString("))")
	case nil:
		b.WriteString("NULL")
	default:
		b.WriteString(e.String())
	}
}

func opSymbol(name string) string {
	if s, ok := sqlOperators[name]; ok {
		return s
	}
	return name
}

func writeList(b *strings.Builder, es []Expr) {
	for i, a := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, a)
	}
}

func writeJoined(b *strings.Builder, es []Expr, sep string) {
	b.WriteByte('(')
	for i, a := range es {
		if i > 0 {
			b.WriteString(sep)
		}
		writeExpr(b, a)
	}
	b.WriteByte(')')
}

func writeCall(b *strings.Builder, n *Call) {
	name := ""
	if n.Fn != nil {
		name = n.Fn.Name
	}
	switch {
	case name == "neg" && len(n.Args) == 1:
		b.WriteString("(- ")
		writeExpr(b, n.Args[0])
		b.WriteByte(')')
		return
	case name == "extract" && len(n.Args) == 2:
		if c, ok := n.Args[0].(*Const); ok && c.D.K == types.KString {
			b.WriteString("EXTRACT(")
			b.WriteString(c.D.S)
			b.WriteString(" FROM ")
			writeExpr(b, n.Args[1])
			b.WriteByte(')')
			return
		}
	case name != "" && isOperatorName(name) && (len(n.Args) == 2 || len(n.Args) == 3):
		b.WriteByte('(')
		writeExpr(b, n.Args[0])
		b.WriteByte(' ')
		b.WriteString(opSymbol(name))
		b.WriteByte(' ')
		writeExpr(b, n.Args[1])
		if len(n.Args) == 3 {
			b.WriteString(" ESCAPE ")
			writeExpr(b, n.Args[2])
		}
		b.WriteByte(')')
		return
	case name != "" && isOperatorName(name) && len(n.Args) == 1:
		b.WriteByte('(')
		b.WriteString(opSymbol(name))
		b.WriteByte(' ')
		writeExpr(b, n.Args[0])
		b.WriteByte(')')
		return
	}
	b.WriteString(name)
	b.WriteByte('(')
	writeList(b, n.Args)
	b.WriteByte(')')
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	b.WriteString(strings.ReplaceAll(s, "'", "''"))
	b.WriteByte('\'')
}

// writeConst prints numbers, booleans and strings as literals and other
// values as 'text'::type, like PostgreSQL's EXPLAIN.
func writeConst(b *strings.Builder, d types.Datum, t types.T) {
	switch {
	case d.K == types.KNull:
		b.WriteString("NULL")
	case d.K == types.KBool:
		if d.I != 0 {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case d.K == types.KInt && t.IsInteger():
		b.WriteString(strconv.FormatInt(d.I, 10))
	case d.K == types.KString && (t.Fam == types.Text || t.Fam == types.Unknown || t.Fam == types.Varchar):
		writeQuoted(b, d.S)
	case d.K == types.KDecimal && t.Fam == types.Numeric && !d.Decimal().Negative:
		b.WriteString(types.FormatText(d, t))
	default:
		writeQuoted(b, types.FormatText(d, t))
		b.WriteString("::")
		b.WriteString(t.String())
	}
}
