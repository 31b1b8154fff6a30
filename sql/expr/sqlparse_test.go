package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// This file is a small SQL expression parser and binder used only by the
// tests, so that test cases can be written as the SQL text PostgreSQL
// evaluates (and their expected results recorded from a real server).
// It binds like the planner is expected to: ResolveFunc picks overloads
// and the argument casts it asks for become CastExpr nodes.

type tok struct {
	kind byte // 'n' number, 's' string, 'i' identifier, 'o' operator, 0 EOF
	s    string
}

func lex(src string) ([]tok, error) {
	var out []tok
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9'):
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' ||
				((src[j] == 'e' || src[j] == 'E') && j+1 < len(src) && (src[j+1] >= '0' && src[j+1] <= '9' || src[j+1] == '-' || src[j+1] == '+')) ||
				((src[j] == '-' || src[j] == '+') && (src[j-1] == 'e' || src[j-1] == 'E'))) {
				j++
			}
			out = append(out, tok{'n', src[i:j]})
			i = j
		case c == '\'' || ((c == 'E' || c == 'e') && i+1 < len(src) && src[i+1] == '\''):
			esc := c != '\''
			if esc {
				i++
			}
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, fmt.Errorf("unterminated string")
				}
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				if esc && src[j] == '\\' && j+1 < len(src) {
					j++
					switch src[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(src[j])
					}
					j++
					continue
				}
				b.WriteByte(src[j])
				j++
			}
			out = append(out, tok{'s', b.String()})
			i = j + 1
		case c == '"':
			j := strings.IndexByte(src[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated identifier")
			}
			out = append(out, tok{'i', src[i+1 : i+1+j]})
			i += j + 2
		case unicode.IsLetter(rune(c)) || c == '_':
			j := i
			for j < len(src) && (unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j])) || src[j] == '_') {
				j++
			}
			out = append(out, tok{'i', strings.ToLower(src[i:j])})
			i = j
		default:
			ops := []string{"::", "<=", ">=", "<>", "!=", "||", "!~~*", "!~~", "~~*", "~~", "!~*", "!~", "~*", "+", "-", "*", "/", "%", "<", ">", "=", "~", "(", ")", ",", "[", "]", "^"}
			found := false
			for _, op := range ops {
				if strings.HasPrefix(src[i:], op) {
					out = append(out, tok{'o', op})
					i += len(op)
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("unexpected %q", c)
			}
		}
	}
	return append(out, tok{}), nil
}

type parser struct {
	toks []tok
	pos  int
	cols map[string]*ColRef
}

func (p *parser) peek() tok { return p.toks[p.pos] }
func (p *parser) next() tok { t := p.toks[p.pos]; p.pos++; return t }
func (p *parser) isOp(s string) bool {
	t := p.peek()
	return t.kind == 'o' && t.s == s
}
func (p *parser) isKw(s string) bool {
	t := p.peek()
	return t.kind == 'i' && t.s == s
}
func (p *parser) isKw2(a, b string) bool {
	return p.isKw(a) && p.toks[p.pos+1].kind == 'i' && p.toks[p.pos+1].s == b
}
func (p *parser) expectOp(s string) error {
	if !p.isOp(s) {
		return fmt.Errorf("expected %q at %q", s, p.peek().s)
	}
	p.pos++
	return nil
}
func (p *parser) expectKw(s string) error {
	if !p.isKw(s) {
		return fmt.Errorf("expected %s at %q", s, p.peek().s)
	}
	p.pos++
	return nil
}

// parseSQLExpr parses and binds one expression; cols are the columns it
// may reference.
func parseSQLExpr(src string, cols ...*ColRef) (Expr, error) {
	ts, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: ts, cols: map[string]*ColRef{}}
	for _, c := range cols {
		p.cols[c.Name] = c
	}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != 0 {
		return nil, fmt.Errorf("trailing input at %q", p.peek().s)
	}
	return e, nil
}

