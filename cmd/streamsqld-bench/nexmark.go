package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/types"
)

// nexmarkQuery is one Nexmark query, as RisingWave writes it
// (risingwave/e2e_test/nexmark/*.slt.part), adapted to the column names
// of our nexmark connector.
type nexmarkQuery struct {
	Name   string
	Desc   string
	SQL    string  // the view's query
	Target float64 // events/s per core
	Flink  float64 // Flink 1.13's published events/s per core
	// AllBids is true when the view holds one row per bid, which checks
	// that the view is complete when CREATE returns.
	AllBids bool
	// Join is true for the join queries, which read the person and auction
	// sources too (each a bounded nexmark source over the same events) and
	// run on -join-events events. Target and Flink are 0: none set.
	Join bool
	// Sink, when set, runs the query as CREATE SINK ... WITH (Sink), into
	// the blackhole sink as Nexmark's own setup does, instead of as a
	// materialized view.
	Sink string
	// Group is the -only name that selects the query (default Name).
	Group string
}

// blackhole is the WITH clause of the blackhole sink queries.
const blackhole = "connector = 'blackhole'"

func (q nexmarkQuery) group() string {
	if q.Group != "" {
		return q.Group
	}
	return q.Name
}

// create is the statement a run times.
func (q nexmarkQuery) create() string {
	if q.Sink != "" {
		return "CREATE SINK " + q.Name + " AS " + q.SQL + " WITH (" + q.Sink + ")"
	}
	return "CREATE MATERIALIZED VIEW " + q.Name + " AS " + q.SQL
}

var nexmarkQueries = []nexmarkQuery{
	{
		Name: "q0", Desc: "passthrough, into a blackhole sink",
		SQL:    "SELECT auction, bidder, price, date_time, extra FROM bid",
		Target: 1.5e6, Flink: 155e3, Sink: blackhole, AllBids: true,
	},
	{
		Name: "q0_view", Group: "q0", Desc: "passthrough, as a materialized view keeping every bid",
		SQL:     "SELECT auction, bidder, price, date_time, extra FROM bid",
		AllBids: true,
	},
	{
		Name: "q1", Desc: "currency conversion, into a blackhole sink",
		SQL:    "SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid",
		Target: 1.5e6, Flink: 158e3, Sink: blackhole, AllBids: true,
	},
	{
		Name: "q1_view", Group: "q1", Desc: "currency conversion, as a materialized view keeping every bid",
		SQL:     "SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid",
		AllBids: true,
	},
	{
		Name: "q2", Desc: "selection",
		SQL:    "SELECT auction, price FROM bid WHERE mod(auction, 123) = 0",
		Target: 1.5e6, Flink: 175e3,
	},
	{
		Name: "q5", Desc: "HOP count per auction (q5's inner aggregation), as a materialized view updated on every bid",
		SQL: "SELECT auction, count(*) AS num, window_start, window_end " +
			"FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) " +
			"GROUP BY auction, window_start, window_end",
		Target: 220e3,
	},
	{
		Name: "q5_final", Group: "q5",
		Desc: "the same HOP count emitting each window's final counts once (Flink's window aggregation), into a blackhole sink",
		SQL: "SELECT auction, count(*) AS num, window_start, window_end " +
			"FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) " +
			"GROUP BY auction, window_start, window_end EMIT ON WINDOW CLOSE",
		Sink: blackhole, Target: 220e3,
	},
	{
		Name: "q5_full", Group: "q5",
		Desc: "full q5, the auctions with the most bids per HOP window, with Flink's window semantics (final counts), into a blackhole sink",
		SQL: "SELECT AuctionBids.auction, AuctionBids.num FROM (" +
			"SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime " +
			"FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) " +
			"GROUP BY auction, window_start, window_end EMIT ON WINDOW CLOSE) AS AuctionBids " +
			"JOIN (SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime FROM (" +
			"SELECT count(*) AS num, window_start AS starttime, window_end AS endtime " +
			"FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) " +
			"GROUP BY auction, window_start, window_end EMIT ON WINDOW CLOSE) AS CountBids " +
			"GROUP BY CountBids.starttime, CountBids.endtime EMIT ON WINDOW CLOSE) AS MaxBids " +
			"ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime " +
			"AND AuctionBids.num >= MaxBids.maxn",
		Sink: blackhole, Target: 220e3, Flink: 22e3,
	},
	// The join queries, as exec/join_nexmark_test.go checks them against
	// the batch executor.
	{
		Name: "q3", Desc: "local item suggestion: regular join of auctions and persons",
		SQL: "SELECT P.name, P.city, P.state, A.id " +
			"FROM auction AS A INNER JOIN person AS P ON A.seller = P.id " +
			"WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')",
		Join: true,
	},
	{
		Name: "q4", Desc: "average price per category: regular join of auctions and bids, two aggregations",
		SQL: "SELECT Q.category, AVG(Q.final) AS avg FROM (" +
			"SELECT MAX(B.price) AS final, A.category FROM auction A, bid B " +
			"WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires " +
			"GROUP BY A.id, A.category) Q GROUP BY Q.category",
		Join: true,
	},
	{
		Name: "q7", Desc: "highest bid: bids joined with their 10 s TUMBLE window's max price",
		SQL: "SELECT B.auction, B.price, B.bidder, B.date_time FROM bid B JOIN (" +
			"SELECT MAX(price) AS maxprice, window_end AS date_time " +
			"FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_end) B1 " +
			"ON B.price = B1.maxprice " +
			"WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time",
		Join: true,
	},
	{
		Name: "q8", Desc: "new users who opened auctions: window join of persons and sellers, 10 s TUMBLE",
		SQL: "SELECT P.id, P.name, P.starttime FROM (" +
			"SELECT id, name, window_start AS starttime, window_end AS endtime " +
			"FROM TUMBLE(person, date_time, INTERVAL '10' SECOND) " +
			"GROUP BY id, name, window_start, window_end) P JOIN (" +
			"SELECT seller, window_start AS starttime, window_end AS endtime " +
			"FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND) " +
			"GROUP BY seller, window_start, window_end) A " +
			"ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime",
		Join: true,
	},
}

