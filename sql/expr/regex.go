package expr

import (
	"container/list"
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// PostgreSQL's regular expressions are Spencer's ARE; ours run on Go's
// RE2 engine after a translation of the differences that matter in
// practice:
//   - `.` and negated brackets match newlines unless flag n/p asks for
//     newline-sensitive matching (Go needs (?s));
//   - \m \M \y and [[:<:]] [[:>:]] are word boundaries (\b), \Y is \B,
//     \Z is end of string (\z);
//   - flags i c n m s p w x and g are decoded as PostgreSQL does.
// Back-references and lookaround are not supported by RE2; such patterns
// fail with 2201B (back-references with 0A000). RE2 picks the leftmost
// match with Perl's preference rules where PostgreSQL sometimes prefers
// the longest match; results differ only for ambiguous alternations.

// regexFlags is the decoded flags string of a regex function.
type regexFlags struct {
	global, fold, newline, partial, inversePartial, expanded bool
}

func parseRegexFlags(s string) (regexFlags, error) {
	var f regexFlags
	for _, c := range s {
		switch c {
		case 'g':
			f.global = true
		case 'i':
			f.fold = true
		case 'c':
			f.fold = false
		case 'n', 'm':
			f.newline, f.partial, f.inversePartial = true, false, false
		case 's':
			f.newline, f.partial, f.inversePartial = false, false, false
		case 'p':
			f.partial, f.newline, f.inversePartial = true, false, false
		case 'w':
			f.inversePartial, f.newline, f.partial = true, false, false
		case 'x':
			f.expanded = true
		case 't':
			f.expanded = false
		default:
			return f, pgerror.Newf(pgerror.InvalidParameterValue, "invalid regular expression option: \"%c\"", c)
		}
	}
	return f, nil
}

// translateRegex rewrites an ARE into RE2 syntax.
func translateRegex(pat string, f regexFlags) (string, error) {
	var b strings.Builder
	b.Grow(len(pat) + 8)
	switch {
	case f.newline:
		b.WriteString("(?m)")
	case f.partial:
	case f.inversePartial:
		b.WriteString("(?sm)")
	default:
		b.WriteString("(?s)")
	}
	if f.fold {
		b.WriteString("(?i)")
	}
	inBracket := false
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		if f.expanded && !inBracket {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				continue
			}
			if c == '#' {
				for i < len(pat) && pat[i] != '\n' {
					i++
				}
				continue
			}
		}
		switch {
		case inBracket:
			if strings.HasPrefix(pat[i:], "[:") || strings.HasPrefix(pat[i:], "[.") || strings.HasPrefix(pat[i:], "[=") {
				end := strings.Index(pat[i+2:], string(pat[i+1])+"]")
				if end >= 0 {
					b.WriteString(pat[i : i+2+end+2])
					i += 2 + end + 1
					continue
				}
			}
			if c == ']' {
				inBracket = false
			}
			if c == '\\' && i+1 < len(pat) {
				b.WriteByte(c)
				i++
				b.WriteByte(pat[i])
				continue
			}
			b.WriteByte(c)
		case c == '[':
			if strings.HasPrefix(pat[i:], "[[:<:]]") || strings.HasPrefix(pat[i:], "[[:>:]]") {
				b.WriteString(`\b`)
				i += len("[[:<:]]") - 1
				continue
			}
			inBracket = true
			b.WriteByte(c)
			// A ] right after [ or [^ is a literal member.
			if i+1 < len(pat) && pat[i+1] == '^' {
				i++
				b.WriteByte('^')
			}
			if i+1 < len(pat) && pat[i+1] == ']' {
				i++
				b.WriteString(`\]`)
			}
		case c == '\\' && i+1 < len(pat):
			i++
			switch e := pat[i]; e {
			case 'm', 'M', 'y':
				b.WriteString(`\b`)
			case 'Y':
				b.WriteString(`\B`)
			case 'Z':
				b.WriteString(`\z`)
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				return "", pgerror.New(pgerror.FeatureNotSupported, "regular expression back-references are not supported")
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func compileRegex(pat string, f regexFlags) (*regexp.Regexp, error) {
	src, err := translateRegex(pat, f)
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(src)
	if err != nil {
		msg := err.Error()
		var se *syntax.Error
		if errors.As(err, &se) {
			msg = string(se.Code)
			if se.Expr != "" {
				msg += ": " + se.Expr
			}
		}
		return nil, pgerror.Newf(pgerror.InvalidRegularExpression, "invalid regular expression: %s", msg)
	}
	return re, nil
}

// regexCache holds recently compiled patterns that were not constants at
// their call site. It is bounded so that patterns coming from data cannot
// grow it without limit.
type regexCache struct {
	mu    sync.Mutex
	cap   int
	order *list.List // front: most recently used; values are *regexEntry
	byKey map[regexKey]*list.Element
}

type regexKey struct {
	pat   string
	flags regexFlags
}

type regexEntry struct {
	key regexKey
	re  *regexp.Regexp
}

var globalRegexCache = &regexCache{cap: 256, order: list.New(), byKey: map[regexKey]*list.Element{}}

func (c *regexCache) get(pat string, f regexFlags) (*regexp.Regexp, error) {
	k := regexKey{pat, f}
	c.mu.Lock()
	if el, ok := c.byKey[k]; ok {
		c.order.MoveToFront(el)
		re := el.Value.(*regexEntry).re
		c.mu.Unlock()
		return re, nil
	}
	c.mu.Unlock()
	re, err := compileRegex(pat, f)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[k]; !ok {
		c.byKey[k] = c.order.PushFront(&regexEntry{k, re})
		for c.order.Len() > c.cap {
			old := c.order.Remove(c.order.Back()).(*regexEntry)
			delete(c.byKey, old.key)
		}
	}
	return re, nil
}

func getRegex(pat string, f regexFlags) (*regexp.Regexp, error) {
	return globalRegexCache.get(pat, f)
}

// regexCall is the shape of a regex function body once the pattern is
// compiled: args are the function's arguments.
type regexCall func(re *regexp.Regexp, f regexFlags, a []types.Datum) (types.Datum, error)

// regexFunc builds a function whose argument patIdx is a pattern and
// flagIdx (-1: none) its flags. Constant patterns are compiled once per
// call site; others go through the bounded cache.
func regexFunc(name string, args []types.T, ret types.T, patIdx, flagIdx int, fixed regexFlags, checkFlags func(regexFlags) error, body regexCall) *Func {
	flagsOf := func(a []types.Datum) (regexFlags, error) {
		f := fixed
		if flagIdx >= 0 && flagIdx < len(a) {
			var err error
			if f, err = parseRegexFlags(a[flagIdx].S); err != nil {
				return f, err
			}
			f.fold = f.fold || fixed.fold
		}
		if checkFlags != nil {
			if err := checkFlags(f); err != nil {
				return f, err
			}
		}
		return f, nil
	}
	return &Func{
		Name: name, Args: args, Ret: ret, Strict: true,
		Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			f, err := flagsOf(a)
			if err != nil {
				return types.Null, err
			}
			re, err := getRegex(a[patIdx].S, f)
			if err != nil {
				return types.Null, err
			}
			return body(re, f, a)
		},
		specialize: func(consts []*types.Datum) evalFunc {
			if consts[patIdx] == nil || consts[patIdx].K == types.KNull {
				return nil
			}
			var fa []types.Datum
			if flagIdx >= 0 && flagIdx < len(consts) {
				if consts[flagIdx] == nil || consts[flagIdx].K == types.KNull {
					return nil
				}
				fa = make([]types.Datum, len(consts))
				fa[flagIdx] = *consts[flagIdx]
			}
			f, err := flagsOf(fa)
			if err != nil {
				return errorEval(err)
			}
			re, err := compileRegex(consts[patIdx].S, f)
			if err != nil {
				return errorEval(err)
			}
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return body(re, f, a) }
		},
	}
}

// matchGroups returns the array regexp_match(es) yields for one match:
// the capture groups (NULL when a group did not participate), or the
// whole match when the pattern has no groups.
func matchGroups(s string, loc []int) types.Datum {
	if len(loc) == 2 {
		return types.NewArray([]types.Datum{types.NewString(s[loc[0]:loc[1]])})
	}
	out := make([]types.Datum, len(loc)/2-1)
	for g := 1; g < len(loc)/2; g++ {
		if loc[2*g] >= 0 {
			out[g-1] = types.NewString(s[loc[2*g]:loc[2*g+1]])
		}
	}
	return types.NewArray(out)
}

// expandReplacement appends PostgreSQL's regexp_replace replacement: \1
// to \9 insert groups, \& the whole match, \\ a backslash.
func expandReplacement(dst []byte, rep, s string, loc []int) []byte {
	for i := 0; i < len(rep); i++ {
		c := rep[i]
		if c != '\\' || i+1 >= len(rep) {
			dst = append(dst, c)
			continue
		}
		n := rep[i+1]
		switch {
		case n >= '1' && n <= '9':
			g := int(n - '0')
			if 2*g+1 < len(loc) && loc[2*g] >= 0 {
				dst = append(dst, s[loc[2*g]:loc[2*g+1]]...)
			}
			i++
		case n == '&':
			dst = append(dst, s[loc[0]:loc[1]]...)
			i++
		case n == '\\':
			dst = append(dst, '\\')
			i++
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func regexReplace(re *regexp.Regexp, f regexFlags, a []types.Datum) (types.Datum, error) {
	s, rep := a[0].S, a[2].S
	var out []byte
	last := 0
	for start := 0; start <= len(s); {
		loc := re.FindStringSubmatchIndex(s[start:])
		if loc == nil {
			break
		}
		for i := range loc {
			if loc[i] >= 0 {
				loc[i] += start
			}
		}
		out = append(out, s[last:loc[0]]...)
		out = expandReplacement(out, rep, s, loc)
		last = loc[1]
		if !f.global {
			break
		}
		if loc[1] == loc[0] {
			// Empty match: step over one character so the scan advances.
			if loc[1] >= len(s) {
				break
			}
			_, w := utf8.DecodeRuneInString(s[loc[1]:])
			out = append(out, s[loc[1]:loc[1]+w]...)
			last = loc[1] + w
			start = last
		} else {
			start = loc[1]
		}
	}
	if out == nil {
		return a[0], nil
	}
	out = append(out, s[last:]...)
	return types.NewString(string(out)), nil
}

var errMatchGlobal = pgerror.New(pgerror.InvalidParameterValue, `regexp_match() does not support the "global" option`).
	WithHint("Use the regexp_matches function instead.")

func noGlobal(fname string) func(regexFlags) error {
	return func(f regexFlags) error {
		if f.global {
			if fname == "regexp_match" {
				return errMatchGlobal
			}
			return pgerror.Newf(pgerror.InvalidParameterValue, `%s() does not support the "global" option`, fname)
		}
		return nil
	}
}

func init() {
	t := types.TText
	tt := []types.T{t, t}
	ttt := []types.T{t, t, t}
	tttt := []types.T{t, t, t, t}
	match := func(negate bool) regexCall {
		return func(re *regexp.Regexp, _ regexFlags, a []types.Datum) (types.Datum, error) {
			return types.NewBool(re.MatchString(a[0].S) != negate), nil
		}
	}
	noG := noGlobal("regexp_like")
	fold := regexFlags{fold: true}
	register(
		regexFunc("~", tt, types.TBool, 1, -1, regexFlags{}, nil, match(false)),
		regexFunc("!~", tt, types.TBool, 1, -1, regexFlags{}, nil, match(true)),
		regexFunc("~*", tt, types.TBool, 1, -1, fold, nil, match(false)),
		regexFunc("!~*", tt, types.TBool, 1, -1, fold, nil, match(true)),
		regexFunc("regexp_like", tt, types.TBool, 1, -1, regexFlags{}, nil, match(false)),
		regexFunc("regexp_like", ttt, types.TBool, 1, 2, regexFlags{}, noG, match(false)),
		regexFunc("regexp_replace", ttt, t, 1, -1, regexFlags{}, nil, regexReplace),
		regexFunc("regexp_replace", tttt, t, 1, 3, regexFlags{}, nil, regexReplace),
	)
	regexpMatch := func(re *regexp.Regexp, _ regexFlags, a []types.Datum) (types.Datum, error) {
		loc := re.FindStringSubmatchIndex(a[0].S)
		if loc == nil {
			return types.Null, nil
		}
		return matchGroups(a[0].S, loc), nil
	}
	count := func(re *regexp.Regexp, _ regexFlags, a []types.Datum) (types.Datum, error) {
		return types.NewInt(int64(len(re.FindAllStringIndex(a[0].S, -1)))), nil
	}
	// substring(s, pattern): the first parenthesised group, or the whole
	// match when there is none.
	substr := func(re *regexp.Regexp, _ regexFlags, a []types.Datum) (types.Datum, error) {
		loc := re.FindStringSubmatchIndex(a[0].S)
		if loc == nil {
			return types.Null, nil
		}
		if len(loc) > 2 {
			if loc[2] < 0 {
				return types.Null, nil
			}
			return types.NewString(a[0].S[loc[2]:loc[3]]), nil
		}
		return types.NewString(a[0].S[loc[0]:loc[1]]), nil
	}
	register(
		regexFunc("regexp_match", tt, types.TTextArray, 1, -1, regexFlags{}, nil, regexpMatch),
		regexFunc("regexp_match", ttt, types.TTextArray, 1, 2, regexFlags{}, noGlobal("regexp_match"), regexpMatch),
		regexFunc("regexp_count", tt, types.TInt4, 1, -1, regexFlags{}, nil, count),
		regexFunc("substring", tt, t, 1, -1, regexFlags{}, nil, substr),
	)
}