// Precedence levels, loosest first (PostgreSQL's table).
const (
	precOr = iota + 1
	precAnd
	precNot
	precIs
	precCmp
	precLike
	precOther
	precAdd
	precMul
	precExp
	precUnary
)

func (p *parser) expr(minPrec int) (Expr, error) {
	var left Expr
	var err error
	switch {
	case p.isKw("not"):
		p.next()
		x, err := p.expr(precNot)
		if err != nil {
			return nil, err
		}
		left = &Not{E: x}
	case p.isOp("-"):
		p.next()
		if p.peek().kind == 'n' {
			left, err = numLiteral("-" + p.next().s)
		} else {
			var x Expr
			x, err = p.expr(precUnary)
			if c, ok := x.(*Const); ok && err == nil && c.T.IsInteger() && c.D.I != math.MinInt64 {
				// The grammar negates literal constants in place
				// (doNegate), even parenthesised ones.
				left = intConst(-c.D.I)
			} else if err == nil {
				left, err = bindCall("neg", x)
			}
		}
	case p.isOp("+"):
		p.next()
		left, err = p.expr(precUnary)
	default:
		left, err = p.primary()
	}
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		var prec int
		op := t.s
		switch {
		case t.kind == 'i' && op == "or":
			prec = precOr
		case t.kind == 'i' && op == "and":
			prec = precAnd
		case t.kind == 'i' && (op == "is" || op == "isnull" || op == "notnull"):
			prec = precIs
		case t.kind == 'o' && (op == "<" || op == ">" || op == "=" || op == "<=" || op == ">=" || op == "<>" || op == "!="):
			prec = precCmp
		case t.kind == 'i' && (op == "like" || op == "ilike" || op == "in" || op == "between" || op == "not"):
			prec = precLike
		case t.kind == 'o' && (op == "+" || op == "-"):
			prec = precAdd
		case t.kind == 'o' && (op == "*" || op == "/" || op == "%"):
			prec = precMul
		case t.kind == 'o' && op == "^":
			prec = precExp
		case t.kind == 'o' && op == "::":
			prec = 100
		case t.kind == 'o' && op == "[":
			prec = 100
		case t.kind == 'o' && (op == "||" || strings.ContainsAny(op, "~")):
			prec = precOther
		default:
			return left, nil
		}
		if prec <= minPrec && prec != 100 {
			return left, nil
		}
		p.next()
		switch {
		case op == "::":
			tt, err := p.typeName()
			if err != nil {
				return nil, err
			}
			left = castTo(left, tt)
		case op == "[":
			idx, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			left = &Call{Fn: subscriptFunc(left.Type()), Args: []Expr{left, castTo(idx, types.TInt4)}}
		case op == "or":
			r, err := p.expr(prec)
			if err != nil {
				return nil, err
			}
			left = &Or{Args: []Expr{left, r}}
		case op == "and":
			r, err := p.expr(prec)
			if err != nil {
				return nil, err
			}
			left = &And{Args: []Expr{left, r}}
		case op == "isnull" || op == "notnull":
			left = &IsNull{E: left, Negate: op == "notnull"}
		case op == "is":
			neg := false
			if p.isKw("not") {
				p.next()
				neg = true
			}
			switch {
			case p.isKw("null"):
				p.next()
				left = &IsNull{E: left, Negate: neg}
			case p.isKw("unknown"):
				p.next()
				left = &IsNull{E: left, Negate: neg}
			case p.isKw("true"), p.isKw("false"):
				left = &IsBool{E: left, Value: p.next().s == "true", Negate: neg}
			case p.isKw("distinct"):
				p.next()
				if err := p.expectKw("from"); err != nil {
					return nil, err
				}
				r, err := p.expr(precIs)
				if err != nil {
					return nil, err
				}
				lt, rt, ok := cmpTypes(left.Type(), r.Type())
				if !ok {
					return nil, undefinedFunc("=", []types.T{left.Type(), r.Type()})
				}
				left = &DistinctFrom{L: castTo(left, lt), R: castTo(r, rt), Negate: neg}
			default:
				return nil, fmt.Errorf("bad IS")
			}
		case op == "not" || op == "like" || op == "ilike" || op == "in" || op == "between":
			neg := false
			if op == "not" {
				neg = true
				op = p.next().s
			}
			switch op {
			case "like", "ilike":
				r, err := p.expr(precLike)
				if err != nil {
					return nil, err
				}
				name := op
				if neg {
					name = "not " + op
				}
				args := []Expr{left, r}
				if p.isKw("escape") {
					p.next()
					e, err := p.expr(precLike)
					if err != nil {
						return nil, err
					}
					args = append(args, e)
				}
				if left, err = bindCall(name, args...); err != nil {
					return nil, err
				}
			case "in":
				if err := p.expectOp("("); err != nil {
					return nil, err
				}
				list, err := p.exprList(")")
				if err != nil {
					return nil, err
				}
				all := append([]types.T{left.Type()}, typesOf(list)...)
				ct, err := CommonType(all, "IN")
				if err != nil {
					return nil, err
				}
				for i := range list {
					list[i] = castTo(list[i], ct)
				}
				left = &InList{E: castTo(left, ct), List: list, Negate: neg}
			case "between":
				lo, err := p.expr(precLike)
				if err != nil {
					return nil, err
				}
				if err := p.expectKw("and"); err != nil {
					return nil, err
				}
				hi, err := p.expr(precLike)
				if err != nil {
					return nil, err
				}
				a, err := bindCall(">=", left, lo)
				if err != nil {
					return nil, err
				}
				b, err := bindCall("<=", left, hi)
				if err != nil {
					return nil, err
				}
				left = &And{Args: []Expr{a, b}}
				if neg {
					left = &Not{E: left}
				}
			default:
				return nil, fmt.Errorf("bad NOT")
			}
		default:
			if prec == precCmp && (p.isKw("any") || p.isKw("all") || p.isKw("some")) {
				all := p.next().s == "all"
				if err := p.expectOp("("); err != nil {
					return nil, err
				}
				r, err := p.expr(0)
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(")"); err != nil {
					return nil, err
				}
				if op == "!=" {
					op = "<>"
				}
				rt := r.Type()
				if rt.Fam == types.Unknown {
					rt = types.TTextArray
					if left.Type().Fam != types.Unknown {
						rt = types.ArrayOf(left.Type().Fam)
					}
					r = castTo(r, rt)
				}
				f, casts, err := ResolveFunc(op, []types.T{left.Type(), rt.ElemType()})
				if err != nil {
					return nil, err
				}
				left = &AnyAll{L: castTo(left, casts[0]), R: castTo(r, types.ArrayOf(casts[1].Fam)), Fn: f, All: all}
				continue
			}
			r, err := p.expr(prec)
			if err != nil {
				return nil, err
			}
			if op == "!=" {
				op = "<>"
			}
			if left, err = bindCall(op, left, r); err != nil {
				return nil, err
			}
		}
	}
}