// personColumns and auctionColumns are RisingWave's person and auction
// source schemas.
const (
	personColumns = "id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, " +
		"state VARCHAR, date_time TIMESTAMP, extra VARCHAR"
	auctionColumns = "id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, " +
		"date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR"
)

// createNexmarkSource creates a bounded nexmark source of one table type
// (Person, Auction or Bid) over the first events events.
func createNexmarkSource(name, tableType, columns string, events int64, splits int) string {
	return fmt.Sprintf("CREATE SOURCE %s (%s, %s) WITH (connector = 'nexmark', "+
		"nexmark.table.type = '%s', nexmark.event.num = '%d', nexmark.split.num = '%d', nexmark.base.time = '%d')",
		name, columns, bidWatermark, tableType, events, splits, nexmarkBaseMillis)
}

// bidColumns is RisingWave's bid source schema.
const bidColumns = "auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, " +
	"date_time TIMESTAMP, extra VARCHAR"

// bidWatermark is RisingWave's watermark for the Nexmark sources.
const bidWatermark = "WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND"

// nexmarkBaseMillis fixes the event-time base (2026-01-01T00:00:00Z) so that
// every run windows the same events the same way.
const nexmarkBaseMillis = 1767225600000

func createBidSource(name string, events int64, splits int, extra string) string {
	return createBidSourceWith(name, "nexmark", events, splits, extra)
}

func createBidSourceWith(name, conn string, events int64, splits int, extra string) string {
	return fmt.Sprintf("CREATE SOURCE %s (%s, %s) WITH (connector = '%s', "+
		"nexmark.table.type = 'Bid', nexmark.event.num = '%d', nexmark.split.num = '%d'%s)",
		name, bidColumns, bidWatermark, conn, events, splits, extra)
}

// bidsIn is how many of the first n Nexmark events are bids (46 of every
// 50, after one person and three auctions).
func bidsIn(n int64) int64 {
	return n/50*46 + max(0, n%50-4)
}

// throughputResult is one measured run of a throughput benchmark.
type throughputResult struct {
	Name        string
	Desc        string
	Parallelism int
	Events      int64
	Rows        int64 // rows in the view at the end
	Usage       usage
	Target      float64
	Flink       float64
	// Checkpoints summarises the checkpoints the server took during the
	// run, when it reports them (streamsql_checkpoints).
	Checkpoints *checkpointStats
	Err         error
}

