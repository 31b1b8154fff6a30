package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/batch"
	"streamsqld/exec/connector"
	_ "streamsqld/exec/connector/nexmark" // registers the connector
	"streamsqld/planner"
	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// The Nexmark join queries, as RisingWave writes them
// (risingwave/e2e_test/nexmark), over our connector's column names. Each
// runs as a streaming view over bounded nexmark sources and must end with
// the rows the batch executor computes over the same events.
var nexmarkJoinQueries = []struct{ name, sql string }{
	{"q3", `SELECT P.name, P.city, P.state, A.id
FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`},
	{"q4", `SELECT Q.category, AVG(Q.final) AS avg
FROM (
  SELECT MAX(B.price) AS final, A.category
  FROM auction A, bid B
  WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires
  GROUP BY A.id, A.category
) Q
GROUP BY Q.category`},
	{"q5", `SELECT AuctionBids.auction, AuctionBids.num FROM (
  SELECT auction, count(*) AS num, window_start AS starttime
  FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
  GROUP BY window_start, auction
) AS AuctionBids
JOIN (
  SELECT max(CountBids.num) AS maxn, CountBids.starttime_c
  FROM (
    SELECT count(*) AS num, window_start AS starttime_c
    FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
    GROUP BY auction, window_start
  ) AS CountBids
  GROUP BY CountBids.starttime_c
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime_c AND AuctionBids.num >= MaxBids.maxn`},
	// q5 with Flink's window semantics: each aggregation emits a window
	// once, when it closes, and the join of the two append-only sides is a
	// window join on (starttime, endtime). Once every window has closed
	// the view equals the batch result.
	{"q5_eowc", `SELECT AuctionBids.auction, AuctionBids.num FROM (
  SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
  FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
  GROUP BY auction, window_start, window_end EMIT ON WINDOW CLOSE
) AS AuctionBids
JOIN (
  SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
  FROM (SELECT count(*) AS num, window_start AS starttime, window_end AS endtime
        FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
        GROUP BY auction, window_start, window_end EMIT ON WINDOW CLOSE) AS CountBids
  GROUP BY CountBids.starttime, CountBids.endtime EMIT ON WINDOW CLOSE
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime AND AuctionBids.num >= MaxBids.maxn`},
	{"q7", `SELECT B.auction, B.price, B.bidder, B.date_time
FROM bid B
JOIN (
  SELECT MAX(price) AS maxprice, window_end AS date_time
  FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
  GROUP BY window_end
) B1 ON B.price = B1.maxprice
WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time`},
	{"q8", `SELECT P.id, P.name, P.starttime
FROM (
  SELECT id, name, window_start AS starttime, window_end AS endtime
  FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
  GROUP BY id, name, window_start, window_end
) P
JOIN (
  SELECT seller, window_start AS starttime, window_end AS endtime
  FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
  GROUP BY seller, window_start, window_end
) A ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`},
}

// nexmarkAppendOnly are the queries whose graph only inserts rows
// (planner.AppendOnly), so an append-only sink accepts them.
var nexmarkAppendOnly = map[string]bool{"q3": true, "q5_eowc": true}

// nexmarkJoinEvents is the bounded event count: 40 s of event time at one
// event per 2 ms, so the 10 s windows close while the sources run.
const nexmarkJoinEvents = 20000

func nexmarkRelations(kind catalog.Kind) []*catalog.Relation {
	col := func(name string, t types.T) types.Column { return types.Column{Name: name, Type: t} }
	opts := func(table string) map[string]string {
		return map[string]string{
			"connector": "nexmark", "nexmark.table.type": table,
			"nexmark.event.num":           fmt.Sprint(nexmarkJoinEvents),
			"nexmark.min.event.gap.in.ns": "2000000",
			"nexmark.base.time":           "1767225600000",
		}
	}
	wm := types.IntervalValue{Micros: 4e6}
	rels := []*catalog.Relation{
		{Name: "person", Options: opts("Person"),
			Columns: []types.Column{col("id", types.TInt8), col("name", types.TVarchar), col("email_address", types.TVarchar),
				col("credit_card", types.TVarchar), col("city", types.TVarchar), col("state", types.TVarchar),
				col("date_time", types.TTimestamp), col("extra", types.TVarchar)}},
		{Name: "auction", Options: opts("Auction"),
			Columns: []types.Column{col("id", types.TInt8), col("item_name", types.TVarchar), col("description", types.TVarchar),
				col("initial_bid", types.TInt8), col("reserve", types.TInt8), col("date_time", types.TTimestamp),
				col("expires", types.TTimestamp), col("seller", types.TInt8), col("category", types.TInt8), col("extra", types.TVarchar)}},
		{Name: "bid", Options: opts("Bid"),
			Columns: []types.Column{col("auction", types.TInt8), col("bidder", types.TInt8), col("price", types.TInt8),
				col("channel", types.TVarchar), col("url", types.TVarchar), col("date_time", types.TTimestamp), col("extra", types.TVarchar)}},
	}
	for _, r := range rels {
		r.Kind = kind
		if kind == catalog.Source {
			r.Connector = "nexmark"
			r.HasWatermark, r.WatermarkColumn, r.WatermarkDelay = true, "date_time", wm
		}
	}
	return rels
}

