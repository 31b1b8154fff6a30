package planner_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"streamsqld/planner"
	"streamsqld/planner/plannertest"
	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// testEnv is the catalog of plannertest plus one system relation.
func testEnv(t *testing.T) planner.Env {
	return planner.Env{
		Catalog: plannertest.Catalog(t),
		Virtual: func(schema, name string) (*planner.VirtualTable, bool) {
			if schema == "pg_catalog" && name == "pg_class" {
				return &planner.VirtualTable{Schema: schema, Name: name,
					Columns: []types.Column{{Name: "oid", Type: types.TOid}, {Name: "relname", Type: types.TName}},
					Rows:    func(context.Context) ([]types.Row, error) { return nil, nil }}, true
			}
			return nil, false
		},
	}
}

func parseOne(t *testing.T, text string) (ast.Statement, error) {
	parsed, err := sql.Parse(text)
	if err != nil {
		return nil, err
	}
	if len(parsed) != 1 {
		t.Fatalf("expected one statement, got %d: %s", len(parsed), text)
	}
	return parsed[0].Stmt, nil
}

// formatErr prints an error with its SQLSTATE and position, as a client
// would see them.
func formatErr(err error) string {
	var pe *pgerror.Error
	if !errors.As(err, &pe) {
		return "error (no SQLSTATE): " + err.Error()
	}
	s := fmt.Sprintf("error %s: %s", pe.Code, pe.Message)
	if pe.Position > 0 {
		s += fmt.Sprintf(" (position %d)", pe.Position)
	}
	if pe.Hint != "" {
		s += "\nhint: " + pe.Hint
	}
	return s
}

func paramTypes(tc *testCase) []types.T {
	var out []types.T
	for _, a := range tc.args {
		if v, ok := strings.CutPrefix(a, "params="); ok {
			for _, name := range strings.Split(v, ",") {
				tt, err := types.ParseTypeName(name, nil)
				if err != nil {
					panic(err)
				}
				out = append(out, tt)
			}
		}
	}
	return out
}

func intArg(tc *testCase, key string, def int) int {
	for _, a := range tc.args {
		if v, ok := strings.CutPrefix(a, key+"="); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				panic(err)
			}
			return n
		}
	}
	return def
}

func describeColumns(cols []types.Column, params []types.T) string {
	var b strings.Builder
	b.WriteString("columns:")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s %s,", c.Name, c.Type)
	}
	s := strings.TrimSuffix(b.String(), ",") + "\n"
	if len(params) > 0 {
		ps := make([]string, len(params))
		for i, p := range params {
			ps[i] = fmt.Sprintf("$%d %s", i+1, p)
		}
		s += "params: " + strings.Join(ps, ", ") + "\n"
	}
	return s
}

// TestPlanner runs the datadriven files of testdata/. Commands:
//
//	bind [params=type,...]   bind an ad-hoc query; print its columns,
//	                         parameter types and optimized plan
//	insert [params=...]      bind an INSERT
//	stream [parallelism=n]   plan a CREATE MATERIALIZED VIEW (or a bare
//	                         query) and print EXPLAIN of its graph
func TestPlanner(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			env := testEnv(t)
			runDataDriven(t, path, func(t *testing.T, tc *testCase) string {
				st, err := parseOne(t, tc.input)
				if err != nil {
					return "parse " + formatErr(err)
				}
				switch tc.cmd {
				case "bind":
					sel, ok := st.(*ast.Select)
					if !ok {
						t.Fatalf("%s: not a query", tc.pos)
					}
					q, err := planner.BindQuery(sel, env, paramTypes(tc))
					if err != nil {
						return formatErr(err)
					}
					return describeColumns(q.Columns, q.ParamTypes) + planner.ExplainBatch(q)
				case "insert":
					ins, ok := st.(*ast.Insert)
					if !ok {
						t.Fatalf("%s: not an INSERT", tc.pos)
					}
					p, err := planner.BindInsert(ins, env, paramTypes(tc))
					if err != nil {
						return formatErr(err)
					}
					return fmt.Sprintf("table: %s\n", p.Table.Name) + describeColumns(p.Query.Columns, p.Query.ParamTypes) + planner.ExplainBatch(p.Query)
				case "stream":
					next := uint32(0)
					opts := planner.StreamOptions{
						Parallelism:      intArg(tc, "parallelism", 4),
						NextStateTableID: func() uint32 { next++; return next },
					}
					var g *planner.StreamGraph
					switch s := st.(type) {
					case *ast.CreateMaterializedView:
						g, err = planner.PlanView(s, env, opts)
					case *ast.Select:
						g, err = planner.PlanStream(s, env, opts)
					default:
						t.Fatalf("%s: not a view", tc.pos)
					}
					if err != nil {
						return formatErr(err)
					}
					return describeColumns(g.Output, nil) + planner.ExplainStream(g)
				}
				t.Fatalf("%s: unknown command %q", tc.pos, tc.cmd)
				return ""
			})
		})
	}
}
