package sql

import (
	"fmt"
	"testing"

	"github.com/pingcap/tidb/pkg/parser"
	tast "github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

type pv struct{}

func (pv) Enter(n tast.Node) (tast.Node, bool) {
	if e, ok := n.(tast.ExprNode); ok {
		fmt.Printf("  %T @%d\n", e, e.OriginTextPosition())
	}
	return n, false
}
func (pv) Leave(n tast.Node) (tast.Node, bool) { return n, true }

func TestScratch(t *testing.T) {
	p := parser.New()
	for _, q := range []string{
		"SELECT `__pg_m`(3, `a`.`b` + 1, 'x') AS `Foo`, `count`(), ? FROM `__pg_tvf_1` AS `t` LEFT JOIN `u` ON TRUE WHERE `x` LIKE 'a\\\\b' ESCAPE '' LIMIT 5",
		"SELECT `f`(1) OVER (PARTITION BY `a` ORDER BY `b` DESC), row_number() OVER `w` FROM `t` WINDOW `w` AS (ORDER BY `c`)",
		"WITH `x`(`a`) AS (SELECT 1) (SELECT 1) UNION ALL (SELECT 2 INTERSECT SELECT 3) ORDER BY 1 LIMIT 10",
		"SELECT -5, 1e5, .5, 1.50, 18446744073709551616, TRUE, NULL, 'x' = ANY (SELECT 1), EXISTS (SELECT 1), CASE WHEN 1 THEN 2 END, x IS NOT TRUE, `a` IN (1,2) ORDER BY 1",
		"SELECT * FROM `a` JOIN `b` USING (`x`) CROSS JOIN (SELECT 1) AS `__pg_alias_2`, (`c` JOIN `d` ON 1)",
		"SELECT 1 FROM",
		"TABLE `t`",
	} {
		p.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat)
		stmts, _, err := p.ParseSQL(q)
		fmt.Println(q)
		if err != nil {
			fmt.Println("  ERR", err)
			continue
		}
		stmts[0].Accept(pv{})
	}
}
