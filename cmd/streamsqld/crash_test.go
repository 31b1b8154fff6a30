package main_test

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"streamsqld/internal/testserver"
)

// The exactly-once crash test: the same pipeline runs twice at once, once
// undisturbed (the reference) and once killed with SIGKILL three times at
// random moments while data flows and restarted on the same data dir. At
// the end every view must hold the reference's rows, row for row.
//
// Input: a datagen tweets source (seeded, bounded, fixed event-time base,
// so that its rows are a function of the position) feeding the hashtag
// view and an unbounded GROUP BY, and a table fed by INSERT batches
// feeding another GROUP BY and a LEFT JOIN with a small table of key names
// (filled by the DDL, partly before and partly after the join view exists;
// keys without a name join NULL). A join view is not checkpointed: after a
// restart it is recomputed from its inputs, and must still end exact. An
// INSERT in flight at kill time may or may
// not have been acknowledged: after a restart the inserter looks the batch
// up by id and inserts it again only if it is missing.

const (
	crashTweets     = 40000
	crashRate       = 4000 // rows per second: the source flows for ~10 s
	crashBatches    = 50
	crashBatchRows  = 40
	crashBatchEvery = 150 * time.Millisecond
	crashKills      = 3
)

var crashDDL = []string{
	fmt.Sprintf(`CREATE SOURCE tweets (id BIGINT, ts TIMESTAMP, author VARCHAR, text VARCHAR,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (connector = 'datagen', datagen.mode = 'tweets', rows.per.second = '%d',
        datagen.rows.total = '%d', datagen.seed = '42', datagen.start.millis = '1767225600000') FORMAT JSON`,
		crashRate, crashTweets),
	`CREATE TABLE events (id BIGINT, k INT, v BIGINT)`,
	`CREATE TABLE key_names (k INT, name VARCHAR)`,
	crashKeyNames(0, 20),
	hashtagView,
	`CREATE MATERIALIZED VIEW tweets_per_author AS
  SELECT author, count(*) AS n, max(id) AS last_id FROM tweets GROUP BY author`,
	`CREATE MATERIALIZED VIEW events_per_key AS
  SELECT k, count(*) AS n, sum(v) AS total FROM events GROUP BY k`,
	`CREATE MATERIALIZED VIEW events_named AS
  SELECT e.id, e.v, n.name FROM events AS e LEFT JOIN key_names AS n ON e.k = n.k`,
	crashKeyNames(20, 30), // keys 30..36 stay unnamed
}

// crashKeyNames inserts names for keys lo..hi-1 of the events table.
func crashKeyNames(lo, hi int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO key_names VALUES ")
	for k := lo; k < hi; k++ {
		if k > lo {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "(%d, 'key-%d')", k, k)
	}
	return sb.String()
}

var crashViews = map[string]string{
	"hashtag_counts":    `SELECT window_start, window_end, tag, cnt FROM hashtag_counts ORDER BY window_start, tag`,
	"tweets_per_author": `SELECT author, n, last_id FROM tweets_per_author ORDER BY author`,
	"events_per_key":    `SELECT k, n, total::bigint FROM events_per_key ORDER BY k`,
	"events_named":      `SELECT id, v, name FROM events_named ORDER BY id`,
}

// crashRun is one server process at a time on one data dir.
type crashRun struct {
	t    *testing.T
	name string
	dir  string

	mu  sync.Mutex
	srv *testserver.Server
}

var crashFlags = []string{"--parallelism", "2", "--checkpoint-interval", "250ms"}

func startCrashRun(t *testing.T, ctx context.Context, name string) *crashRun {
	r := &crashRun{t: t, name: name, dir: t.TempDir()}
	r.srv = testserver.Start(t, r.dir, crashFlags...)
	conn := r.srv.Connect(t, ctx)
	for _, q := range crashDDL {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %s: %v", name, q, err)
		}
	}
	_ = conn.Close(ctx)
	return r
}

func (r *crashRun) server() *testserver.Server {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.srv
}

// crash kills the server and starts it again on the same data dir.
func (r *crashRun) crash() {
	r.mu.Lock()
	r.srv.Kill()
	r.mu.Unlock()
	srv := testserver.Start(r.t, r.dir, crashFlags...)
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
}

