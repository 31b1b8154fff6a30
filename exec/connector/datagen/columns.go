package datagen

import (
	"sort"
	"strings"

	"streamsqld/exec/connector/internal/genutil"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// genKind is how a column's values are made.
type genKind uint8

const (
	genNull      genKind = iota
	genSeq               // start + g
	genRandInt           // uniform in [minI, maxI]
	genRandFloat         // uniform in [minF, maxF)
	genRandStr           // random letters of length
	genBool              // fair coin
	genEventTime         // event clock
	genTweetID           // g
	genTweetTS           // event clock minus jitter
	genTweetAuthor
	genTweetText
)

// colGen is the plan of one column.
type colGen struct {
	typ        types.T
	kind       genKind
	start, end int64
	hasEnd     bool
	minI, maxI int64
	minF, maxF float64
	length     int
}

// Defaults of random generators.
const (
	defaultMin    = 0
	defaultMax    = 1000
	defaultLength = 10
	maxLength     = 1 << 16
)

var tweetKinds = map[string]genKind{
	"id":     genTweetID,
	"ts":     genTweetTS,
	"author": genTweetAuthor,
	"text":   genTweetText,
}

// planColumns resolves every column's generator from its type, name and
// fields.<col>.* options, and rejects options naming no column, which are
// almost always typos.
func planColumns(cols []types.Column, o genutil.Options, tweets bool) ([]colGen, error) {
	byName := make(map[string]int, len(cols))
	for i, c := range cols {
		byName[strings.ToLower(c.Name)] = i
	}
	// fields options per column index.
	fieldOpts := make(map[int]bool)
	var bad []string
	o.Keys(func(key string) {
		rest, ok := strings.CutPrefix(key, fieldsPrefix)
		if !ok {
			return
		}
		dot := strings.LastIndexByte(rest, '.')
		if dot <= 0 {
			bad = append(bad, key)
			return
		}
		i, ok := byName[rest[:dot]]
		if !ok {
			bad = append(bad, key)
			return
		}
		switch rest[dot+1:] {
		case "kind", "start", "end", "min", "max", "length":
			fieldOpts[i] = true
		default:
			bad = append(bad, key)
		}
	})
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, pgerror.Newf(pgerror.InvalidParameterValue,
			"datagen option %q names no column or field setting", bad[0])
	}
	out := make([]colGen, len(cols))
	for i, c := range cols {
		name := strings.ToLower(c.Name)
		if tweets && !fieldOpts[i] {
			out[i] = colGen{typ: c.Type, kind: tweetKinds[name]}
			continue
		}
		g, err := planColumn(c, name, o)
		if err != nil {
			return nil, err
		}
		out[i] = g
	}
	return out, nil
}

func planColumn(c types.Column, name string, o genutil.Options) (colGen, error) {
	key := func(s string) string { return fieldsPrefix + name + "." + s }
	g := colGen{typ: c.Type, length: defaultLength}
	kind := strings.ToLower(o.String(key("kind"), ""))
	isInt := c.Type.IsInteger()
	isNum := c.Type.IsNumeric()
	isStr := c.Type.IsString() || c.Type.Fam == types.Bytea
	var err error
	switch kind {
	case "sequence":
		if !isNum && !isStr {
			return g, pgerror.Newf(pgerror.InvalidParameterValue,
				"datagen sequence is not supported for column %q of type %s", c.Name, c.Type.String())
		}
		g.kind = genSeq
		if g.start, err = o.Int(key("start"), 0); err != nil {
			return g, err
		}
		if _, g.hasEnd = o.Get(key("end")); g.hasEnd {
			if g.end, err = o.Int(key("end"), 0); err != nil {
				return g, err
			}
		}
		return g, nil
	case "random", "":
	default:
		return g, pgerror.Newf(pgerror.InvalidParameterValue,
			"unknown datagen kind %q for column %q (supported: 'sequence', 'random')", kind, c.Name)
	}
	switch {
	case isInt:
		g.kind = genRandInt
		if g.minI, err = o.Int(key("min"), defaultMin); err != nil {
			return g, err
		}
		if g.maxI, err = o.Int(key("max"), defaultMax); err != nil {
			return g, err
		}
		if g.maxI < g.minI {
			return g, minMaxError(c.Name)
		}
	case isNum:
		g.kind = genRandFloat
		if g.minF, err = o.Float(key("min"), defaultMin); err != nil {
			return g, err
		}
		if g.maxF, err = o.Float(key("max"), defaultMax); err != nil {
			return g, err
		}
		if g.maxF < g.minF {
			return g, minMaxError(c.Name)
		}
	case isStr:
		g.kind = genRandStr
		n, err := o.IntRange(key("length"), defaultLength, 0, maxLength)
		if err != nil {
			return g, err
		}
		g.length = int(n)
	case c.Type.Fam == types.Bool:
		g.kind = genBool
	case c.Type.Fam == types.Timestamp || c.Type.Fam == types.Timestamptz || c.Type.Fam == types.Date:
		g.kind = genEventTime
	default:
		g.kind = genNull
	}
	return g, nil
}

func minMaxError(col string) error {
	return pgerror.Newf(pgerror.InvalidParameterValue, "datagen column %q: max is below min", col)
}
