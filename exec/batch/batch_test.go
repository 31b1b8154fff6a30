package batch_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/batch"
	"streamsqld/planner"
	"streamsqld/planner/plannertest"
	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// memSources serves fixed rows per relation name.
type memSources map[string][]types.Row

func (m memSources) ViewRows(_ context.Context, rel *catalog.Relation) ([]types.Row, error) {
	return m[rel.Name], nil
}

func (m memSources) TableRows(_ context.Context, rel *catalog.Relation) ([]types.Row, error) {
	return m[rel.Name], nil
}

func ts(s string) types.Datum {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return types.NewTime(t.UnixMicro())
}

func dec(s string) types.Datum {
	d, err := types.ParseText(s, types.TNumeric)
	if err != nil {
		panic(err)
	}
	return d
}

var (
	i = types.NewInt
	s = types.NewString
	n = types.Null
)

func testData() memSources {
	return memSources{
		"users": {
			{i(1), s("ann"), i(31), ts("2024-01-01 10:00:00")},
			{i(2), s("bob"), i(17), ts("2024-01-01 10:05:00")},
			{i(3), s("cy"), n, ts("2024-01-01 10:40:00")},
			{i(4), s("ann"), i(45), ts("2024-01-01 12:00:00")},
		},
		"orders": {
			{i(10), i(1), dec("25.50"), s("open")},
			{i(11), i(1), dec("4.00"), s("done")},
			{i(12), i(2), dec("100.00"), s("open")},
			{i(13), i(9), dec("1.00"), n},
		},
		"hashtags": {
			{ts("2024-01-01 10:00:00"), ts("2024-01-01 10:01:00"), s("#go"), i(3)},
			{ts("2024-01-01 10:00:00"), ts("2024-01-01 10:01:00"), s("#sql"), i(5)},
		},
	}
}

