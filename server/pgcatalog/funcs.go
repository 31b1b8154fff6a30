package pgcatalog

// The catalog functions psql, drivers and tools call, as plain Go. The
// server registers them as SQL functions; a (value, false) result is SQL
// NULL.

import (
	"fmt"
	"strconv"
	"strings"

	"streamsqld/catalog"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// varhdrsz is PostgreSQL's VARHDRSZ, which varchar and numeric typmods
// include.
const varhdrsz = 4

// FormatType is format_type(type_oid, typemod): the SQL name of a type
// with its modifier, as PostgreSQL prints it ("character varying(20)",
// "numeric(10,2)", "timestamp(3) without time zone", "text[]"). typmod
// is -1 for none (also for SQL NULL). OID 0 is "-"; an OID pg_type does
// not know is "???".
func FormatType(oid uint32, typmod int32) (string, error) {
	if oid == 0 {
		return "-", nil
	}
	t, ok := types.FromOID(oid)
	if !ok {
		return "???", nil
	}
	suffix := ""
	fam := t.Fam
	if t.Fam == types.Array {
		fam, suffix = t.Elem, "[]"
	}
	base := types.T{Fam: fam, Mod: -1}.String()
	if typmod < 0 {
		return base + suffix, nil
	}
	switch fam {
	case types.Varchar:
		if typmod > varhdrsz {
			return fmt.Sprintf("%s(%d)%s", base, typmod-varhdrsz, suffix), nil
		}
	case types.Numeric:
		if typmod >= varhdrsz {
			m := typmod - varhdrsz
			// The scale is an 11-bit two's complement number since
			// PostgreSQL 15 allows negative scales.
			scale := ((m & 0x7ff) ^ 1024) - 1024
			return fmt.Sprintf("numeric(%d,%d)%s", (m>>16)&0xffff, scale, suffix), nil
		}
	case types.Timestamp:
		return fmt.Sprintf("timestamp(%d) without time zone%s", typmod, suffix), nil
	case types.Timestamptz:
		return fmt.Sprintf("timestamp(%d) with time zone%s", typmod, suffix), nil
	case types.Interval:
		fields, err := intervalFields(typmod)
		if err != nil {
			return "", err
		}
		if p := typmod & 0xffff; p != 0xffff {
			return fmt.Sprintf("interval%s(%d)%s", fields, p, suffix), nil
		}
		return "interval" + fields + suffix, nil
	}
	return base + suffix, nil
}

// Interval typmod field bits (PostgreSQL's INTERVAL_MASK of datetime.h).
const (
	ivMonth  = 1 << 1
	ivYear   = 1 << 2
	ivDay    = 1 << 3
	ivHour   = 1 << 10
	ivMinute = 1 << 11
	ivSecond = 1 << 12
	ivFull   = 0x7fff
)

var intervalFieldNames = map[int32]string{
	ivFull:                               "",
	ivYear:                               " year",
	ivMonth:                              " month",
	ivDay:                                " day",
	ivHour:                               " hour",
	ivMinute:                             " minute",
	ivSecond:                             " second",
	ivYear | ivMonth:                     " year to month",
	ivDay | ivHour:                       " day to hour",
	ivDay | ivHour | ivMinute:            " day to minute",
	ivDay | ivHour | ivMinute | ivSecond: " day to second",
	ivHour | ivMinute:                    " hour to minute",
	ivHour | ivMinute | ivSecond:         " hour to second",
	ivMinute | ivSecond:                  " minute to second",
}

// intervalFields decodes the field restriction of an interval typmod
// ((fields << 16) | precision). A typmod without fields is taken as the
// full range: streamsqld's own interval typmods carry only the precision.
func intervalFields(typmod int32) (string, error) {
	f := (typmod >> 16) & 0x7fff
	if f == 0 {
		return "", nil
	}
	s, ok := intervalFieldNames[f]
	if !ok {
		return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid INTERVAL typmod: 0x%x", typmod)
	}
	return s, nil
}

// PgGetUserByID is pg_get_userbyid(role_oid).
func PgGetUserByID(env *Env, oid uint32) string {
	if oid == OIDRole {
		return env.user()
	}
	return fmt.Sprintf("unknown (OID=%d)", oid)
}

// encodingUTF8 is PostgreSQL's number for UTF8, the only server encoding.
const encodingUTF8 = 6

// encodingNames are PostgreSQL's encodings by number (pg_enc).
var encodingNames = [...]string{
	"SQL_ASCII", "EUC_JP", "EUC_CN", "EUC_KR", "EUC_TW", "EUC_JIS_2004", "UTF8", "MULE_INTERNAL",
	"LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9",
	"LATIN10", "WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252",
	"ISO_8859_5", "ISO_8859_6", "ISO_8859_7", "ISO_8859_8", "WIN1250", "WIN1253", "WIN1254",
	"WIN1255", "WIN1257", "KOI8U", "SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004",
}

// PgEncodingToChar is pg_encoding_to_char(encoding): "" for an unknown
// number.
func PgEncodingToChar(enc int32) string {
	if enc < 0 || int(enc) >= len(encodingNames) {
		return ""
	}
	return encodingNames[enc]
}

// PgTableIsVisible is pg_table_is_visible(oid): whether an unqualified
// name finds the relation. streamsqld resolves unqualified names in public
// and then pg_catalog, so a public relation hides a catalog relation of
// the same name; information_schema is never searched. ok is false (NULL)
// for an OID that is no relation.
func PgTableIsVisible(snap *catalog.Snapshot, oid uint32) (visible, ok bool) {
	if snap != nil {
		if r, found := snap.ByID(oid); found && r.Kind != catalog.Sink {
			return true, true
		}
	}
	t, found := byOID()[oid]
	if !found {
		return false, false
	}
	if t.Schema != "pg_catalog" {
		return false, true
	}
	if snap != nil {
		if r, shadowed := snap.Lookup(t.Name); shadowed && r.Kind != catalog.Sink {
			return false, true
		}
	}
	return true, true
}

// PgTypeIsVisible is pg_type_is_visible(oid): every type streamsqld has
// lives in pg_catalog. ok is false (NULL) for an unknown OID.
func PgTypeIsVisible(oid uint32) (visible, ok bool) {
	_, ok = TypeInfoByOID(oid)
	return ok, ok
}

// ObjDescription is obj_description(oid[, catalog]): streamsqld keeps no
// comments, so it is always NULL.
func ObjDescription(uint32, string) (string, bool) { return "", false }

// ColDescription is col_description(table_oid, column_number): NULL.
func ColDescription(uint32, int32) (string, bool) { return "", false }

// PgGetExpr is pg_get_expr(pg_node_tree, relation_oid[, pretty]):
// streamsqld stores no expression trees (defaults, constraints, index
// predicates), so it is NULL.
func PgGetExpr(string, uint32) (string, bool) { return "", false }

// PgGetIndexdef is pg_get_indexdef(index_oid[, column, pretty]): there are
// no indexes, so it is NULL, as PostgreSQL returns for an OID that is no
// index.
func PgGetIndexdef(uint32) (string, bool) { return "", false }

// PgGetConstraintdef is pg_get_constraintdef(oid): NULL, there are no
// constraints.
func PgGetConstraintdef(uint32) (string, bool) { return "", false }

// PgGetViewdef is pg_get_viewdef(oid): a materialized view's query in
// PostgreSQL's layout (" SELECT ...;"). ok is false (NULL) for a relation
// that is no view.
func PgGetViewdef(snap *catalog.Snapshot, oid uint32) (string, bool) {
	if snap == nil {
		return "", false
	}
	r, found := snap.ByID(oid)
	if !found || r.Kind != catalog.MaterializedView {
		return "", false
	}
	return viewDefinition(r), true
}

// PgGetViewdefByName is pg_get_viewdef(text): the name is resolved like
// regclass.
func PgGetViewdefByName(snap *catalog.Snapshot, name string) (string, bool, error) {
	oid, err := RegclassOID(snap, name)
	if err != nil {
		return "", false, err
	}
	def, ok := PgGetViewdef(snap, oid)
	return def, ok, nil
}

// viewDefinition is a materialized view's query as pg_get_viewdef prints
// it.
func viewDefinition(r *catalog.Relation) string {
	return " " + strings.TrimRight(viewQuery(r.SQL), "; \t\r\n") + ";"
}

// viewQuery extracts the query from `CREATE MATERIALIZED VIEW name [WITH
// (...)] AS query`: the text after the first AS outside parentheses,
// quotes and comments. It returns sql itself when there is none.
func viewQuery(sql string) string {
	depth := 0
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j + 1
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			if nl := strings.IndexByte(sql[i:], '\n'); nl >= 0 {
				i += nl + 1
			} else {
				i = len(sql)
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			if end := strings.Index(sql[i+2:], "*/"); end >= 0 {
				i += end + 4
			} else {
				i = len(sql)
			}
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
		case isIdentStart(c):
			j := i
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			if depth == 0 && strings.EqualFold(sql[i:j], "as") {
				return strings.TrimSpace(sql[j:])
			}
			i = j
		default:
			i++
		}
	}
	return sql
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

// HasTablePrivilege is has_table_privilege([user,] table, privilege) for
// a table given by name: true, as the one role may do everything, once the
// relation exists (42P01 otherwise, as in PostgreSQL).
func HasTablePrivilege(snap *catalog.Snapshot, table string) (bool, error) {
	if _, err := RegclassOID(snap, table); err != nil {
		return false, err
	}
	return true, nil
}

// HasPrivilege is every other has_*_privilege function (schema, database,
// column, function, OID forms): true.
func HasPrivilege() bool { return true }

// CurrentSchemas is current_schemas(include_implicit): the search path.
func CurrentSchemas(includeImplicit bool) []string {
	if includeImplicit {
		return []string{"pg_catalog", "public"}
	}
	return []string{"public"}
}

// PgSizePretty is pg_size_pretty(bigint).
func PgSizePretty(size int64) string {
	const limit = 10 * 1024
	const limit2 = limit*2 - 1
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	half := func(v int64) int64 {
		if v < 0 {
			return (v - 1) / 2
		}
		return (v + 1) / 2
	}
	if abs(size) < limit {
		return strconv.FormatInt(size, 10) + " bytes"
	}
	// Keep one extra bit for rounding, as PostgreSQL does.
	size /= 1 << 9
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		if abs(size) < limit2 {
			return strconv.FormatInt(half(size), 10) + " " + unit
		}
		size /= 1 << 10
	}
	return strconv.FormatInt(half(size), 10) + " PB"
}