func testCatalog(t *testing.T, rels []*catalog.Relation) *catalog.Snapshot {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{NoSync: true, GCInterval: -1,
		MemTableSize: 16 << 20, BlockCacheSize: 1 << 20, IndexCacheSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cat, err := catalog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rels {
		if _, _, err := cat.Create(r, false); err != nil {
			t.Fatal(err)
		}
	}
	return cat.Snapshot()
}

// nexmarkRows reads every row of a nexmark relation.
func nexmarkRows(t *testing.T, rel *catalog.Relation) []types.Row {
	t.Helper()
	ctx := context.Background()
	src, err := connector.New(ctx, "nexmark", rel, connector.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	splits, err := src.Splits(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var rows []types.Row
	for _, sp := range splits {
		r, err := src.Open(ctx, sp, nil)
		if err != nil {
			t.Fatal(err)
		}
		for {
			_, err := r.Read(ctx, 1024, func(row types.Row) { rows = append(rows, CopyRow(row)) })
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		_ = r.Close()
	}
	return rows
}

// tableRows serves the generated events to the batch executor.
type tableRows map[string][]types.Row

func (m tableRows) TableRows(_ context.Context, rel *catalog.Relation) ([]types.Row, error) {
	return m[rel.Name], nil
}

func (m tableRows) ViewRows(context.Context, *catalog.Relation) ([]types.Row, error) {
	return nil, errors.New("no views")
}

func parseSelect(t *testing.T, text string) *ast.Select {
	t.Helper()
	parsed, err := sql.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	sel, ok := parsed[0].Stmt.(*ast.Select)
	if !ok {
		t.Fatalf("not a query: %s", text)
	}
	return sel
}

// formatRows renders rows sorted, with SQL text formatting.
func formatRows(cols []types.Column, rows []types.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, d := range r {
			if d.IsNull() {
				parts[j] = "NULL"
				continue
			}
			parts[j] = string(types.FormatText(d, cols[j].Type))
		}
		out[i] = strings.Join(parts, " | ")
	}
	sort.Strings(out)
	return out
}

// TestNexmarkJoins runs q3, q4, q5 (also with EMIT ON WINDOW CLOSE), q7
// and q8 as streaming views over bounded nexmark sources (parallelism 4,
// checkpoints on the way, state in state tables) and compares the final
// view with the batch executor's result over the same events. It also
// checks which graphs are append-only (an append-only sink takes them).
func TestNexmarkJoins(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 3 x 20000 nexmark events per query")
	}
	streamCat := testCatalog(t, nexmarkRelations(catalog.Source))
	batchRels := nexmarkRelations(catalog.Table)
	batchCat := testCatalog(t, batchRels)
	events := tableRows{}
	for _, r := range nexmarkRelations(catalog.Source) {
		events[r.Name] = nexmarkRows(t, r)
	}
	t.Logf("events: %d persons, %d auctions, %d bids", len(events["person"]), len(events["auction"]), len(events["bid"]))

	for _, q := range nexmarkJoinQueries {
		t.Run(q.name, func(t *testing.T) {
			sel := parseSelect(t, q.sql)
			bq, err := planner.BindQuery(sel, planner.Env{Catalog: batchCat}, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := batch.Run(context.Background(), bq, events, &expr.Ctx{})
			if err != nil {
				t.Fatal(err)
			}

			next := uint32(0)
			g, err := planner.PlanStream(parseSelect(t, q.sql), planner.Env{Catalog: streamCat},
				planner.StreamOptions{Parallelism: 4, NextStateTableID: func() uint32 { next++; return next }})
			if err != nil {
				t.Fatal(err)
			}
			if ao := planner.AppendOnly(g); ao != nexmarkAppendOnly[q.name] {
				t.Fatalf("%s: AppendOnly = %v, want %v\n%s", q.name, ao, !ao, planner.ExplainStream(g))
			}
			var mu sync.Mutex
			tables := map[[2]uint32]*MemState{}
			env := Env{
				Sources: func(ctx context.Context, rel *catalog.Relation) (connector.Source, error) {
					return connector.New(ctx, "nexmark", rel, connector.Env{})
				},
				StateTables: func(id uint32, subtask int) (StateTable, error) {
					mu.Lock()
					defer mu.Unlock()
					k := [2]uint32{id, uint32(subtask)}
					if tables[k] == nil {
						tables[k] = NewMemState()
					}
					return tables[k], nil
				},
			}
			j := startJob(t, g, env, nil)
			// Checkpoint barriers while the job runs, so the join writes
			// its state on the way.
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for e := uint64(1); ; e++ {
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
					if err := j.TriggerBarrier(e, true); err != nil {
						return
					}
				}
			}()
			waitDone(t, j)
			close(stop)
			wg.Wait()

			got := formatRows(g.Output, j.View().Snapshot())
			exp := formatRows(bq.Columns, want)
			if len(exp) == 0 {
				t.Fatal("the batch result is empty: the query checks nothing")
			}
			if strings.Join(got, "\n") != strings.Join(exp, "\n") {
				t.Fatalf("view has %d rows, batch %d\nview:\n%s\nbatch:\n%s", len(got), len(exp),
					head(got), head(exp))
			}
			// The state the joins hold at the end: interval and window
			// joins drop everything once the final watermarks pass, a
			// regular join keeps its inputs.
			var keys, bounded int
			for _, op := range g.Operators {
				if op.Join == nil {
					continue
				}
				if len(op.Join.LeftBounds) > 0 && len(op.Join.RightBounds) > 0 {
					bounded++
				}
				for k, st := range tables {
					if k[0] == op.Join.LeftStateTableID || k[0] == op.Join.RightStateTableID {
						keys += st.Len()
					}
				}
			}
			if (bounded > 0) != (keys == 0) {
				t.Fatalf("%s: %d join state keys at the end (bounded joins: %d)", q.name, keys, bounded)
			}
			t.Logf("%s: %d rows match the batch result; join state at the end: %d keys", q.name, len(got), keys)
		})
	}
}

func head(rows []string) string {
	if len(rows) > 20 {
		rows = append(rows[:20:20], "...")
	}
	return strings.Join(rows, "\n")
}
