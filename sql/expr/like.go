package expr

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// LIKE and ILIKE are matched directly over the string, not through a
// regular expression: the pattern is split once into literal runs, `_`
// (one character) and `%` (any run), and matched with the classic
// single-backtrack wildcard algorithm. Common shapes ('abc', 'abc%',
// '%abc', '%abc%') reduce to strings.Contains and friends.

type likeTokKind uint8

const (
	likeLit likeTokKind = iota
	likeOne
	likeAny
)

type likeTok struct {
	kind likeTokKind
	lit  string
}

type likeShape uint8

const (
	shapeGeneral likeShape = iota
	shapeExact
	shapePrefix
	shapeSuffix
	shapeContains
	shapeAll
)

type likePattern struct {
	toks  []likeTok
	fold  bool
	shape likeShape
	lit   string
}

var errLikeEscapeEnd = pgerror.New(pgerror.InvalidEscapeSequence, "LIKE pattern must not end with escape character")

// compileLike parses pattern with escape character esc (-1: none).
func compileLike(pattern string, esc rune, fold bool) (*likePattern, error) {
	p := &likePattern{fold: fold}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			s := lit.String()
			if fold {
				s = strings.ToLower(s)
			}
			p.toks = append(p.toks, likeTok{kind: likeLit, lit: s})
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); {
		r, w := utf8.DecodeRuneInString(pattern[i:])
		i += w
		switch {
		case r == esc:
			if i >= len(pattern) {
				return nil, errLikeEscapeEnd
			}
			r2, w2 := utf8.DecodeRuneInString(pattern[i:])
			i += w2
			lit.WriteRune(r2)
		case r == '%':
			flush()
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != likeAny {
				p.toks = append(p.toks, likeTok{kind: likeAny})
			}
		case r == '_':
			flush()
			p.toks = append(p.toks, likeTok{kind: likeOne})
		default:
			lit.WriteRune(r)
		}
	}
	flush()
	if !fold {
		t := p.toks
		switch {
		case len(t) == 0:
			p.shape, p.lit = shapeExact, ""
		case len(t) == 1 && t[0].kind == likeLit:
			p.shape, p.lit = shapeExact, t[0].lit
		case len(t) == 1 && t[0].kind == likeAny:
			p.shape = shapeAll
		case len(t) == 2 && t[0].kind == likeLit && t[1].kind == likeAny:
			p.shape, p.lit = shapePrefix, t[0].lit
		case len(t) == 2 && t[0].kind == likeAny && t[1].kind == likeLit:
			p.shape, p.lit = shapeSuffix, t[1].lit
		case len(t) == 3 && t[0].kind == likeAny && t[1].kind == likeLit && t[2].kind == likeAny:
			p.shape, p.lit = shapeContains, t[1].lit
		}
	}
	return p, nil
}

func (p *likePattern) match(s string) bool {
	switch p.shape {
	case shapeExact:
		return s == p.lit
	case shapePrefix:
		return strings.HasPrefix(s, p.lit)
	case shapeSuffix:
		return strings.HasSuffix(s, p.lit)
	case shapeContains:
		return strings.Contains(s, p.lit)
	case shapeAll:
		return true
	}
	toks := p.toks
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case likeAny:
				starTi, starSi = ti, si
				ti++
				continue
			case likeOne:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			case likeLit:
				if n, ok := p.matchLit(s[si:], t.lit); ok {
					si += n
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the last % swallow one more character.
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starSi:])
		starSi += w
		si, ti = starSi, starTi+1
	}
}

// matchLit reports whether s starts with lit (case-folded for ILIKE, lit
// already lower-case) and how many bytes of s matched.
func (p *likePattern) matchLit(s, lit string) (int, bool) {
	if !p.fold {
		if strings.HasPrefix(s, lit) {
			return len(lit), true
		}
		return 0, false
	}
	si := 0
	for _, lr := range lit {
		if si >= len(s) {
			return 0, false
		}
		r, w := utf8.DecodeRuneInString(s[si:])
		if r != lr && unicode.ToLower(r) != lr {
			return 0, false
		}
		si += w
	}
	return si, true
}

// likeEscape decodes the ESCAPE argument: empty disables escaping.
func likeEscape(s string) (rune, error) {
	switch utf8.RuneCountInString(s) {
	case 0:
		return -1, nil
	case 1:
		r, _ := utf8.DecodeRuneInString(s)
		return r, nil
	}
	return 0, pgerror.New(pgerror.InvalidEscapeSequence, "invalid escape string").
		WithHint("Escape string must be empty or one character.")
}

// likeFunc builds the LIKE-family function name; negate for NOT LIKE.
func likeFunc(name string, fold, negate bool, nargs int) *Func {
	args := []types.T{types.TText, types.TText}
	if nargs == 3 {
		args = append(args, types.TText)
	}
	eval := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		esc := '\\'
		if len(a) == 3 {
			var err error
			if esc, err = likeEscape(a[2].S); err != nil {
				return types.Null, err
			}
		}
		p, err := compileLike(a[1].S, esc, fold)
		if err != nil {
			return types.Null, err
		}
		return types.NewBool(p.match(a[0].S) != negate), nil
	}
	return &Func{
		Name: name, Args: args, Ret: types.TBool, Strict: true, Eval: eval,
		specialize: func(consts []*types.Datum) evalFunc {
			if consts[1] == nil || (len(consts) == 3 && consts[2] == nil) {
				return nil
			}
			esc := '\\'
			if len(consts) == 3 {
				var err error
				if esc, err = likeEscape(consts[2].S); err != nil {
					return errorEval(err)
				}
			}
			p, err := compileLike(consts[1].S, esc, fold)
			if err != nil {
				return errorEval(err)
			}
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				return types.NewBool(p.match(a[0].S) != negate), nil
			}
		},
	}
}

// errorEval defers an error found while specialising a call site to the
// first row evaluated, as PostgreSQL reports it at execution.
func errorEval(err error) evalFunc {
	return func(*Ctx, []types.Datum) (types.Datum, error) { return types.Null, err }
}

func init() {
	for _, nargs := range []int{2, 3} {
		register(
			likeFunc("like", false, false, nargs),
			likeFunc("not like", false, true, nargs),
			likeFunc("ilike", true, false, nargs),
			likeFunc("not ilike", true, true, nargs),
			likeFunc("~~", false, false, nargs),
			likeFunc("!~~", false, true, nargs),
			likeFunc("~~*", true, false, nargs),
			likeFunc("!~~*", true, true, nargs),
		)
	}
}
