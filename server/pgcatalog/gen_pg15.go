//go:build ignore

// gen_pg15 regenerates the PostgreSQL 15 catalog data this package serves,
// from a running PostgreSQL 15 server:
//
//	go run gen_pg15.go -dsn 'postgres://postgres@127.0.0.1:54315/postgres'
//
// It writes
//
//   - zz_pg15_tables.go: the column lists of the pg_catalog and
//     information_schema relations, with PostgreSQL's types mapped to
//     streamsqld's (see goType);
//   - zz_pg15_data.go: the rows of the catalogs whose contents do not depend
//     on the streamsqld catalog (pg_type for the types streamsqld has,
//     pg_proc for the functions it has, pg_am, pg_operator ...), as
//     PostgreSQL's text output;
//   - testdata/pg15_columns.tsv: every column of every relation as
//     PostgreSQL declares it, the golden file pgcatalog_test compares the
//     generated column lists against.
//
// The server must be a freshly initialized PostgreSQL 15 cluster (initdb
// -E UTF8 --locale=C.UTF-8): relation and namespace OIDs below 16384 are
// assigned by initdb and are taken as they are.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"streamsqld/sql/types"
)

// excluded relations use PostgreSQL types streamsqld has no stand-in for
// (extended statistics' pg_ndistinct, pg_dependencies, pg_mcv_list).
var excluded = map[string]bool{
	"pg_catalog.pg_statistic_ext_data": true,
	"pg_catalog.pg_stats_ext":          true,
}

// goType maps a PostgreSQL column type (format_type of the domain's base
// type for information_schema's domains) to the streamsqld type serving it.
// Types streamsqld lacks are represented by the closest one that prints
// the same text: vectors become arrays, aclitem[] text[], pg_node_tree,
// pg_lsn and inet text, xid oid (both unsigned 32-bit), anyarray text[].
var goType = map[string]string{
	"oid":                         "types.TOid",
	"name":                        "types.TName",
	`"char"`:                      "types.TChar",
	"text":                        "types.TText",
	"boolean":                     "types.TBool",
	"smallint":                    "types.TInt2",
	"integer":                     "types.TInt4",
	"bigint":                      "types.TInt8",
	"real":                        "types.TFloat4",
	"double precision":            "types.TFloat8",
	"numeric":                     "types.TNumeric",
	"interval":                    "types.TInterval",
	"bytea":                       "types.TBytea",
	"regproc":                     "types.TRegProc",
	"regtype":                     "types.TRegType",
	"regclass":                    "types.TRegClass",
	"timestamp with time zone":    "types.TTimestamptz",
	"timestamp(2) with time zone": "types.T{Fam: types.Timestamptz, Mod: 2}",
	"character varying":           "types.TVarchar",
	"character varying(3)":        "types.T{Fam: types.Varchar, Mod: 3}",
	"text[]":                      "types.TTextArray",
	"aclitem[]":                   "types.TTextArray",
	"anyarray":                    "types.TTextArray",
	"pg_node_tree":                "types.TText",
	"pg_lsn":                      "types.TText",
	"inet":                        "types.TText",
	"xid":                         "types.TOid",
	"oidvector":                   "types.ArrayOf(types.Oid)",
	"oid[]":                       "types.ArrayOf(types.Oid)",
	"int2vector":                  "types.ArrayOf(types.Int2)",
	"smallint[]":                  "types.ArrayOf(types.Int2)",
	"name[]":                      "types.ArrayOf(types.Name)",
	`"char"[]`:                    "types.ArrayOf(types.Char)",
	"real[]":                      "types.ArrayOf(types.Float4)",
	"double precision[]":          "types.ArrayOf(types.Float8)",
	"boolean[]":                   "types.ArrayOf(types.Bool)",
	"regtype[]":                   "types.ArrayOf(types.RegType)",
}

// funcNames are the functions streamsqld implements (sql/expr and the
// server's session functions); pg_proc lists PostgreSQL's overloads of
// them.
var funcNames = []string{
	// aggregates
	"count", "sum", "avg", "min", "max", "string_agg", "array_agg", "bool_and", "bool_or", "every",
	// math
	"abs", "acos", "asin", "atan", "atan2", "cbrt", "ceil", "ceiling", "cos", "degrees", "div", "exp",
	"floor", "ln", "log", "log10", "mod", "pi", "pow", "power", "radians", "random", "round", "sign",
	"sin", "sqrt", "tan", "trunc", "greatest", "least",
	// strings
	"ascii", "bit_length", "btrim", "char_length", "character_length", "chr", "concat", "concat_ws",
	"initcap", "left", "length", "lower", "lpad", "ltrim", "md5", "octet_length", "position",
	"quote_literal", "repeat", "replace", "reverse", "right", "rpad", "rtrim", "split_part",
	"starts_with", "strpos", "substr", "substring", "translate", "upper", "string_to_array",
	"array_to_string", "array_cat", "array_length", "array_upper", "array_lower", "unnest",
	"generate_series",
	// date and time
	"age", "date_bin", "date_trunc", "date_part", "justify_days", "justify_hours", "make_date",
	"now", "to_char", "to_date", "to_timestamp",
	// session and catalog
	"version", "current_database", "current_schema", "current_schemas", "current_setting",
	"set_config", "pg_backend_pid", "format_type", "pg_get_userbyid", "pg_encoding_to_char",
	"pg_table_is_visible", "pg_type_is_visible", "obj_description", "col_description",
	"shobj_description", "pg_get_viewdef", "pg_get_expr", "pg_get_indexdef", "pg_get_constraintdef",
	"has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
	"pg_relation_size", "pg_table_size", "pg_total_relation_size", "pg_size_pretty",
}