func query(t *testing.T, env planner.Env, src batch.Sources, text string, params ...types.Datum) (string, error) {
	t.Helper()
	parsed, err := sql.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	var q *planner.Query
	switch st := parsed[0].Stmt.(type) {
	case *ast.Select:
		q, err = planner.BindQuery(st, env, nil)
	case *ast.Insert:
		var ins *planner.InsertPlan
		if ins, err = planner.BindInsert(st, env, nil); err == nil {
			q = ins.Query
		}
	default:
		t.Fatalf("unexpected statement %T", st)
	}
	if err != nil {
		return "", err
	}
	rows, err := batch.Run(context.Background(), q, src, &expr.Ctx{Now: time.Unix(1700000000, 0).UTC(), Params: params})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range rows {
		for j, d := range r {
			if j > 0 {
				b.WriteString(" | ")
			}
			if d.IsNull() {
				b.WriteString("NULL")
			} else {
				b.WriteString(types.FormatText(d, q.Columns[j].Type))
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func TestRun(t *testing.T) {
	env := planner.Env{Catalog: plannertest.Catalog(t)}
	src := testData()
	tests := []struct {
		sql, want string
	}{
		{"SELECT 1, 'a', NULL", "1 | a | NULL\n"},
		{"SELECT name FROM users WHERE age > 20 ORDER BY id", "ann\nann\n"},
		{"SELECT name, age FROM users ORDER BY age NULLS FIRST", "cy | NULL\nbob | 17\nann | 31\nann | 45\n"},
		{"SELECT name, age FROM users ORDER BY age DESC", "cy | NULL\nann | 45\nann | 31\nbob | 17\n"},
		{"SELECT name, count(*), sum(age) FROM users GROUP BY name ORDER BY name", "ann | 2 | 76\nbob | 1 | 17\ncy | 1 | NULL\n"},
		{"SELECT count(*), sum(age) FROM users WHERE false", "0 | NULL\n"},
		{"SELECT name FROM users GROUP BY name HAVING count(*) > 1", "ann\n"},
		{"SELECT DISTINCT name FROM users ORDER BY 1", "ann\nbob\ncy\n"},
		{"SELECT id FROM users ORDER BY id LIMIT 2 OFFSET 1", "2\n3\n"},
		{"SELECT u.name, o.id FROM users u JOIN orders o ON u.id = o.user_id ORDER BY o.id", "ann | 10\nann | 11\nbob | 12\n"},
		{"SELECT u.id, o.id FROM users u LEFT JOIN orders o ON u.id = o.user_id AND o.status = 'open' ORDER BY 1, 2",
			"1 | 10\n2 | 12\n3 | NULL\n4 | NULL\n"},
		{"SELECT u.id, o.id FROM users u RIGHT JOIN orders o ON u.id = o.user_id ORDER BY 2", "1 | 10\n1 | 11\n2 | 12\nNULL | 13\n"},
		{"SELECT u.id, o.id FROM users u FULL JOIN orders o ON u.id = o.user_id ORDER BY 2, 1",
			"1 | 10\n1 | 11\n2 | 12\nNULL | 13\n3 | NULL\n4 | NULL\n"},
		{"SELECT count(*) FROM users, orders", "16\n"},
		{"SELECT u.id FROM users u JOIN orders o ON u.id < o.user_id - 7 ORDER BY 1", "1\n"},
		{"SELECT id FROM users UNION SELECT user_id FROM orders ORDER BY 1", "1\n2\n3\n4\n9\n"},
		{"SELECT user_id FROM orders UNION ALL SELECT 1 ORDER BY 1", "1\n1\n1\n2\n9\n"},
		{"SELECT id FROM users INTERSECT SELECT user_id FROM orders ORDER BY 1", "1\n2\n"},
		{"SELECT id FROM users EXCEPT SELECT user_id FROM orders ORDER BY 1", "3\n4\n"},
		{"VALUES (1, 'a'), (2, 'b')", "1 | a\n2 | b\n"},
		{"SELECT name FROM users WHERE id IN (SELECT user_id FROM orders) ORDER BY id", "ann\nbob\n"},
		{"SELECT name FROM users WHERE id NOT IN (SELECT user_id FROM orders WHERE false) AND age > (SELECT 40)", "ann\n"},
		{"SELECT EXISTS (SELECT 1 FROM orders WHERE amount > 50), (SELECT max(amount) FROM orders)", "t | 100.00\n"},
		{"SELECT unnest(ARRAY[1, 2, 3]) AS x", "1\n2\n3\n"},
		{"SELECT generate_series(1, 3), generate_series(1, 2)", "1 | 1\n2 | 2\n3 | NULL\n"},
		{"SELECT n FROM generate_series(1, 5) AS g(n) WHERE n > 3", "4\n5\n"},
		{"WITH o AS (SELECT status, amount FROM orders) SELECT status, sum(amount) FROM o GROUP BY status ORDER BY status NULLS FIRST",
			"NULL | 1.00\ndone | 4.00\nopen | 125.50\n"},
		{"SELECT tag, cnt FROM hashtags WHERE cnt > 3", "#sql | 5\n"},
		{"SELECT window_start, count(*) FROM TUMBLE(users, created, INTERVAL '1' HOUR) GROUP BY window_start ORDER BY 1",
			"2024-01-01 10:00:00+00 | 3\n2024-01-01 12:00:00+00 | 1\n"},
		{"SELECT window_end, count(*) FROM HOP(users, created, INTERVAL '30' MINUTE, INTERVAL '1' HOUR) GROUP BY window_end ORDER BY 1",
			"2024-01-01 10:30:00+00 | 2\n2024-01-01 11:00:00+00 | 3\n2024-01-01 11:30:00+00 | 1\n2024-01-01 12:30:00+00 | 1\n2024-01-01 13:00:00+00 | 1\n"},
		{"SELECT name, window_start, window_end, count(*) FROM SESSION(users, created, INTERVAL '10' MINUTE) GROUP BY name, window_start, window_end ORDER BY 1, 2",
			"ann | 2024-01-01 10:00:00+00 | 2024-01-01 10:10:00+00 | 1\nann | 2024-01-01 12:00:00+00 | 2024-01-01 12:10:00+00 | 1\nbob | 2024-01-01 10:05:00+00 | 2024-01-01 10:15:00+00 | 1\ncy | 2024-01-01 10:40:00+00 | 2024-01-01 10:50:00+00 | 1\n"},
		{"SELECT window_start, window_end, count(*) FROM SESSION(users, created, INTERVAL '10' MINUTE) GROUP BY window_start, window_end ORDER BY 1",
			"2024-01-01 10:00:00+00 | 2024-01-01 10:15:00+00 | 2\n2024-01-01 10:40:00+00 | 2024-01-01 10:50:00+00 | 1\n2024-01-01 12:00:00+00 | 2024-01-01 12:10:00+00 | 1\n"},
		{"SELECT count(*) FILTER (WHERE age > 20), count(age), count(DISTINCT name) FROM users", "2 | 3 | 3\n"},
		{"SELECT * FROM users JOIN orders USING (id)", ""},
		{"SELECT id, name FROM users u LEFT JOIN (SELECT user_id AS id, status FROM orders) o USING (id) WHERE status IS NULL ORDER BY id", "3 | cy\n4 | ann\n"},
		{"INSERT INTO users (name, id) VALUES ('dee', 5)", "5 | dee | NULL | NULL\n"},
		{"SELECT name, id, row_number() OVER (PARTITION BY name ORDER BY id DESC) FROM users ORDER BY 1, 2",
			"ann | 1 | 2\nann | 4 | 1\nbob | 2 | 1\ncy | 3 | 1\n"},
		{"SELECT id, rank() OVER (ORDER BY name), sum(age) OVER (PARTITION BY name) FROM users ORDER BY id",
			"1 | 1 | 76\n2 | 3 | 17\n3 | 4 | NULL\n4 | 1 | 76\n"},
		{"SELECT count(*) FROM users WHERE id IN (SELECT 1 WHERE false)", "0\n"},
		{"SELECT count(*) FROM users WHERE id NOT IN (SELECT 1 WHERE false)", "4\n"},
		{"SELECT (ARRAY[1, 2, 3])[2], (ARRAY[1])[5]", "2 | NULL\n"},
		{"SELECT string_agg(name, ','), bool_and(age > 10) FROM users", "ann,bob,cy,ann | t\n"},
		{"SELECT coalesce(age, 0), nullif(age, 17), age BETWEEN 10 AND 20 FROM users ORDER BY id",
			"31 | 31 | f\n17 | NULL | t\n0 | NULL | NULL\n45 | 45 | f\n"},
		{"SELECT * FROM (SELECT id FROM users ORDER BY id DESC LIMIT 2) s ORDER BY id", "3\n4\n"},
		{"SELECT id, sum(id) OVER (ORDER BY id) FROM users ORDER BY id", "1 | 1\n2 | 3\n3 | 6\n4 | 10\n"},
		{"SELECT name, count(*), dense_rank() OVER (ORDER BY count(*) DESC) FROM users GROUP BY name ORDER BY 1",
			"ann | 2 | 1\nbob | 1 | 2\ncy | 1 | 2\n"},
	}
	for _, tc := range tests {
		got, err := query(t, env, src, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s:\ngot:\n%swant:\n%s", tc.sql, got, tc.want)
		}
	}
}

func TestParams(t *testing.T) {
	env := planner.Env{Catalog: plannertest.Catalog(t)}
	got, err := query(t, env, testData(), "SELECT name FROM users WHERE age > $1 ORDER BY id LIMIT $2", i(20), i(1))
	if err != nil {
		t.Fatal(err)
	}
	if got != "ann\n" {
		t.Errorf("got %q", got)
	}
}

func TestErrors(t *testing.T) {
	env := planner.Env{Catalog: plannertest.Catalog(t)}
	for _, tc := range []struct{ sql, code string }{
		{"SELECT * FROM tweets", pgerror.FeatureNotSupported},
		{"SELECT (SELECT id FROM users)", pgerror.CardinalityViolation},
		{"SELECT 1 / 0", pgerror.DivisionByZero},
		{"SELECT age / (age - 31) FROM users", pgerror.DivisionByZero},
	} {
		_, err := query(t, env, testData(), tc.sql)
		if got := pgerror.Code(err); err == nil || got != tc.code {
			t.Errorf("%s: got %v (%s), want %s", tc.sql, err, got, tc.code)
		}
	}
}

// bigSources serves a relation too large to finish before the test
// cancels it.
type bigSources struct{ rows []types.Row }

func (b bigSources) ViewRows(context.Context, *catalog.Relation) ([]types.Row, error) {
	return b.rows, nil
}
func (b bigSources) TableRows(context.Context, *catalog.Relation) ([]types.Row, error) {
	return b.rows, nil
}

func TestCancel(t *testing.T) {
	env := planner.Env{Catalog: plannertest.Catalog(t)}
	rows := make([]types.Row, 3000)
	for j := range rows {
		rows[j] = types.Row{i(int64(j)), s("x"), i(1), ts("2024-01-01 00:00:00")}
	}
	parsed, err := sql.Parse("SELECT count(*) FROM users a, users b, users c WHERE a.id + b.id + c.id < 0")
	if err != nil {
		t.Fatal(err)
	}
	q, err := planner.BindQuery(parsed[0].Stmt.(*ast.Select), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = batch.Run(ctx, q, bigSources{rows}, &expr.Ctx{})
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.QueryCanceled {
		t.Fatalf("got %v, want 57014", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancellation took %v", d)
	}
}

// TestCorrelated runs correlated subqueries once per enclosing row, also
// nested ones that read the outermost row, and ordered aggregates.
func TestCorrelated(t *testing.T) {
	env := planner.Env{Catalog: plannertest.Catalog(t)}
	src := testData()
	tests := []struct {
		sql, want string
	}{
		{"SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) FROM users u ORDER BY 1",
			"1 | 2\n2 | 1\n3 | 0\n4 | 0\n"},
		{"SELECT u.id, (SELECT max(o.amount) FROM orders o WHERE o.user_id = u.id) FROM users u ORDER BY 1",
			"1 | 25.50\n2 | 100.00\n3 | NULL\n4 | NULL\n"},
		{"SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND o.status = 'open') ORDER BY 1", "1\n2\n"},
		{"SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id) ORDER BY 1", "3\n4\n"},
		{"SELECT u.id FROM users u WHERE u.id IN (SELECT o.user_id FROM orders o WHERE o.amount > u.age) ORDER BY 1", "2\n"},
		{"SELECT u.id, u.id NOT IN (SELECT o.user_id FROM orders o WHERE o.status = 'done' OR o.user_id = u.id + 8) FROM users u ORDER BY 1",
			"1 | f\n2 | t\n3 | t\n4 | t\n"},
		{"SELECT u.id, ARRAY(SELECT o.id FROM orders o WHERE o.user_id = u.id ORDER BY o.id DESC) FROM users u ORDER BY 1",
			"1 | {11,10}\n2 | {12}\n3 | {}\n4 | {}\n"},
		// The inner subquery reads the outermost row (u.name) through the
		// middle one.
		{"SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id AND EXISTS (SELECT 1 FROM users v WHERE v.name = u.name AND v.id <> u.id)) FROM users u ORDER BY 1",
			"1 | 2\n2 | 0\n3 | 0\n4 | 0\n"},
		{"SELECT u.id, (SELECT string_agg(x, '+') FROM unnest(ARRAY[u.name, 'z']) AS x) FROM users u WHERE u.id < 3 ORDER BY 1",
			"1 | ann+z\n2 | bob+z\n"},
		{"SELECT string_agg(name, ',' ORDER BY age DESC NULLS LAST, id), array_agg(id ORDER BY id DESC) FROM users",
			"ann,ann,bob,cy | {4,3,2,1}\n"},
		{"SELECT name, string_agg(id::text, ',' ORDER BY id DESC) FROM users GROUP BY name ORDER BY 1",
			"ann | 4,1\nbob | 2\ncy | 3\n"},
	}
	for _, tc := range tests {
		got, err := query(t, env, src, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s:\ngot:\n%swant:\n%s", tc.sql, got, tc.want)
		}
	}
}
