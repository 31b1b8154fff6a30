package sql

import (
	"strconv"
	"strings"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// typeRef is a type name as written: `varchar(20)`, `timestamp(3) with
// time zone`, `pg_catalog.regclass`, `text[]`.
type typeRef struct {
	name      string // words joined by single spaces, schema-qualified if written so
	mods      []int
	arrayDims int
	tok       token // first token, for error positions
}

// String is the canonical spelling, used as ast.Cast.TypeName.
func (tr typeRef) String() string {
	var b strings.Builder
	name, suffix := tr.name, ""
	// The precision of timestamp(3) with time zone goes after the first
	// word.
	for _, z := range []string{" with time zone", " without time zone"} {
		if strings.HasSuffix(name, z) {
			name, suffix = strings.TrimSuffix(name, z), z
		}
	}
	b.WriteString(name)
	if len(tr.mods) > 0 {
		b.WriteByte('(')
		for i, m := range tr.mods {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(m))
		}
		b.WriteByte(')')
	}
	b.WriteString(suffix)
	for range tr.arrayDims {
		b.WriteString("[]")
	}
	return b.String()
}

// resolve maps the name to a type. Errors carry tr's position.
func (tr typeRef) resolve(pc *posConv) (types.T, error) {
	name := tr.name
	for range tr.arrayDims {
		name += "[]"
	}
	t, err := types.ParseTypeName(name, tr.mods)
	if err != nil {
		pe := pgerror.Flatten(err)
		if pe.Position == 0 {
			pe.Position = pc.pos(tr.tok.pos)
		}
		return types.T{}, pe
	}
	return t, nil
}

// isCatalogOnlyType reports names the planner resolves itself (OID alias
// types and information_schema domains that have no types.T).
func (tr typeRef) isCatalogOnlyType() bool {
	n := strings.TrimPrefix(tr.name, "pg_catalog.")
	return strings.HasPrefix(n, "reg") || strings.HasPrefix(n, "information_schema.")
}

// typeStartWords are words that can begin a type name in a typed literal
// (`DATE '2024-01-01'`); checking them first keeps the rewrite from trying
// to parse a type at every identifier.
var typeStartWords = map[string]bool{
	"timestamp": true, "timestamptz": true, "date": true, "time": true, "timetz": true,
	"interval": true, "int": true, "integer": true, "bigint": true, "smallint": true,
	"int2": true, "int4": true, "int8": true, "text": true, "varchar": true, "char": true,
	"character": true, "bool": true, "boolean": true, "numeric": true, "decimal": true,
	"real": true, "float": true, "float4": true, "float8": true, "double": true,
	"json": true, "jsonb": true, "bytea": true, "name": true, "oid": true,
	"regclass": true, "regtype": true, "regproc": true, "uuid": true, "inet": true,
	"pg_catalog": true,
}

// parseTypeRef parses a type name starting at toks[i]. end stands for the
// token after toks (for error messages).
func parseTypeRef(sc *srcCtx, toks []token, i int, end token) (typeRef, int, error) {
	at := func(k int) token {
		if k < len(toks) {
			return toks[k]
		}
		return end
	}
	tr := typeRef{tok: at(i)}
	var words []string
	t := at(i)
	if !t.isWordLike() {
		return tr, i, sc.errSyntax(t)
	}
	if at(i+1).isPunct(".") && at(i+2).isWordLike() {
		words = append(words, t.val+".")
		i += 2
		t = at(i)
	}
	i++
	base := t.val
	if t.kind == tQIdent && t.val == "char" {
		base = `"char"`
	}
	parseMods := func() error {
		if !at(i).isPunct("(") {
			return nil
		}
		i++
		for {
			n := at(i)
			if n.kind != tNumber {
				return sc.errSyntax(n)
			}
			v, err := strconv.Atoi(n.val)
			if err != nil {
				return pgerror.Newf(pgerror.SyntaxError, "invalid type modifier").WithPosition(sc.pc.pos(n.pos))
			}
			tr.mods = append(tr.mods, v)
			i++
			if at(i).isPunct(",") {
				i++
				continue
			}
			if !at(i).isPunct(")") {
				return sc.errSyntax(at(i))
			}
			i++
			return nil
		}
	}
	if t.kind == tIdent {
		switch base {
		case "double":
			if !at(i).is("precision") {
				return tr, i, sc.errSyntax(at(i))
			}
			i++
			base = "double precision"
		case "national":
			if !at(i).is("character") && !at(i).is("char") {
				return tr, i, sc.errSyntax(at(i))
			}
			i++
			base = "character"
			if at(i).is("varying") {
				i++
				base = "character varying"
			}
		case "nchar":
			base = "character"
			if at(i).is("varying") {
				i++
				base = "character varying"
			}
		case "character", "char", "bit":
			if at(i).is("varying") {
				i++
				base += " varying"
			}
		case "timestamp", "time":
			if err := parseMods(); err != nil {
				return tr, i, err
			}
			if at(i).is("with") && at(i+1).is("time") && at(i+2).is("zone") {
				i += 3
				base += " with time zone"
			} else if at(i).is("without") && at(i+1).is("time") && at(i+2).is("zone") {
				i += 3
				base += " without time zone"
			}
		case "interval":
			// Interval field restrictions (INTERVAL DAY TO SECOND) only
			// limit the accepted input; they do not change the type.
			for isIntervalUnit(at(i).val) && at(i).kind == tIdent {
				i++
				if at(i).is("to") {
					i++
				}
			}
		}
	}
	words = append(words, base)
	tr.name = strings.Join(words, "")
	if len(tr.mods) == 0 {
		if err := parseMods(); err != nil {
			return tr, i, err
		}
	}
	for {
		if at(i).isPunct("[") {
			i++
			if at(i).kind == tNumber {
				i++
			}
			if !at(i).isPunct("]") {
				return tr, i, sc.errSyntax(at(i))
			}
			i++
			tr.arrayDims++
			continue
		}
		if at(i).is("array") {
			i++
			tr.arrayDims++
			if at(i).isPunct("[") && at(i+1).kind == tNumber && at(i+2).isPunct("]") {
				i += 3
			}
			continue
		}
		break
	}
	return tr, i, nil
}

// intervalUnits maps the unit words of interval literals and EXTRACT-like
// syntax (singular and plural) to PostgreSQL's upper-case singular form.
var intervalUnits = map[string]string{
	"year": "YEAR", "years": "YEAR", "month": "MONTH", "months": "MONTH",
	"day": "DAY", "days": "DAY", "hour": "HOUR", "hours": "HOUR",
	"minute": "MINUTE", "minutes": "MINUTE", "second": "SECOND", "seconds": "SECOND",
}

func isIntervalUnit(w string) bool { _, ok := intervalUnits[w]; return ok }
