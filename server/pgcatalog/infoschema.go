package pgcatalog

import (
	"context"
	"strconv"

	"streamsqld/catalog"
	"streamsqld/sql/types"
)

// information_schema shows streamsqld's relations in the public schema as
// PostgreSQL's information_schema would, except that materialized views,
// which PostgreSQL leaves out of information_schema, appear as views: they
// are what streamsqld serves, and tools that browse information_schema
// (Grafana, many SQL editors) should find them.

func isCatalogName(_ context.Context, _ *Env, w *rowWriter) error {
	w.add("catalog_name", DatabaseName)
	return nil
}

func isSchemata(_ context.Context, env *Env, w *rowWriter) error {
	for _, s := range []string{"information_schema", "pg_catalog", "public"} {
		w.add("catalog_name", DatabaseName, "schema_name", s, "schema_owner", env.user())
	}
	return nil
}

func isTables(_ context.Context, env *Env, w *rowWriter) error {
	for _, r := range env.relations() {
		typ, insertable := "BASE TABLE", r.Kind == catalog.Table
		switch r.Kind {
		case catalog.MaterializedView:
			typ = "VIEW"
		case catalog.Source:
			typ = "FOREIGN"
		}
		w.add("table_catalog", DatabaseName, "table_schema", "public", "table_name", r.Name,
			"table_type", typ, "is_insertable_into", yesNo(insertable), "is_typed", "NO")
	}
	for _, t := range Tables() {
		typ := "BASE TABLE"
		if t.kind == 'v' {
			typ = "VIEW"
		}
		w.add("table_catalog", DatabaseName, "table_schema", t.Schema, "table_name", t.Name,
			"table_type", typ, "is_insertable_into", yesNo(t.kind == 'r'), "is_typed", "NO")
	}
	return nil
}

func isViews(_ context.Context, env *Env, w *rowWriter) error {
	for _, r := range env.relations() {
		if r.Kind == catalog.MaterializedView {
			w.add("table_catalog", DatabaseName, "table_schema", "public", "table_name", r.Name,
				"view_definition", viewDefinition(r), "check_option", "NONE", "is_updatable", "NO",
				"is_insertable_into", "NO", "is_trigger_updatable", "NO", "is_trigger_deletable", "NO",
				"is_trigger_insertable_into", "NO")
		}
	}
	return nil
}

func isColumns(_ context.Context, env *Env, w *rowWriter) error {
	for _, r := range env.relations() {
		updatable := yesNo(r.Kind == catalog.Table)
		for i, c := range r.Columns {
			ti, err := typeOf(c.Type)
			if err != nil {
				return err
			}
			kv := []any{
				"table_catalog", DatabaseName, "table_schema", "public", "table_name", r.Name,
				"column_name", c.Name, "ordinal_position", int32(i + 1), "is_nullable", "YES",
				"data_type", infoDataType(c.Type), "udt_catalog", DatabaseName, "udt_schema", "pg_catalog",
				"udt_name", ti.Name, "dtd_identifier", strconv.Itoa(i + 1), "is_self_referencing", "NO",
				"is_identity", "NO", "identity_cycle", "NO", "is_generated", "NEVER", "is_updatable", updatable,
			}
			kv = append(kv, infoTypeDetails(c.Type)...)
			w.add(kv...)
		}
	}
	return nil
}

// infoDataType is information_schema's data_type: format_type without
// modifiers, "ARRAY" for arrays.
func infoDataType(t types.T) string {
	if t.Fam == types.Array {
		return "ARRAY"
	}
	return types.T{Fam: t.Fam, Mod: -1}.String()
}

// maxVarlenaOctets is character_octet_length of unbounded strings: the
// largest value PostgreSQL stores (1 GB).
const maxVarlenaOctets = 1 << 30

// maxEncodingLength is the most bytes one UTF8 character takes.
const maxEncodingLength = 4

// infoTypeDetails returns the length, precision and scale columns of
// information_schema.columns for t, computed as PostgreSQL's
// _pg_char_max_length, _pg_numeric_precision ... do.
func infoTypeDetails(t types.T) []any {
	switch t.Fam {
	case types.Varchar:
		if t.Mod >= 0 {
			return []any{"character_maximum_length", t.Mod, "character_octet_length", t.Mod * maxEncodingLength}
		}
		return []any{"character_octet_length", int32(maxVarlenaOctets)}
	case types.Text:
		return []any{"character_octet_length", int32(maxVarlenaOctets)}
	case types.Int2:
		return []any{"numeric_precision", int32(16), "numeric_precision_radix", int32(2), "numeric_scale", int32(0)}
	case types.Int4:
		return []any{"numeric_precision", int32(32), "numeric_precision_radix", int32(2), "numeric_scale", int32(0)}
	case types.Int8:
		return []any{"numeric_precision", int32(64), "numeric_precision_radix", int32(2), "numeric_scale", int32(0)}
	case types.Float4:
		return []any{"numeric_precision", int32(24), "numeric_precision_radix", int32(2)}
	case types.Float8:
		return []any{"numeric_precision", int32(53), "numeric_precision_radix", int32(2)}
	case types.Numeric:
		if t.Mod >= 0 {
			return []any{"numeric_precision", t.Mod >> 16, "numeric_precision_radix", int32(10), "numeric_scale", t.Mod & 0xffff}
		}
		return []any{"numeric_precision_radix", int32(10)}
	case types.Date:
		return []any{"datetime_precision", int32(0)}
	case types.Timestamp, types.Timestamptz, types.Interval:
		p := int32(6)
		if t.Mod >= 0 {
			p = t.Mod
		}
		return []any{"datetime_precision", p}
	}
	return nil
}

func isCharacterSets(_ context.Context, _ *Env, w *rowWriter) error {
	w.add("character_set_name", "UTF8", "character_repertoire", "UCS", "form_of_use", "UTF8",
		"default_collate_catalog", DatabaseName)
	return nil
}

func isEnabledRoles(_ context.Context, env *Env, w *rowWriter) error {
	w.add("role_name", env.user())
	return nil
}

func isForeignDataWrappers(_ context.Context, env *Env, w *rowWriter) error {
	w.add("foreign_data_wrapper_catalog", DatabaseName, "foreign_data_wrapper_name", wrapperName,
		"authorization_identifier", env.user(), "foreign_data_wrapper_language", "c")
	return nil
}

func isForeignServers(_ context.Context, env *Env, w *rowWriter) error {
	for _, c := range connectors(env) {
		w.add("foreign_server_catalog", DatabaseName, "foreign_server_name", c,
			"foreign_data_wrapper_catalog", DatabaseName, "foreign_data_wrapper_name", wrapperName,
			"authorization_identifier", env.user())
	}
	return nil
}

func isForeignTables(_ context.Context, env *Env, w *rowWriter) error {
	for _, r := range env.relations() {
		if r.Kind == catalog.Source {
			w.add("foreign_table_catalog", DatabaseName, "foreign_table_schema", "public",
				"foreign_table_name", r.Name, "foreign_server_catalog", DatabaseName,
				"foreign_server_name", r.Connector)
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}
