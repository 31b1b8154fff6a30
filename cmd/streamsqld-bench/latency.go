package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/storage"
)

// latencyView is q5's inner aggregation plus max(date_time): the event
// time of the newest bid each window row counts.
const latencyView = "CREATE MATERIALIZED VIEW q5_latency AS " +
	"SELECT auction, count(*) AS num, max(date_time) AS last_ts, window_start, window_end " +
	"FROM HOP(bid_rt, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) " +
	"GROUP BY auction, window_start, window_end"

// latencyMode is where a bid counts as visible.
type latencyMode string

const (
	// latencyPipeline: in a change delivered to a subscriber of the view,
	// as soon as the Materialize sink applied it.
	latencyPipeline latencyMode = "subscriber"
	// latencyRead: in the result of a SELECT through a server session.
	latencyRead latencyMode = "SELECT"
)

type latencyResult struct {
	Mode        latencyMode
	Parallelism int
	Rate        int64 // events per second
	Duration    time.Duration
	Samples     int
	P50, P99    time.Duration
	Max         time.Duration
	Polls       int // SELECTs issued (latencyRead)
	Usage       usage
	Err         error
}

// latencyGrid is the event-time spacing of latency samples.
const latencyGrid = int64(time.Millisecond / time.Microsecond)

// frontier turns observations of the visibility frontier (the newest
// event time a reader can see) into per-event latencies. An event of event
// time e becomes visible at the first observation t whose frontier is at
// least e; its latency is t - e. Events are sampled on a 1 ms event-time
// grid, which at a fixed rate weighs every event alike.
type frontier struct {
	from int64 // first event time measured (end of the warm-up), micros
	last int64 // frontier so far
	lat  []time.Duration
}

func newFrontier(from int64) *frontier { return &frontier{from: from, last: from - 1} }

// observe records that at time now (micros) the frontier was f.
func (fr *frontier) observe(now, f int64) {
	if f <= fr.last {
		return
	}
	// Grid points in (last, f].
	g := (fr.last/latencyGrid + 1) * latencyGrid
	if fr.last < 0 && fr.last%latencyGrid != 0 {
		g -= latencyGrid
	}
	for ; g <= f; g += latencyGrid {
		fr.lat = append(fr.lat, time.Duration(now-g)*time.Microsecond)
	}
	fr.last = f
}

func (fr *frontier) summarize(res *latencyResult) error {
	if len(fr.lat) == 0 {
		return errors.New("the view showed no bid after the warm-up")
	}
	slices.Sort(fr.lat)
	res.Samples = len(fr.lat)
	res.P50 = percentile(fr.lat, 0.50)
	res.P99 = percentile(fr.lat, 0.99)
	res.Max = fr.lat[len(fr.lat)-1]
	return nil
}

// runLatency measures how long bids generated at a fixed rate in real
// time take to show in q5's window counts.
//
// The source is nexmark with use.real.time (through benchnexmark, which
// aligns each split's event-time base with its opening): an event's event
// time is the wall time it became due. last_ts, the max(date_time) of a
// view row, is the event time of the newest bid the row counts, so the
// newest last_ts a reader sees is the frontier of visible events, and an
// event's latency is the time until the frontier passes it (see frontier).
// With several splits the frontier is the newest over all of them, which
// may pass a slower split's event before it is visible; the error is at
// most the splits' skew.
//
// latencyRead polls SELECT max(last_ts) through a server session every
// -latency-poll; a reader sees what the server shows, which with
// consistent reads is the last committed checkpoint. The poll's end is
// the visibility time, so up to one poll interval is added.
//
// latencyPipeline observes every change the view's subscribers receive.
// The server has no SUBSCRIBE yet, so the view is planned and built as the
// server does (planner.PlanView, exec.Build) over the server's catalog,
// without a checkpoint coordinator, and the benchmark subscribes to the
// exec.View itself.
func runLatency(ctx context.Context, cfg config, prof *profiler, mode latencyMode, p int) latencyResult {
	res := latencyResult{Mode: mode, Parallelism: p, Rate: cfg.latencyRate, Duration: cfg.latencyDuration}
	res.Err = func() error {
		be, err := openEngine(ctx, "", p, time.Second)
		if err != nil {
			return err
		}
		defer be.destroy()
		if _, err := be.exec(ctx, createBidSourceWith("bid_rt", benchNexmarkName, 0, p, fmt.Sprintf(
			", nexmark.event.rate = '%d', nexmark.use.real.time = 'true'", cfg.latencyRate))); err != nil {
			return err
		}
		name := fmt.Sprintf("q5-latency-%s-p%d", strings.ToLower(string(mode)), p)
		var fr *frontier
		if mode == latencyRead {
			res.Usage, err = measure(ctx, prof, name, func(ctx context.Context) error {
				fr, res.Polls, err = pollLatency(ctx, cfg, be)
				return err
			})
		} else {
			be.close()
			res.Usage, err = measure(ctx, prof, name, func(ctx context.Context) error {
				fr, err = subscribeLatency(ctx, cfg, be.dir, p)
				return err
			})
		}
		if err != nil {
			return err
		}
		return fr.summarize(&res)
	}()
	return res
}

