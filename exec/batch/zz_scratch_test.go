package batch_test

import (
	"context"
	"fmt"
	"testing"

	"streamsqld/exec/batch"
	"streamsqld/planner"
	"streamsqld/planner/plannertest"
	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
	"streamsqld/catalog"
)

func TestScratch(t *testing.T) {
	env := planner.Env{Catalog: plannertest.Catalog(t)}
	sel := &ast.Select{
		Items: []*ast.SelectItem{
			{Expr: &ast.ColumnRef{Column: "name"}},
			{Expr: &ast.FuncCall{Name: "count", Star: true}},
			{Expr: &ast.FuncCall{Name: "sum", Args: []ast.Expr{&ast.ColumnRef{Column: "age"}}}},
		},
		From:    []ast.TableExpr{&ast.TableName{Name: "users"}},
		Where:   &ast.BinaryExpr{Op: ">", Left: &ast.ColumnRef{Column: "age"}, Right: &ast.Literal{Kind: ast.LitInt, Value: "1"}},
		GroupBy: []ast.Expr{&ast.ColumnRef{Column: "name"}},
		OrderBy: []*ast.OrderItem{{Expr: &ast.Literal{Kind: ast.LitInt, Value: "2"}, Desc: true}},
	}
	q, err := planner.BindQuery(sel, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(q.Columns)
	fmt.Print(planner.ExplainBatch(q))
	rows, err := batch.Run(context.Background(), q, testData(), &expr.Ctx{})
	fmt.Println(rows, err)

	inner := &ast.Select{
		Items: []*ast.SelectItem{
			{Expr: &ast.ColumnRef{Column: "window_start"}},
			{Expr: &ast.ColumnRef{Column: "window_end"}},
			{Expr: &ast.FuncCall{Name: "unnest", Args: []ast.Expr{&ast.FuncCall{Name: "regexp_matches", Args: []ast.Expr{
				&ast.FuncCall{Name: "lower", Args: []ast.Expr{&ast.ColumnRef{Column: "text"}}},
				&ast.Literal{Kind: ast.LitString, Value: "#[a-z0-9_]+"}, &ast.Literal{Kind: ast.LitString, Value: "g"}}}}}, Alias: "tag"},
		},
		From: []ast.TableExpr{&ast.WindowTVF{Kind: ast.WindowTumble, Input: &ast.TableName{Name: "tweets"}, TimeCol: "created_at",
			Size: &ast.Literal{Kind: ast.LitInterval, Value: "1", Unit: "MINUTE"}}},
	}
	g, err := planner.PlanStream(&ast.Select{
		Items: []*ast.SelectItem{
			{Expr: &ast.ColumnRef{Column: "window_start"}},
			{Expr: &ast.ColumnRef{Column: "window_end"}},
			{Expr: &ast.ColumnRef{Column: "tag"}},
			{Expr: &ast.FuncCall{Name: "count", Star: true}, Alias: "cnt"},
		},
		From:              []ast.TableExpr{&ast.Subquery{Query: inner, Alias: "t"}},
		GroupBy:           []ast.Expr{&ast.ColumnRef{Column: "window_start"}, &ast.ColumnRef{Column: "window_end"}, &ast.Literal{Kind: ast.LitInt, Value: "3"}},
		EmitOnWindowClose: true,
	}, env, planner.StreamOptions{Parallelism: 4})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Print(planner.ExplainStream(g))
}

func testData() memSources {
	return memSources{
		"users": {
			{types.NewInt(1), types.NewString("ann"), types.NewInt(31), types.Null},
			{types.NewInt(2), types.NewString("bob"), types.NewInt(17), types.Null},
			{types.NewInt(4), types.NewString("ann"), types.NewInt(45), types.Null},
		},
	}
}

type memSources map[string][]types.Row

func (m memSources) ViewRows(_ context.Context, rel *catalog.Relation) ([]types.Row, error) {
	return m[rel.Name], nil
}

func (m memSources) TableRows(_ context.Context, rel *catalog.Relation) ([]types.Row, error) {
	return m[rel.Name], nil
}