// OptionsToTable is pg_options_to_table(options): the option_name,
// option_value pairs of a text[] of "name=value" options.
func OptionsToTable(opts []string) [][2]string {
	out := make([][2]string, 0, len(opts))
	for _, o := range opts {
		name, value, _ := strings.Cut(o, "=")
		out = append(out, [2]string{name, value})
	}
	return out
}

// QuoteIdent is quote_ident(text): name as is when it needs no quotes,
// otherwise double-quoted with embedded quotes doubled.
func QuoteIdent(name string) string {
	safe := name != "" && (name[0] >= 'a' && name[0] <= 'z' || name[0] == '_')
	for i := 0; safe && i < len(name); i++ {
		c := name[i]
		safe = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if safe && !pg15QuotedKeywords[name] {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// RegclassOID is regclass's input: the OID of the relation named name,
// which may be schema-qualified and quoted ('orders', 'public."Orders"',
// 'pg_catalog.pg_class') or a number (taken as it is). Unqualified names
// are resolved as streamsqld resolves them in queries: public, then
// pg_catalog.
func RegclassOID(snap *catalog.Snapshot, name string) (uint32, error) {
	if oid, ok := parseOIDText(name); ok {
		return oid, nil
	}
	schema, rel, err := splitQualified(name)
	if err != nil {
		return 0, err
	}
	if schema == "" || schema == "public" {
		if snap != nil {
			if r, ok := snap.Lookup(rel); ok && r.Kind != catalog.Sink {
				return RelationOID(r.ID), nil
			}
		}
	}
	if schema != "public" {
		sys := schema
		if sys == "" {
			sys = "pg_catalog"
		}
		if t, ok := Lookup(sys, rel); ok {
			return t.oid, nil
		}
	}
	display := rel
	if schema != "" {
		display = schema + "." + rel
	}
	return 0, pgerror.Newf(pgerror.UndefinedTable, "relation \"%s\" does not exist", display)
}

// RegclassName is regclass's output: the relation's name, qualified when
// an unqualified name would not find it, or the number for an unknown OID.
func RegclassName(snap *catalog.Snapshot, oid uint32) string {
	if snap != nil {
		if r, ok := snap.ByID(oid); ok && r.Kind != catalog.Sink {
			return QuoteIdent(r.Name)
		}
	}
	if t, ok := byOID()[oid]; ok {
		if visible, _ := PgTableIsVisible(snap, oid); visible {
			return QuoteIdent(t.Name)
		}
		return QuoteIdent(t.Schema) + "." + QuoteIdent(t.Name)
	}
	return strconv.FormatUint(uint64(oid), 10)
}

// RegnamespaceName is regnamespace's output.
func RegnamespaceName(oid uint32) string {
	if n, ok := NamespaceName(oid); ok {
		return QuoteIdent(n)
	}
	return strconv.FormatUint(uint64(oid), 10)
}

// parseOIDText accepts the all-digits form of the reg* types' input.
func parseOIDText(s string) (uint32, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(v), true
}

// splitQualified parses "[schema.]name" with SQL identifier rules:
// unquoted parts fold to lower case, quoted parts keep their case.
func splitQualified(s string) (schema, name string, err error) {
	var parts []string
	s = strings.TrimSpace(s)
	for {
		var part string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for {
				if i >= len(s) {
					return "", "", errInvalidName()
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(s[i])
				i++
			}
			part, s = b.String(), s[i+1:]
			if part == "" {
				return "", "", errInvalidName()
			}
		} else {
			end := strings.IndexByte(s, '.')
			if end < 0 {
				end = len(s)
			}
			part = strings.ToLower(strings.TrimSpace(s[:end]))
			if part == "" || strings.ContainsAny(part, "\" \t") {
				return "", "", errInvalidName()
			}
			s = s[end:]
		}
		parts = append(parts, part)
		s = strings.TrimSpace(s)
		if s == "" {
			break
		}
		if s[0] != '.' {
			return "", "", errInvalidName()
		}
		s = strings.TrimSpace(s[1:])
	}
	switch len(parts) {
	case 1:
		return "", parts[0], nil
	case 2:
		return parts[0], parts[1], nil
	case 3:
		if parts[0] != DatabaseName {
			return "", "", pgerror.Newf(pgerror.FeatureNotSupported, "cross-database references are not implemented: \"%s\"", strings.Join(parts, "."))
		}
		return parts[1], parts[2], nil
	}
	return "", "", pgerror.Newf(pgerror.SyntaxError, "improper relation name (too many dotted names): %s", strings.Join(parts, "."))
}

func errInvalidName() error {
	return pgerror.New(pgerror.InvalidName, "invalid name syntax")
}

// ParseIdent is parse_ident(text[, strict]): the parts of a qualified SQL
// identifier, unquoted parts folded to lower case. Not strict, it ignores
// what follows the identifier.
func ParseIdent(s string, strict bool) ([]string, error) {
	invalid := func() error {
		return pgerror.Newf(pgerror.InvalidParameterValue, "string is not a valid identifier: \"%s\"", s)
	}
	var parts []string
	rest := strings.TrimLeft(s, " \t\n\r")
	for {
		var part string
		switch {
		case strings.HasPrefix(rest, `"`):
			var b strings.Builder
			i := 1
			for {
				if i >= len(rest) {
					return nil, invalid()
				}
				if rest[i] == '"' {
					if i+1 < len(rest) && rest[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(rest[i])
				i++
			}
			if b.Len() == 0 {
				return nil, pgerror.Newf(pgerror.InvalidParameterValue, "string is not a valid identifier: \"%s\"", s).
					WithDetail("Quoted identifier must not be empty.")
			}
			part, rest = b.String(), rest[i+1:]
		case rest != "" && isIdentStart(rest[0]):
			i := 0
			for i < len(rest) && isIdentChar(rest[i]) {
				i++
			}
			part, rest = strings.ToLower(rest[:i]), rest[i:]
		default:
			if len(parts) == 0 {
				return nil, pgerror.Newf(pgerror.InvalidParameterValue, "string is not a valid identifier: \"%s\"", s).
					WithDetail("No valid identifier before \".\".")
			}
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "string is not a valid identifier: \"%s\"", s).
				WithDetail("No valid identifier after \".\".")
		}
		parts = append(parts, part)
		rest = strings.TrimLeft(rest, " \t\n\r")
		if !strings.HasPrefix(rest, ".") {
			break
		}
		rest = strings.TrimLeft(rest[1:], " \t\n\r")
	}
	if strict && rest != "" {
		return nil, invalid()
	}
	return parts, nil
}