func typesOf(es []Expr) []types.T {
	out := make([]types.T, len(es))
	for i, e := range es {
		out[i] = e.Type()
	}
	return out
}

func (p *parser) exprList(end string) ([]Expr, error) {
	var out []Expr
	if p.isOp(end) {
		p.next()
		return out, nil
	}
	for {
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if p.isOp(",") {
			p.next()
			continue
		}
		if err := p.expectOp(end); err != nil {
			return nil, err
		}
		return out, nil
	}
}

var multiWordTypes = [][]string{
	{"double", "precision"}, {"character", "varying"},
	{"timestamp", "with", "time", "zone"}, {"timestamp", "without", "time", "zone"},
}

func (p *parser) typeName() (types.T, error) {
	t := p.next()
	if t.kind != 'i' {
		return types.T{}, fmt.Errorf("expected type name at %q", t.s)
	}
	name := t.s
	for _, mw := range multiWordTypes {
		if mw[0] != name {
			continue
		}
		ok := true
		for k, w := range mw[1:] {
			nt := p.toks[p.pos+k]
			if nt.kind != 'i' || nt.s != w {
				ok = false
				break
			}
		}
		if ok {
			p.pos += len(mw) - 1
			name = strings.Join(mw, " ")
			break
		}
	}
	var mods []int
	if p.isOp("(") {
		p.next()
		for !p.isOp(")") {
			n := p.next()
			v, err := strconv.Atoi(n.s)
			if err != nil {
				return types.T{}, err
			}
			mods = append(mods, v)
			if p.isOp(",") {
				p.next()
			}
		}
		p.next()
	}
	if p.isOp("[") && p.toks[p.pos+1].s == "]" {
		p.pos += 2
		name += "[]"
	}
	return types.ParseTypeName(name, mods)
}

