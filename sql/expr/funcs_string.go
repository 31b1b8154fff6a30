package expr

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// String functions count characters, not bytes, as PostgreSQL does with a
// UTF-8 database.

// maxStringLen bounds results built by repeat/lpad/rpad, like PostgreSQL's
// 1GB limit on a text value.
const maxStringLen = 1 << 30

var errTooLarge = pgerror.New(pgerror.ProgramLimitExceeded, "requested length too large")

// fn builds a strict built-in.
func fn(name string, ret types.T, ev evalFunc, args ...types.T) *Func {
	return &Func{Name: name, Args: args, Ret: ret, Strict: true, Eval: ev}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerString avoids allocating when s is already lower case ASCII.
func lowerString(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func upperString(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('a' <= c && c <= 'z') {
			return strings.ToUpper(s)
		}
	}
	return s
}

// runeOffset returns the byte offset of the n-th (0-based) character of s,
// or len(s) when s is shorter.
func runeOffset(s string, n int64) int {
	if n <= 0 {
		return 0
	}
	if isASCII(s) {
		if n >= int64(len(s)) {
			return len(s)
		}
		return int(n)
	}
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

func charLen(s string) int64 {
	if isASCII(s) {
		return int64(len(s))
	}
	return int64(utf8.RuneCountInString(s))
}

// substr is PostgreSQL's text_substr: characters from..from+count-1,
// 1-based, clipped to the string; count < 0 is an error.
func substr(s string, from int64, count int64, hasCount bool) (types.Datum, error) {
	if hasCount && count < 0 {
		return types.Null, pgerror.New("22011", "negative substring length not allowed")
	}
	start := from
	if start < 1 {
		start = 1
	}
	if hasCount {
		end := from + count // exclusive, 1-based
		if count > 0 && end < from {
			end = 1<<62 - 1
		}
		if end <= start {
			return types.NewString(""), nil
		}
		b := runeOffset(s, start-1)
		e := b + runeOffset(s[b:], end-start)
		return types.NewString(s[b:e]), nil
	}
	return types.NewString(s[runeOffset(s, start-1):]), nil
}

// trimSet trims the characters of chars from the ends of s.
func trimSet(s, chars string, left, right bool) string {
	if isASCII(chars) && len(chars) == 1 {
		c := chars[0]
		if left {
			for len(s) > 0 && s[0] == c {
				s = s[1:]
			}
		}
		if right {
			for len(s) > 0 && s[len(s)-1] == c {
				s = s[:len(s)-1]
			}
		}
		return s
	}
	if left {
		s = strings.TrimLeft(s, chars)
	}
	if right {
		s = strings.TrimRight(s, chars)
	}
	return s
}

func pad(s string, length int64, fill string, left bool) (types.Datum, error) {
	if length <= 0 {
		return types.NewString(""), nil
	}
	if length > maxStringLen {
		return types.Null, errTooLarge
	}
	n := charLen(s)
	if n >= length || fill == "" {
		return types.NewString(s[:runeOffset(s, length)]), nil
	}
	need := length - n
	fr := []rune(fill)
	var b strings.Builder
	b.Grow(len(s) + int(need)*utf8.UTFMax)
	if !left {
		b.WriteString(s)
	}
	for i := int64(0); i < need; i++ {
		b.WriteRune(fr[i%int64(len(fr))])
	}
	if left {
		b.WriteString(s)
	}
	return types.NewString(b.String()), nil
}

func initcap(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if inWord {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToUpper(r))
			}
			inWord = true
		} else {
			b.WriteRune(r)
			inWord = false
		}
	}
	return b.String()
}

func reverseString(s string) string {
	if isASCII(s) {
		b := make([]byte, len(s))
		for i := 0; i < len(s); i++ {
			b[len(s)-1-i] = s[i]
		}
		return string(b)
	}
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// strpos returns the 1-based character position of needle in s, 0 when
// absent.
func strpos(s, needle string) int64 {
	i := strings.Index(s, needle)
	if i < 0 {
		return 0
	}
	return charLen(s[:i]) + 1
}

func splitPart(s, delim string, n int64) (types.Datum, error) {
	if n == 0 {
		return types.Null, pgerror.New(pgerror.InvalidParameterValue, "field position must not be zero")
	}
	if delim == "" {
		if n == 1 || n == -1 {
			return types.NewString(s), nil
		}
		return types.NewString(""), nil
	}
	if n > 0 {
		for ; n > 1; n-- {
			i := strings.Index(s, delim)
			if i < 0 {
				return types.NewString(""), nil
			}
			s = s[i+len(delim):]
		}
		if i := strings.Index(s, delim); i >= 0 {
			s = s[:i]
		}
		return types.NewString(s), nil
	}
	for ; n < -1; n++ {
		i := strings.LastIndex(s, delim)
		if i < 0 {
			return types.NewString(""), nil
		}
		s = s[:i]
	}
	if i := strings.LastIndex(s, delim); i >= 0 {
		s = s[i+len(delim):]
	}
	return types.NewString(s), nil
}

func translate(s, from, to string) string {
	fr, tr := []rune(from), []rune(to)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		idx := -1
		for i, f := range fr {
			if f == r {
				idx = i
				break
			}
		}
		switch {
		case idx < 0:
			b.WriteRune(r)
		case idx < len(tr):
			b.WriteRune(tr[idx])
		}
	}
	return b.String()
}

