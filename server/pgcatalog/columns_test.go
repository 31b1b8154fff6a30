package pgcatalog

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"streamsqld/sql/types"
)

type goldenRel struct {
	oid  string
	kind string
	cols []goldenCol
}

type goldenCol struct {
	name, declared, base string
	notNull              bool
}

// loadGolden reads testdata/pg15_columns.tsv, dumped from PostgreSQL 15 by
// gen_pg15.go.
func loadGolden(t *testing.T) map[string]*goldenRel {
	t.Helper()
	f, err := os.Open("testdata/pg15_columns.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rels := map[string]*goldenRel{}
	var cur *goldenRel
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fs := strings.Split(line, "\t")
		switch {
		case fs[0] == "rel" && len(fs) == 4:
			cur = &goldenRel{oid: fs[2], kind: fs[3]}
			rels[fs[1]] = cur
		case fs[0] == "col" && len(fs) == 5 && cur != nil:
			cur.cols = append(cur.cols, goldenCol{fs[1], fs[2], fs[3], fs[4] == "true"})
		default:
			t.Fatalf("bad golden line %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rels
}

// pgTypes is the documented stand-in for each PostgreSQL column type; it
// is written out here independently of gen_pg15.go so that a hand edit of
// the generated tables fails.
var pgTypes = map[string]types.T{
	"oid": types.TOid, "name": types.TName, `"char"`: types.TChar, "text": types.TText,
	"boolean": types.TBool, "smallint": types.TInt2, "integer": types.TInt4, "bigint": types.TInt8,
	"real": types.TFloat4, "double precision": types.TFloat8, "numeric": types.TNumeric,
	"interval": types.TInterval, "bytea": types.TBytea, "regproc": types.TRegProc,
	"regtype": types.TRegType, "regclass": types.TRegClass,
	"timestamp with time zone":    types.TTimestamptz,
	"timestamp(2) with time zone": {Fam: types.Timestamptz, Mod: 2},
	"character varying":           types.TVarchar,
	"character varying(3)":        {Fam: types.Varchar, Mod: 3},
	"text[]":                      types.TTextArray,
	"aclitem[]":                   types.TTextArray,
	"anyarray":                    types.TTextArray,
	"pg_node_tree":                types.TText,
	"pg_lsn":                      types.TText,
	"inet":                        types.TText,
	"xid":                         types.TOid,
	"oidvector":                   types.ArrayOf(types.Oid),
	"oid[]":                       types.ArrayOf(types.Oid),
	"int2vector":                  types.ArrayOf(types.Int2),
	"smallint[]":                  types.ArrayOf(types.Int2),
	"name[]":                      types.ArrayOf(types.Name),
	`"char"[]`:                    types.ArrayOf(types.Char),
	"real[]":                      types.ArrayOf(types.Float4),
	"double precision[]":          types.ArrayOf(types.Float8),
	"boolean[]":                   types.ArrayOf(types.Bool),
	"regtype[]":                   types.ArrayOf(types.RegType),
}

// notServed are the PostgreSQL relations deliberately left out.
var notServed = map[string]string{
	"pg_catalog.pg_statistic_ext_data": "pg_ndistinct, pg_dependencies, pg_mcv_list columns",
	"pg_catalog.pg_stats_ext":          "pg_ndistinct, pg_dependencies columns",
}

func TestColumnsMatchPostgreSQL15(t *testing.T) {
	golden := loadGolden(t)
	served := map[string]bool{}
	for _, tbl := range Tables() {
		key := tbl.Schema + "." + tbl.Name
		served[key] = true
		g, ok := golden[key]
		if !ok {
			t.Errorf("%s: not a PostgreSQL 15 relation", key)
			continue
		}
		if oid := itoa(int(tbl.OID())); oid != g.oid {
			t.Errorf("%s: OID %s, PostgreSQL has %s", key, oid, g.oid)
		}
		if string(tbl.kind) != g.kind {
			t.Errorf("%s: relkind %c, PostgreSQL has %s", key, tbl.kind, g.kind)
		}
		if len(tbl.Columns) != len(g.cols) {
			t.Errorf("%s: %d columns, PostgreSQL has %d", key, len(tbl.Columns), len(g.cols))
			continue
		}
		notNull := map[int]bool{}
		for _, i := range tbl.notNull {
			notNull[i] = true
		}
		for i, c := range tbl.Columns {
			gc := g.cols[i]
			want, ok := pgTypes[gc.base]
			if !ok {
				t.Errorf("%s.%s: no stand-in for PostgreSQL type %s", key, gc.name, gc.base)
				continue
			}
			if c.Name != gc.name || c.Type != want || notNull[i] != gc.notNull {
				t.Errorf("%s column %d: %s %s notnull=%t, PostgreSQL has %s %s (%s) notnull=%t",
					key, i+1, c.Name, c.Type, notNull[i], gc.name, gc.declared, want, gc.notNull)
			}
		}
	}
	for key := range golden {
		if !served[key] && notServed[key] == "" {
			t.Errorf("%s: PostgreSQL 15 relation not served", key)
		}
	}
}

// TestRequiredRelations lists what psql, drivers and BI tools read.
func TestRequiredRelations(t *testing.T) {
	for _, name := range []string{
		"pg_namespace", "pg_class", "pg_attribute", "pg_type", "pg_database", "pg_roles", "pg_user",
		"pg_authid", "pg_settings", "pg_index", "pg_constraint", "pg_description", "pg_proc", "pg_am",
		"pg_inherits", "pg_matviews", "pg_views", "pg_tables", "pg_enum", "pg_collation",
		"pg_tablespace", "pg_extension", "pg_attrdef", "pg_sequence", "pg_policy", "pg_statistic_ext",
		"pg_publication", "pg_foreign_table", "pg_foreign_server", "pg_foreign_data_wrapper",
		"pg_trigger", "pg_rewrite", "pg_partitioned_table", "pg_stat_activity", "pg_event_trigger",
		"pg_opclass", "pg_operator", "pg_range", "pg_cast", "pg_language", "pg_shdescription",
		"pg_depend", "pg_stat_user_tables", "pg_locks", "pg_prepared_statements", "pg_auth_members",
		"pg_publication_namespace", "pg_publication_rel",
	} {
		if _, ok := Lookup("pg_catalog", name); !ok {
			t.Errorf("pg_catalog.%s missing", name)
		}
	}
	for _, name := range []string{
		"schemata", "tables", "columns", "views", "key_column_usage", "table_constraints",
		"routines", "character_sets",
	} {
		if _, ok := Lookup("information_schema", name); !ok {
			t.Errorf("information_schema.%s missing", name)
		}
	}
}

var (
	qualifiedRef = regexp.MustCompile(`(?i)\b(pg_catalog|information_schema)\.("?)([a-z_0-9]+)("?)\s*(\()?`)
	fromRef      = regexp.MustCompile(`(?i)\b(?:from|join)\s+(pg_[a-z_0-9]+)(?:[^a-z_0-9.]|$)`)
)

// TestClientQueriesFindRelations checks that every catalog relation the
// recorded client queries (testdata/clients) read is served.
func TestClientQueriesFindRelations(t *testing.T) {
	files, err := os.ReadDir("testdata/clients")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	missing := map[string]map[string]bool{}
	miss := func(rel, file string) {
		if missing[rel] == nil {
			missing[rel] = map[string]bool{}
		}
		missing[rel][file] = true
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".sql") {
			continue // the answers (.out) of TestClientQueries
		}
		data, err := os.ReadFile("testdata/clients/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, m := range qualifiedRef.FindAllStringSubmatch(text, -1) {
			if m[5] == "(" || m[3] == "default" { // a function call; COLLATE pg_catalog.default
				continue
			}
			found++
			if _, ok := Lookup(strings.ToLower(m[1]), m[3]); !ok {
				if _, isType := TypeOIDByName(m[3]); !isType && !knownTypeNames[m[3]] {
					miss(m[1]+"."+m[3], f.Name())
				}
			}
		}
		for _, m := range fromRef.FindAllStringSubmatch(text, -1) {
			found++
			if _, ok := Lookup("pg_catalog", strings.ToLower(m[1])); !ok {
				miss(m[1], f.Name())
			}
		}
	}
	if found < 30 {
		t.Errorf("found only %d catalog references in the client queries", found)
	}
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("%s read by %v is not served", k, missing[k])
	}
}

// knownTypeNames are type names clients write qualified in casts
// (x::pg_catalog.regclass) that are no pg_type typname of ours.
var knownTypeNames = map[string]bool{
	"regclass": true, "regtype": true, "regnamespace": true, "oid": true, "text": true, "int2": true,
}

func itoa(i int) string {
	return types.FormatText(types.NewInt(int64(i)), types.TInt8)
}