// numLiteral types an integer literal by its value, as PostgreSQL's
// make_const does.
func numLiteral(s string) (Expr, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intConst(v), nil
	}
	d, err := types.ParseText(s, types.TNumeric)
	if err != nil {
		return nil, err
	}
	return &Const{D: d, T: types.TNumeric}, nil
}

func intConst(v int64) *Const {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		return &Const{D: types.NewInt(v), T: types.TInt4}
	}
	return &Const{D: types.NewInt(v), T: types.TInt8}
}

// castTo wraps e in a cast unless it already has type t.
func castTo(e Expr, t types.T) Expr {
	et := e.Type()
	if et == t || (sameType(et, t) && t.Mod < 0 && et.Fam != types.Unknown) {
		return e
	}
	return &CastExpr{E: e, T: t}
}

func bindCall(name string, args ...Expr) (Expr, error) {
	f, casts, err := ResolveFunc(name, typesOf(args))
	if err != nil {
		return nil, err
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		out[i] = castTo(a, casts[i])
	}
	return &Call{Fn: f, Args: out}, nil
}

// subscriptFunc is arr[i] for the tests.
func subscriptFunc(t types.T) *Func {
	return &Func{Name: "subscript", Args: []types.T{t, types.TInt4}, Ret: t.ElemType(), Strict: true,
		Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			arr := a[0].Array()
			i := a[1].I
			if i < 1 || i > int64(len(arr)) {
				return types.Null, nil
			}
			return arr[i-1], nil
		}}
}

func (p *parser) primary() (Expr, error) {
	t := p.next()
	switch t.kind {
	case 'n':
		return numLiteral(t.s)
	case 's':
		return &Const{D: types.NewString(t.s), T: types.TUnknown}, nil
	case 'o':
		if t.s == "(" {
			e, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			return e, p.expectOp(")")
		}
	case 'i':
		return p.identifier(t.s)
	}
	return nil, fmt.Errorf("unexpected %q", t.s)
}