// runNexmark measures one query at one parallelism: the time CREATE
// MATERIALIZED VIEW takes over a bounded source, which returns once every
// event has been applied to the view.
func runNexmark(ctx context.Context, cfg config, prof *profiler, q nexmarkQuery, p int, events int64) throughputResult {
	res := throughputResult{Name: q.Name, Desc: q.Desc, Parallelism: p, Events: events, Target: q.Target, Flink: q.Flink}
	ctx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	be, err := openEngine(ctx, "", p, time.Second)
	if err != nil {
		res.Err = err
		return res
	}
	defer be.destroy()
	if _, err := be.exec(ctx, createBidSource("bid", events, p,
		fmt.Sprintf(", nexmark.base.time = '%d'", nexmarkBaseMillis))); err != nil {
		res.Err = err
		return res
	}
	if q.Join {
		for _, src := range []string{
			createNexmarkSource("person", "Person", personColumns, events, p),
			createNexmarkSource("auction", "Auction", auctionColumns, events, p),
		} {
			if _, err := be.exec(ctx, src); err != nil {
				res.Err = err
				return res
			}
		}
	}
	create := q.create()
	res.Usage, err = measure(ctx, prof, fmt.Sprintf("%s-p%d", q.Name, p), func(ctx context.Context) error {
		_, err := be.exec(ctx, create)
		return err
	})
	if err == nil {
		err = be.jobError(ctx, q.Name)
	}
	if err == nil && q.Sink != "" {
		res.Rows, err = sinkRows(ctx, be, q.Name)
	} else if err == nil {
		res.Rows, err = viewRows(ctx, be, q.Name)
	}
	if err == nil && q.Join && res.Rows == 0 {
		err = fmt.Errorf("view %s is empty after CREATE returned", q.Name)
	}
	if err == nil && q.AllBids && res.Rows != bidsIn(events) {
		err = fmt.Errorf("view %s holds %d rows after CREATE returned, want %d: the run ended early",
			q.Name, res.Rows, bidsIn(events))
	}
	res.Err = err
	return res
}

// sinkRows is the number of rows a sink received (streamsql_operators).
func sinkRows(ctx context.Context, be *benchEngine, sink string) (int64, error) {
	rows, err := be.exec(ctx, "SELECT CAST(sum(rows_in) AS BIGINT) FROM streamsql_operators WHERE view_name = '"+sink+"' AND operator = 'Sink'")
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 || rows[0][0].IsNull() {
		return 0, fmt.Errorf("sink %s is not in streamsql_operators", sink)
	}
	return rows[0][0].I, nil
}

// viewRows is the row count SHOW JOBS reports for a view; it reads the
// view's size without copying its rows.
func viewRows(ctx context.Context, be *benchEngine, view string) (int64, error) {
	rows, err := be.exec(ctx, "SHOW JOBS")
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if len(r) >= 6 && r[1].S == view {
			return r[5].I, nil
		}
	}
	return 0, fmt.Errorf("view %s is not in SHOW JOBS", view)
}

// runGenerator measures the nexmark connector alone, reading the bid
// table of events events on one goroutine: the cost of producing the input,
// which no query can beat.
func runGenerator(ctx context.Context, prof *profiler, events int64) throughputResult {
	res := throughputResult{Name: "generator", Desc: "nexmark Bid connector alone, no engine", Parallelism: 1, Events: events}
	rel := &catalog.Relation{
		Kind: catalog.Source, Name: "bid", Connector: "nexmark",
		Columns: []types.Column{
			{Name: "auction", Type: types.TInt8}, {Name: "bidder", Type: types.TInt8},
			{Name: "price", Type: types.TInt8}, {Name: "channel", Type: types.TVarchar},
			{Name: "url", Type: types.TVarchar}, {Name: "date_time", Type: types.TTimestamp},
			{Name: "extra", Type: types.TVarchar},
		},
		Options: map[string]string{
			"connector": "nexmark", "nexmark.table.type": "Bid",
			"nexmark.event.num": strconv.FormatInt(events, 10), "nexmark.split.num": "1",
			"nexmark.base.time": strconv.FormatInt(nexmarkBaseMillis, 10),
		},
		CreatedAt: time.UnixMilli(nexmarkBaseMillis),
	}
	var rows int64
	var err error
	res.Usage, err = measure(ctx, prof, "generator", func(ctx context.Context) error {
		src, err := connector.New(ctx, "nexmark", rel, connector.Env{})
		if err != nil {
			return err
		}
		defer src.Close()
		splits, err := src.Splits(ctx, 1)
		if err != nil {
			return err
		}
		for _, sp := range splits {
			r, err := src.Open(ctx, sp, nil)
			if err != nil {
				return err
			}
			// The engine copies every emitted row into a chunk; so does this.
			row := make(types.Row, len(rel.Columns))
			for {
				n, err := r.Read(ctx, 1024, func(r types.Row) { copy(row, r) })
				rows += int64(n)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return err
				}
			}
			if err := r.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	res.Rows = rows
	if err == nil && rows != bidsIn(events) {
		err = fmt.Errorf("generator emitted %d bids, want %d", rows, bidsIn(events))
	}
	res.Err = err
	return res
}