// static lists the catalogs whose rows are copied from PostgreSQL, with the
// rows to copy. $1 is the array of type OIDs streamsqld has.
var static = []struct{ rel, where string }{
	{"pg_catalog.pg_type", "oid = ANY($1)"},
	{"pg_catalog.pg_operator", opFilter},
	{"pg_catalog.pg_opclass", opclassFilter},
	{"pg_catalog.pg_opfamily", "oid IN (SELECT opcfamily FROM pg_catalog.pg_opclass WHERE " + opclassFilter + ")"},
	{"pg_catalog.pg_cast", "castsource = ANY($1) AND casttarget = ANY($1)"},
	{"pg_catalog.pg_proc", "proname = ANY($2) OR oid IN (" + typeFuncs + ") OR oid IN (SELECT oprcode FROM pg_catalog.pg_operator WHERE " + opFilter + ")"},
	{"pg_catalog.pg_am", "true"},
	{"pg_catalog.pg_language", "lanname IN ('internal', 'c', 'sql')"},
	{"pg_catalog.pg_collation", "oid IN (100, 950, 951)"},
	{"pg_catalog.pg_tablespace", "true"},
}

const (
	opFilter      = "oprname IN ('=', '<>', '<', '<=', '>', '>=') AND oprleft = oprright AND oprleft = ANY($1)"
	opclassFilter = "opcmethod IN (403, 405) AND opcdefault AND opcintype = ANY($1)"
	typeFuncs     = `SELECT f FROM pg_catalog.pg_type, LATERAL (VALUES (typinput), (typoutput), (typreceive), (typsend),
		(typmodin), (typmodout), (typanalyze), (typsubscript)) v(f) WHERE pg_type.oid = ANY($1) AND f <> 0`
)

type column struct {
	name, declared, base string
	notNull              bool
}

type relation struct {
	schema, name, kind string
	oid                uint32
	cols               []column
}

func main() {
	dsn := flag.String("dsn", "postgres://postgres@127.0.0.1:5432/postgres", "PostgreSQL 15 to read")
	flag.Parse()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(ctx)

	var version string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&version); err != nil {
		log.Fatal(err)
	}
	if !strings.HasPrefix(version, "15.") {
		log.Fatalf("server is PostgreSQL %s, want 15", version)
	}

	rels := loadRelations(ctx, conn)
	writeGolden(version, rels)
	writeTables(version, rels)
	writeData(ctx, conn, version, rels)
}

func loadRelations(ctx context.Context, conn *pgx.Conn) []*relation {
	rows, err := conn.Query(ctx, `
		SELECT n.nspname, c.relname, c.oid, c.relkind::text
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname IN ('pg_catalog', 'information_schema') AND c.relkind IN ('r', 'v')
		  AND c.relname NOT LIKE '\_pg\_%'
		ORDER BY 1, 2`)
	if err != nil {
		log.Fatal(err)
	}
	var rels []*relation
	for rows.Next() {
		r := &relation{}
		if err := rows.Scan(&r.schema, &r.name, &r.oid, &r.kind); err != nil {
			log.Fatal(err)
		}
		rels = append(rels, r)
	}
	if rows.Err() != nil {
		log.Fatal(rows.Err())
	}
	for _, r := range rels {
		rows, err := conn.Query(ctx, `
			SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
			  pg_catalog.format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END,
			                         CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END),
			  a.attnotnull
			FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
			WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
			ORDER BY a.attnum`, r.oid)
		if err != nil {
			log.Fatal(err)
		}
		for rows.Next() {
			var c column
			if err := rows.Scan(&c.name, &c.declared, &c.base, &c.notNull); err != nil {
				log.Fatal(err)
			}
			r.cols = append(r.cols, c)
		}
		if rows.Err() != nil {
			log.Fatal(rows.Err())
		}
	}
	return rels
}

func (r *relation) qualified() string { return r.schema + "." + r.name }

func writeGolden(version string, rels []*relation) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Columns of PostgreSQL %s's pg_catalog and information_schema relations,\n", version)
	fmt.Fprintf(&b, "# written by gen_pg15.go. rel: schema.name oid relkind; col: attname declared-type base-type notnull.\n")
	for _, r := range rels {
		fmt.Fprintf(&b, "rel\t%s\t%d\t%s\n", r.qualified(), r.oid, r.kind)
		for _, c := range r.cols {
			fmt.Fprintf(&b, "col\t%s\t%s\t%s\t%t\n", c.name, c.declared, c.base, c.notNull)
		}
	}
	write("testdata/pg15_columns.tsv", b.Bytes())
}