// connect connects to the current server, retrying while it restarts.
func (r *crashRun) connect(ctx context.Context) (*pgx.Conn, error) {
	for {
		conn, err := pgx.Connect(ctx, r.server().ConnString())
		if err == nil {
			return conn, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: connect: %w (last error %v)", r.name, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// insertAll inserts the event batches at a steady pace, surviving server
// crashes: a batch whose INSERT failed is looked up and inserted again only
// if it is absent (a batch is one atomic append).
func (r *crashRun) insertAll(ctx context.Context) error {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			_ = conn.Close(context.Background())
		}
	}()
	tick := time.NewTicker(crashBatchEvery)
	defer tick.Stop()
	for b := 0; b < crashBatches; b++ {
		lo := int64(b * crashBatchRows)
		var sb strings.Builder
		sb.WriteString("INSERT INTO events VALUES ")
		for i := lo; i < lo+crashBatchRows; i++ {
			if i > lo {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%d, %d, %d)", i, i%37, i*7%101)
		}
		for {
			if conn == nil {
				var err error
				if conn, err = r.connect(ctx); err != nil {
					return err
				}
				var have int64
				err = conn.QueryRow(ctx, `SELECT count(*) FROM events WHERE id >= $1 AND id < $2`, lo, lo+crashBatchRows).Scan(&have)
				if err != nil {
					_ = conn.Close(ctx)
					conn = nil
					continue
				}
				if have == crashBatchRows {
					break // acknowledged or not, it was written
				}
				if have != 0 {
					return fmt.Errorf("%s: batch %d is partly in the table: %d of %d rows", r.name, b, have, crashBatchRows)
				}
			}
			if _, err := conn.Exec(ctx, sb.String()); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				_ = conn.Close(ctx)
				conn = nil
				continue
			}
			break
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// crashNamedRows is how many events have a key with a name (k < 30).
func crashNamedRows() int64 {
	var n int64
	for i := int64(0); i < crashBatches*crashBatchRows; i++ {
		if i%37 < 30 {
			n++
		}
	}
	return n
}

// snapshot reads every view, one formatted line per row.
func (r *crashRun) snapshot(ctx context.Context, conn *pgx.Conn) (map[string][]string, error) {
	out := map[string][]string{}
	for name, q := range crashViews {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[name] = append(out[name], fmt.Sprint(vals...))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return out, nil
}

func queryInt(ctx context.Context, conn *pgx.Conn, q string) (int64, error) {
	var n *int64
	if err := conn.QueryRow(ctx, q).Scan(&n); err != nil || n == nil {
		return 0, err
	}
	return *n, nil
}

// awaitFinal waits until the undisturbed run has read all of its input
// and two more checkpoints committed (reads show the last checkpoint),
// then returns its views.
func (r *crashRun) awaitFinal(ctx context.Context) (map[string][]string, error) {
	conn, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	checks := []struct {
		q    string
		want int64
	}{
		{`SELECT sum(rows_in)::bigint FROM streamsql_operators WHERE view_name = 'hashtag_counts' AND operator = 'Source'`, crashTweets},
		{`SELECT sum(n)::bigint FROM tweets_per_author`, crashTweets},
		{`SELECT sum(n)::bigint FROM events_per_key`, crashBatches * crashBatchRows},
		{`SELECT count(*)::bigint FROM events_named`, crashBatches * crashBatchRows},
		{`SELECT count(name)::bigint FROM events_named`, crashNamedRows()},
	}
	for _, c := range checks {
		for {
			n, err := queryInt(ctx, conn, c.q)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.q, err)
			}
			if n == c.want {
				break
			}
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("%s: %s = %d, want %d: %w", r.name, c.q, n, c.want, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	const lastCompleted = `SELECT max(id)::bigint FROM streamsql_checkpoints WHERE status = 'completed'`
	from, err := queryInt(ctx, conn, lastCompleted)
	if err != nil {
		return nil, err
	}
	for {
		id, err := queryInt(ctx, conn, lastCompleted)
		if err != nil {
			return nil, err
		}
		if id >= from+2 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return r.snapshot(ctx, conn)
}

// awaitEqual waits until the run's views equal want.
func (r *crashRun) awaitEqual(ctx context.Context, want map[string][]string) error {
	var got map[string][]string
	for {
		conn, err := r.connect(ctx)
		if err != nil {
			return err
		}
		got, err = r.snapshot(ctx, conn)
		_ = conn.Close(context.Background())
		if err == nil && sameViews(got, want) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("views differ from the reference:\n%s", diffViews(got, want))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func sameViews(a, b map[string][]string) bool {
	for name := range crashViews {
		if strings.Join(a[name], "\n") != strings.Join(b[name], "\n") {
			return false
		}
	}
	return true
}

func diffViews(got, want map[string][]string) string {
	var sb strings.Builder
	for name := range crashViews {
		g, w := got[name], want[name]
		if strings.Join(g, "\n") == strings.Join(w, "\n") {
			continue
		}
		fmt.Fprintf(&sb, "%s: %d rows, want %d\n", name, len(g), len(w))
		shown := 0
		for i := 0; i < max(len(g), len(w)) && shown < 10; i++ {
			var gi, wi string
			if i < len(g) {
				gi = g[i]
			}
			if i < len(w) {
				wi = w[i]
			}
			if gi != wi {
				fmt.Fprintf(&sb, "  row %d: got %q want %q\n", i, gi, wi)
				shown++
			}
		}
	}
	return sb.String()
}

func TestCrashRecoveryExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills servers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("kill schedule seed %d", seed)

	ref := startCrashRun(t, ctx, "reference")
	run := startCrashRun(t, ctx, "crashed")
	start := time.Now()

	inserted := make(chan error, 2)
	for _, r := range []*crashRun{ref, run} {
		go func(r *crashRun) { inserted <- r.insertAll(ctx) }(r)
	}

	// Kill at random moments while both inputs flow (~8 s).
	var at []time.Duration
	for i := 0; i < crashKills; i++ {
		at = append(at, 500*time.Millisecond+time.Duration(rng.Int63n(int64(7*time.Second))))
	}
	sort.Slice(at, func(i, j int) bool { return at[i] < at[j] })
	for i, d := range at {
		if wait := time.Until(start.Add(d)); wait > 0 {
			time.Sleep(wait)
		}
		t.Logf("kill %d at %s", i+1, time.Since(start).Round(time.Millisecond))
		run.crash()
	}

	for i := 0; i < 2; i++ {
		if err := <-inserted; err != nil {
			t.Fatal(err)
		}
	}
	want, err := ref.awaitFinal(ctx)
	if err != nil {
		t.Fatalf("reference run: %v\n%s", err, ref.server().Log())
	}
	for name := range crashViews {
		if len(want[name]) == 0 {
			t.Fatalf("reference view %s is empty", name)
		}
	}
	eqCtx, eqCancel := context.WithTimeout(ctx, time.Minute)
	defer eqCancel()
	if err := run.awaitEqual(eqCtx, want); err != nil {
		t.Fatalf("after %d crashes: %v\nlast server log:\n%s", crashKills, err, run.server().Log())
	}
	t.Logf("views equal after %d crashes (%s)", crashKills, time.Since(start).Round(time.Millisecond))
}