// appendValueText appends the text output of d of type t, as PostgreSQL's
// concat() and anynonarray || text do.
func appendValueText(buf []byte, d types.Datum, t types.T) []byte {
	if d.K == types.KString && t.IsString() {
		return append(buf, d.S...)
	}
	return types.AppendText(buf, d, t)
}

// appendCastText appends d cast to text: || converts its non-text operand
// with a cast, which differs from the output function only for booleans.
func appendCastText(buf []byte, d types.Datum, t types.T) []byte {
	if t.Fam == types.Bool {
		if d.I != 0 {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	}
	return appendValueText(buf, d, t)
}

// resolveConcat is the template of concat(VARIADIC "any"): every argument
// keeps its type and is printed with its output function.
func resolveConcat(name string, withSep bool) func(args []types.T) (*Func, []types.T, error) {
	return func(args []types.T) (*Func, []types.T, error) {
		if len(args) == 0 || (withSep && len(args) < 1) {
			return nil, nil, nil
		}
		ts := append([]types.T(nil), args...)
		for i, t := range ts {
			if t.Fam == types.Unknown {
				ts[i] = types.TText
			}
		}
		f := &Func{Name: name, Args: ts, Ret: types.TText}
		if withSep {
			if !ts[0].IsString() {
				return nil, nil, nil
			}
			f.Eval = func(ctx *Ctx, a []types.Datum) (types.Datum, error) {
				if a[0].K == types.KNull {
					return types.Null, nil
				}
				buf := ctx.Scratch[:0]
				first := true
				for i := 1; i < len(a); i++ {
					if a[i].K == types.KNull {
						continue
					}
					if !first {
						buf = append(buf, a[0].S...)
					}
					first = false
					buf = appendValueText(buf, a[i], ts[i])
				}
				ctx.Scratch = buf
				return types.NewString(string(buf)), nil
			}
		} else {
			f.Eval = func(ctx *Ctx, a []types.Datum) (types.Datum, error) {
				buf := ctx.Scratch[:0]
				for i := range a {
					if a[i].K != types.KNull {
						buf = appendValueText(buf, a[i], ts[i])
					}
				}
				ctx.Scratch = buf
				return types.NewString(string(buf)), nil
			}
		}
		return f, ts, nil
	}
}

// resolveConcatOp is the template of ||: text || text, anything || text
// and text || anything (through the value's text output), and the array
// concatenations.
func resolveConcatOp(args []types.T) (*Func, []types.T, error) {
	if len(args) != 2 {
		return nil, nil, nil
	}
	l, r := args[0], args[1]
	if l.Fam == types.Array || r.Fam == types.Array {
		return resolveArrayConcat(l, r)
	}
	if l.Fam == types.Unknown && r.Fam == types.Unknown {
		l, r = types.TText, types.TText
	}
	if l.Fam == types.Unknown {
		l = types.TText
	}
	if r.Fam == types.Unknown {
		r = types.TText
	}
	if !l.IsString() && !r.IsString() {
		return nil, nil, nil
	}
	if l.IsString() {
		l = types.TText
	}
	if r.IsString() {
		r = types.TText
	}
	lt, rt := l, r
	f := &Func{Name: "||", Args: []types.T{l, r}, Ret: types.TText, Strict: true,
		Eval: func(ctx *Ctx, a []types.Datum) (types.Datum, error) {
			if a[0].K == types.KString && a[1].K == types.KString {
				return types.NewString(a[0].S + a[1].S), nil
			}
			buf := appendCastText(ctx.Scratch[:0], a[0], lt)
			buf = appendCastText(buf, a[1], rt)
			ctx.Scratch = buf
			return types.NewString(string(buf)), nil
		}}
	return f, []types.T{l, r}, nil
}

func init() {
	t, i4, b := types.TText, types.TInt4, types.TBool
	str := func(f func(string) string) evalFunc {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			r := f(a[0].S)
			if r == a[0].S {
				return a[0], nil
			}
			return types.NewString(r), nil
		}
	}
	length := func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.NewInt(charLen(a[0].S)), nil }
	substr2 := func(_ *Ctx, a []types.Datum) (types.Datum, error) { return substr(a[0].S, a[1].I, 0, false) }
	substr3 := func(_ *Ctx, a []types.Datum) (types.Datum, error) { return substr(a[0].S, a[1].I, a[2].I, true) }
	trim := func(left, right bool) evalFunc {
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			chars := " "
			if len(a) > 1 {
				chars = a[1].S
			}
			r := trimSet(a[0].S, chars, left, right)
			if len(r) == len(a[0].S) {
				return a[0], nil
			}
			return types.NewString(r), nil
		}
	}
	pos := func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.NewInt(strpos(a[0].S, a[1].S)), nil }
	register(
		fn("lower", t, str(lowerString), t),
		fn("upper", t, str(upperString), t),
		fn("length", i4, length, t),
		fn("char_length", i4, length, t),
		fn("character_length", i4, length, t),
		fn("octet_length", i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.NewInt(int64(len(a[0].S))), nil }, t),
		fn("bit_length", i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.NewInt(8 * int64(len(a[0].S))), nil }, t),
		fn("length", i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.NewInt(int64(len(a[0].S))), nil }, types.TBytea),
		fn("substr", t, substr2, t, i4),
		fn("substr", t, substr3, t, i4, i4),
		fn("substring", t, substr2, t, i4),
		fn("substring", t, substr3, t, i4, i4),
		fn("split_part", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return splitPart(a[0].S, a[1].S, a[2].I) }, t, t, i4),
		fn("replace", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			if a[1].S == "" || !strings.Contains(a[0].S, a[1].S) {
				return a[0], nil
			}
			return types.NewString(strings.ReplaceAll(a[0].S, a[1].S, a[2].S)), nil
		}, t, t, t),
		fn("btrim", t, trim(true, true), t),
		fn("btrim", t, trim(true, true), t, t),
		fn("trim", t, trim(true, true), t),
		fn("trim", t, trim(true, true), t, t),
		fn("ltrim", t, trim(true, false), t),
		fn("ltrim", t, trim(true, false), t, t),
		fn("rtrim", t, trim(false, true), t),
		fn("rtrim", t, trim(false, true), t, t),
		fn("position", i4, pos, t, t),
		fn("strpos", i4, pos, t, t),
		fn("left", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			s, n := a[0].S, a[1].I
			if n < 0 {
				n = charLen(s) + n
			}
			return types.NewString(s[:runeOffset(s, n)]), nil
		}, t, i4),
		fn("right", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			s, n := a[0].S, a[1].I
			l := charLen(s)
			if n < 0 {
				n = l + n
			}
			if n >= l {
				return a[0], nil
			}
			return types.NewString(s[runeOffset(s, l-max(n, 0)):]), nil
		}, t, i4),
		fn("lpad", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return pad(a[0].S, a[1].I, " ", true) }, t, i4),
		fn("lpad", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return pad(a[0].S, a[1].I, a[2].S, true) }, t, i4, t),
		fn("rpad", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return pad(a[0].S, a[1].I, " ", false) }, t, i4),
		fn("rpad", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) { return pad(a[0].S, a[1].I, a[2].S, false) }, t, i4, t),
		fn("repeat", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			n := a[1].I
			if n <= 0 {
				return types.NewString(""), nil
			}
			if int64(len(a[0].S))*n > maxStringLen {
				return types.Null, errTooLarge
			}
			return types.NewString(strings.Repeat(a[0].S, int(n))), nil
		}, t, i4),
		fn("reverse", t, str(reverseString), t),
		fn("initcap", t, str(initcap), t),
		fn("starts_with", b, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NewBool(strings.HasPrefix(a[0].S, a[1].S)), nil
		}, t, t),
		fn("md5", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			sum := md5.Sum([]byte(a[0].S))
			return types.NewString(hex.EncodeToString(sum[:])), nil
		}, t),
		fn("translate", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NewString(translate(a[0].S, a[1].S, a[2].S)), nil
		}, t, t, t),
		fn("ascii", i4, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			if a[0].S == "" {
				return types.NewInt(0), nil
			}
			r, _ := utf8.DecodeRuneInString(a[0].S)
			return types.NewInt(int64(r)), nil
		}, t),
		fn("chr", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			c := a[0].I
			if c == 0 {
				return types.Null, pgerror.New("54000", "null character not permitted")
			}
			if c < 0 || c > unicode.MaxRune || (c >= 0xD800 && c <= 0xDFFF) {
				return types.Null, pgerror.New("54000", "requested character too large for encoding: "+itoa(c))
			}
			return types.NewString(string(rune(c))), nil
		}, i4),
		fn("quote_literal", t, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			s := a[0].S
			q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
			if strings.Contains(s, `\`) {
				q = "E'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
			}
			return types.NewString(q), nil
		}, t),
		&Func{Name: "concat", resolve: resolveConcat("concat", false)},
		&Func{Name: "concat_ws", resolve: resolveConcat("concat_ws", true)},
		&Func{Name: "||", resolve: resolveConcatOp},
	)
}
