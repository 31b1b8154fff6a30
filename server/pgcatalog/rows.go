package pgcatalog

import (
	"context"
	"fmt"
	"sync"

	"streamsqld/sql/types"
)

// nullText stands for NULL in pg15Data; PostgreSQL's text output never
// contains a NUL byte.
const nullText = "\x00"

// rowFunc fills w with a relation's rows.
type rowFunc func(ctx context.Context, env *Env, w *rowWriter) error

// rowWriter builds rows by column name, so that row code does not depend
// on the position of PostgreSQL's many columns. Columns a row does not set
// are NULL, or the zero value of their type where PostgreSQL declares them
// NOT NULL.
type rowWriter struct {
	t    *Table
	rows []types.Row
	err  error
}

// add appends a row from name/value pairs. Values are Go values converted
// by datum; a name the relation does not have is an error reported by the
// relation's Rows.
func (w *rowWriter) add(kv ...any) {
	row := w.t.newRow()
	for i := 0; i+1 < len(kv); i += 2 {
		name, _ := kv[i].(string)
		pos, ok := w.t.index[name]
		if !ok {
			w.fail(fmt.Errorf("pgcatalog: %s.%s has no column %q", w.t.Schema, w.t.Name, name))
			continue
		}
		d, err := datum(kv[i+1], w.t.Columns[pos].Type)
		if err != nil {
			w.fail(fmt.Errorf("pgcatalog: %s.%s.%s: %w", w.t.Schema, w.t.Name, name, err))
			continue
		}
		row[pos] = d
	}
	if len(kv)%2 != 0 {
		w.fail(fmt.Errorf("pgcatalog: %s.%s: odd number of arguments", w.t.Schema, w.t.Name))
	}
	w.rows = append(w.rows, row)
}

func (w *rowWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// newRow returns a row of NULLs with the zero value in NOT NULL columns.
func (t *Table) newRow() types.Row {
	row := make(types.Row, len(t.Columns))
	for _, i := range t.notNull {
		row[i] = zeroDatum(t.Columns[i].Type)
	}
	return row
}

func zeroDatum(t types.T) types.Datum {
	switch t.Kind() {
	case types.KBool:
		return types.NewBool(false)
	case types.KInt:
		return types.NewInt(0)
	case types.KFloat:
		return types.NewFloat(0)
	case types.KString:
		return types.NewString("")
	case types.KArray:
		return types.NewArray([]types.Datum{})
	}
	return types.Null
}

// datum converts a Go value to a Datum of type t.
func datum(v any, t types.T) (types.Datum, error) {
	switch x := v.(type) {
	case nil:
		return types.Null, nil
	case types.Datum:
		return x, nil
	case bool:
		return types.NewBool(x), nil
	case int:
		return types.NewInt(int64(x)), nil
	case int16:
		return types.NewInt(int64(x)), nil
	case int32:
		return types.NewInt(int64(x)), nil
	case int64:
		return types.NewInt(x), nil
	case uint32:
		return types.NewInt(int64(x)), nil
	case float64:
		return types.NewFloat(x), nil
	case string:
		if t.Kind() != types.KString {
			return types.ParseText(x, t)
		}
		return types.NewString(x), nil
	case []string:
		ds := make([]types.Datum, len(x))
		for i, s := range x {
			ds[i] = types.NewString(s)
		}
		return types.NewArray(ds), nil
	case []uint32:
		ds := make([]types.Datum, len(x))
		for i, o := range x {
			ds[i] = types.NewInt(int64(o))
		}
		return types.NewArray(ds), nil
	case []int16:
		ds := make([]types.Datum, len(x))
		for i, n := range x {
			ds[i] = types.NewInt(int64(n))
		}
		return types.NewArray(ds), nil
	}
	return types.Null, fmt.Errorf("unsupported value %T", v)
}

// wrapRows turns a rowFunc into a Table.Rows.
func wrapRows(t *Table, f rowFunc) func(context.Context, *Env) ([]types.Row, error) {
	return func(ctx context.Context, env *Env) ([]types.Row, error) {
		w := &rowWriter{t: t}
		if err := f(ctx, env, w); err != nil {
			return nil, err
		}
		if w.err != nil {
			return nil, w.err
		}
		return w.rows, nil
	}
}

// staticRows serves rows copied from PostgreSQL, parsed once.
func staticRows(t *Table, data [][]string) func(context.Context, *Env) ([]types.Row, error) {
	parse := sync.OnceValues(func() ([]types.Row, error) { return parseStatic(t, data) })
	return func(context.Context, *Env) ([]types.Row, error) {
		rows, err := parse()
		if err != nil {
			return nil, err
		}
		// Callers may keep the rows; the Datums themselves are immutable.
		out := make([]types.Row, len(rows))
		for i, r := range rows {
			out[i] = append(types.Row(nil), r...)
		}
		return out, nil
	}
}

func parseStatic(t *Table, data [][]string) ([]types.Row, error) {
	rows := make([]types.Row, len(data))
	for i, rec := range data {
		if len(rec) != len(t.Columns) {
			return nil, fmt.Errorf("pgcatalog: %s.%s row %d has %d values for %d columns", t.Schema, t.Name, i, len(rec), len(t.Columns))
		}
		row := make(types.Row, len(rec))
		for j, s := range rec {
			if s == nullText {
				continue
			}
			d, err := types.ParseText(s, t.Columns[j].Type)
			if err != nil {
				return nil, fmt.Errorf("pgcatalog: %s.%s.%s %q: %w", t.Schema, t.Name, t.Columns[j].Name, s, err)
			}
			row[j] = d
		}
		rows[i] = row
	}
	return rows, nil
}