func (p *parser) identifier(name string) (Expr, error) {
	switch name {
	case "null":
		return &Const{D: types.Null, T: types.TUnknown}, nil
	case "true", "false":
		return &Const{D: types.NewBool(name == "true"), T: types.TBool}, nil
	case "cast":
		if err := p.expectOp("("); err != nil {
			return nil, err
		}
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("as"); err != nil {
			return nil, err
		}
		tt, err := p.typeName()
		if err != nil {
			return nil, err
		}
		return castTo(e, tt), p.expectOp(")")
	case "array":
		if err := p.expectOp("["); err != nil {
			return nil, err
		}
		elems, err := p.exprList("]")
		if err != nil {
			return nil, err
		}
		ct, err := CommonType(typesOf(elems), "ARRAY")
		if err != nil {
			return nil, err
		}
		for i := range elems {
			elems[i] = castTo(elems[i], ct)
		}
		return &ArrayCtor{Elems: elems, T: types.ArrayOf(ct.Fam)}, nil
	case "case":
		return p.caseExpr()
	case "current_timestamp", "current_date", "localtimestamp":
		if !p.isOp("(") {
			return bindCall(name)
		}
	}
	if p.peek().kind == 's' {
		// A typed literal: timestamp '...', interval '...'.
		p.pos--
		tt, err := p.typeName()
		if err != nil {
			return nil, err
		}
		s := p.next()
		return castTo(&Const{D: types.NewString(s.s), T: types.TUnknown}, tt), nil
	}
	if !p.isOp("(") {
		if c, ok := p.cols[name]; ok {
			return c, nil
		}
		// Multi-word type names before a literal: double precision '1'.
		p.pos--
		if tt, err := p.typeName(); err == nil && p.peek().kind == 's' {
			s := p.next()
			return castTo(&Const{D: types.NewString(s.s), T: types.TUnknown}, tt), nil
		}
		return nil, pgerror.Newf(pgerror.UndefinedColumn, "column \"%s\" does not exist", name)
	}
	p.next()
	var args []Expr
	var err error
	switch name {
	case "extract":
		f := p.next()
		if err := p.expectKw("from"); err != nil {
			return nil, err
		}
		x, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		args = []Expr{&Const{D: types.NewString(f.s), T: types.TText}, x}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	case "substring":
		s, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		args = []Expr{s}
		for p.isKw("from") || p.isKw("for") || p.isOp(",") {
			p.next()
			x, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			args = append(args, x)
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	case "trim":
		name = "btrim"
		switch {
		case p.isKw("both"):
			p.next()
		case p.isKw("leading"):
			p.next()
			name = "ltrim"
		case p.isKw("trailing"):
			p.next()
			name = "rtrim"
		}
		var chars Expr
		if !p.isKw("from") {
			x, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			chars = x
		}
		if p.isKw("from") {
			p.next()
			x, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			args = []Expr{x}
			if chars != nil {
				args = append(args, chars)
			}
		} else {
			args = []Expr{chars}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	case "position":
		a, err := p.expr(precLike)
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("in"); err != nil {
			return nil, err
		}
		b, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		args = []Expr{b, a}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
	default:
		if args, err = p.exprList(")"); err != nil {
			return nil, err
		}
	}
	if name == "coalesce" {
		ct, err := CommonType(typesOf(args), "COALESCE")
		if err != nil {
			return nil, err
		}
		for i := range args {
			args[i] = castTo(args[i], ct)
		}
		return &Coalesce{Args: args, T: ct}, nil
	}
	return bindCall(name, args...)
}

func (p *parser) caseExpr() (Expr, error) {
	var operand Expr
	if !p.isKw("when") {
		var err error
		if operand, err = p.expr(0); err != nil {
			return nil, err
		}
	}
	var whens []When
	for p.isKw("when") {
		p.next()
		c, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if c, err = bindCall("=", operand, c); err != nil {
				return nil, err
			}
		}
		if err := p.expectKw("then"); err != nil {
			return nil, err
		}
		r, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		whens = append(whens, When{Cond: c, Result: r})
	}
	var els Expr
	if p.isKw("else") {
		p.next()
		var err error
		if els, err = p.expr(0); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("end"); err != nil {
		return nil, err
	}
	var ts []types.T
	for _, w := range whens {
		ts = append(ts, w.Result.Type())
	}
	if els != nil {
		ts = append(ts, els.Type())
	}
	ct, err := CommonType(ts, "CASE")
	if err != nil {
		return nil, err
	}
	for i := range whens {
		whens[i].Cond = castTo(whens[i].Cond, types.TBool)
		whens[i].Result = castTo(whens[i].Result, ct)
	}
	if els != nil {
		els = castTo(els, ct)
	}
	return &Case{Whens: whens, Else: els, T: ct}, nil
}