func writeTables(version string, rels []*relation) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gen_pg15.go from PostgreSQL %s; DO NOT EDIT.\n\n", version)
	b.WriteString("package pgcatalog\n\nimport \"streamsqld/sql/types\"\n\n")
	b.WriteString("// pg15Relations are the catalog relations, in PostgreSQL's column order.\n")
	b.WriteString("var pg15Relations = []*Table{\n")
	for _, r := range rels {
		if excluded[r.qualified()] {
			continue
		}
		fmt.Fprintf(&b, "{Schema: %q, Name: %q, oid: %d, kind: '%s', Columns: []types.Column{\n", r.schema, r.name, r.oid, r.kind)
		var notNull []string
		for i, c := range r.cols {
			gt, ok := goType[c.base]
			if !ok {
				log.Fatalf("%s.%s: no streamsqld type for %s", r.qualified(), c.name, c.base)
			}
			fmt.Fprintf(&b, "{Name: %q, Type: %s},\n", c.name, gt)
			if c.notNull {
				notNull = append(notNull, fmt.Sprint(i))
			}
		}
		b.WriteString("}")
		if len(notNull) > 0 {
			fmt.Fprintf(&b, ", notNull: []int{%s}", strings.Join(notNull, ", "))
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	writeGo("zz_pg15_tables.go", b.Bytes())
}

func writeData(ctx context.Context, conn *pgx.Conn, version string, rels []*relation) {
	byName := map[string]*relation{}
	for _, r := range rels {
		byName[r.qualified()] = r
	}
	var oids []uint32
	for oid := uint32(0); oid < 10000; oid++ {
		if _, ok := types.FromOID(oid); ok {
			oids = append(oids, oid)
		}
	}
	names := append([]string(nil), funcNames...)
	sort.Strings(names)

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by gen_pg15.go from PostgreSQL %s; DO NOT EDIT.\n\n", version)
	b.WriteString("package pgcatalog\n\n")
	b.WriteString("// pg15Data holds the rows copied from PostgreSQL, as text output (regproc,\n")
	b.WriteString("// vectors and aclitem as oid, arrays and text); nullText is NULL.\n")
	b.WriteString("var pg15Data = map[string][][]string{\n")
	for _, s := range static {
		r := byName[s.rel]
		if r == nil {
			log.Fatalf("%s: no such relation", s.rel)
		}
		var sel []string
		for _, c := range r.cols {
			sel = append(sel, textExpr(c))
		}
		q := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s.%q", strings.Join(sel, ", "), s.rel, s.where, s.rel, r.cols[0].name)
		var args []any
		if strings.Contains(s.where, "$1") {
			args = append(args, oids)
		}
		if strings.Contains(s.where, "$2") {
			args = append(args, names)
		}
		rows, err := conn.Query(ctx, q, args...)
		if err != nil {
			log.Fatalf("%s: %v", s.rel, err)
		}
		fmt.Fprintf(&b, "%q: {\n", s.rel)
		n := 0
		for rows.Next() {
			vals := make([]*string, len(r.cols))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				log.Fatal(err)
			}
			b.WriteString("{")
			for i, v := range vals {
				if i > 0 {
					b.WriteString(", ")
				}
				if v == nil {
					b.WriteString("nullText")
				} else {
					fmt.Fprintf(&b, "%q", *v)
				}
			}
			b.WriteString("},\n")
			n++
		}
		if rows.Err() != nil {
			log.Fatalf("%s: %v", s.rel, rows.Err())
		}
		b.WriteString("},\n")
		log.Printf("%s: %d rows", s.rel, n)
	}
	b.WriteString("}\n\n")

	// quote_ident quotes every keyword that is not unreserved.
	rows, err := conn.Query(ctx, "SELECT word FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U' ORDER BY 1")
	if err != nil {
		log.Fatal(err)
	}
	b.WriteString("// pg15QuotedKeywords are the keywords quote_ident quotes.\n")
	b.WriteString("var pg15QuotedKeywords = map[string]bool{\n")
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(&b, "%q: true,\n", w)
	}
	if rows.Err() != nil {
		log.Fatal(rows.Err())
	}
	b.WriteString("}\n")
	writeGo("zz_pg15_data.go", b.Bytes())
}

// textExpr selects column c as text in the form its streamsqld type
// parses: vectors as arrays, reg* as numeric OIDs.
func textExpr(c column) string {
	id := `"` + c.name + `"`
	switch c.base {
	case "oidvector":
		return id + "::pg_catalog.oid[]::text"
	case "int2vector":
		return id + "::pg_catalog.int2[]::text"
	case "regproc", "regtype", "regclass":
		return id + "::pg_catalog.oid::text"
	case "anyarray":
		return "NULL::text"
	}
	return id + "::text"
}

func writeGo(path string, src []byte) {
	out, err := format.Source(src)
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	write(path, out)
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