func pollLatency(ctx context.Context, cfg config, be *benchEngine) (*frontier, int, error) {
	if _, err := be.exec(ctx, latencyView); err != nil {
		return nil, 0, err
	}
	fr := newFrontier(time.Now().Add(cfg.latencyWarmup).UnixMicro())
	end := time.Now().Add(cfg.latencyWarmup + cfg.latencyDuration)
	tick := time.NewTicker(cfg.latencyPoll)
	defer tick.Stop()
	polls := 0
	for time.Now().Before(end) {
		rows, err := be.exec(ctx, "SELECT max(last_ts) FROM q5_latency")
		if err != nil {
			return nil, polls, err
		}
		polls++
		if len(rows) == 1 && len(rows[0]) == 1 && !rows[0][0].IsNull() {
			fr.observe(time.Now().UnixMicro(), rows[0][0].I)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return nil, polls, ctx.Err()
		}
	}
	if err := be.jobError(ctx, "q5_latency"); err != nil {
		return nil, polls, err
	}
	return fr, polls, nil
}

func subscribeLatency(ctx context.Context, cfg config, dir string, p int) (*frontier, error) {
	db, err := storage.Open(dir, storage.Options{Logger: quietLogger})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	cat, err := catalog.Open(db)
	if err != nil {
		return nil, err
	}
	parsed, err := sql.Parse(latencyView)
	if err != nil {
		return nil, err
	}
	st, ok := parsed[0].Stmt.(*ast.CreateMaterializedView)
	if !ok {
		return nil, errors.New("latency view does not parse as CREATE MATERIALIZED VIEW")
	}
	graph, err := planner.PlanView(st, planner.Env{Catalog: cat.Snapshot()}, planner.StreamOptions{Parallelism: p})
	if err != nil {
		return nil, err
	}
	lastTS := -1
	for i, c := range graph.Output {
		if c.Name == "last_ts" {
			lastTS = i
		}
	}
	if lastTS < 0 {
		return nil, errors.New("latency view has no last_ts column")
	}
	job, err := exec.Build(graph, exec.Env{
		Sources: func(ctx context.Context, rel *catalog.Relation) (connector.Source, error) {
			return connector.New(ctx, rel.Connector, rel, connector.Env{})
		},
		Logger: quietLogger,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := job.Start(ctx); err != nil {
		return nil, err
	}
	defer job.Stop()
	_, sub, err := job.View().Subscribe(ctx)
	if err != nil {
		return nil, err
	}
	defer sub.Cancel()
	fr := newFrontier(time.Now().Add(cfg.latencyWarmup).UnixMicro())
	end := time.NewTimer(cfg.latencyWarmup + cfg.latencyDuration)
	defer end.Stop()
	for {
		select {
		case c := <-sub.Changes():
			now := time.Now().UnixMicro()
			newest := int64(-1 << 63)
			for i := 0; i < c.Len(); i++ {
				if c.Op(i).IsInsert() {
					newest = max(newest, c.Row(i)[lastTS].I)
				}
			}
			fr.observe(now, newest)
		case <-sub.Closed():
			if err := job.Err(); err != nil {
				return nil, err
			}
			return nil, errors.New("latency job ended before the measurement did")
		case <-end.C:
			return fr, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// benchNexmarkName is the nexmark connector with each split's event-time
// base set to the instant the split opens. The connector paces a real-time
// split from its Open, so event n of the split is due at open + n*gap:
// with the base equal to open, an event's event time is the wall time it
// was due, and latency is measured from there. (With the default base,
// the relation's creation time, every event time would lag its emission by
// however long the job took to start.)
const benchNexmarkName = "benchnexmark"

func init() {
	connector.Register(benchNexmarkName, func(_ context.Context, rel *catalog.Relation, _ connector.Env) (connector.Source, error) {
		return &alignedNexmark{rel: rel}, nil
	})
}

type alignedNexmark struct {
	rel *catalog.Relation
}

func (a *alignedNexmark) Splits(ctx context.Context, parallelism int) ([]string, error) {
	src, err := connector.New(ctx, "nexmark", a.rel, connector.Env{})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return src.Splits(ctx, parallelism)
}

// maxBaseSkew bounds how far after the event-time base a split's pacer may
// start: beyond it (the goroutine was descheduled, a timer fired late) the
// split is opened again, since the skew would add to every sample.
const maxBaseSkew = 200 * time.Microsecond

func (a *alignedNexmark) Open(ctx context.Context, split string, pos []byte) (connector.Reader, error) {
	rel := a.rel.Clone()
	for attempt := 1; ; attempt++ {
		// The base has millisecond resolution: start at a millisecond
		// boundary. The pacer starts inside Open, between base and the
		// return of Open.
		base := time.Now().Truncate(time.Millisecond).Add(time.Millisecond)
		time.Sleep(time.Until(base) - 100*time.Microsecond)
		for time.Now().Before(base) {
		}
		rel.Options["nexmark.base.time"] = strconv.FormatInt(base.UnixMilli(), 10)
		src, err := connector.New(ctx, "nexmark", rel, connector.Env{})
		if err != nil {
			return nil, err
		}
		r, err := src.Open(ctx, split, pos)
		if err != nil {
			return nil, err
		}
		skew := time.Since(base)
		if skew <= maxBaseSkew {
			return r, nil
		}
		_ = r.Close()
		if attempt == 100 {
			return nil, fmt.Errorf("split %s: could not open within %v of its event-time base (last skew %v)",
				split, maxBaseSkew, skew)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

func (a *alignedNexmark) Close() error { return nil }
