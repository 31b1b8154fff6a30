package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"streamsqld/internal/testkafka"
	"streamsqld/internal/testserver"
)

// TestKafkaSinkExactlyOnceAcrossCrash: a Kafka source feeds two sinks in
// the real server at parallelism 2, an append-only sink of the tweets and
// an upsert sink of a per-author count view; the server is killed with
// SIGKILL mid-stream and restarted. A read_committed consumer must see
// every tweet exactly once on the append-only topic, and on the upsert
// topic each author's counts strictly increasing up to the exact count:
// a change delivered twice would repeat a count.
func TestKafkaSinkExactlyOnceAcrossCrash(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	kc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "tweets"), kfake.SeedTopics(2, "tweets_out", "author_counts_out"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	addrs := kc.ListenAddrs()
	brokers := strings.Join(addrs, ",")
	prod := newProducer(t, addrs)
	tweets := makeTweets(6000, 11)

	flags := []string{"--parallelism", "2", "--checkpoint-interval", "200ms"}
	srv := testserver.Start(t, "", flags...)
	conn := srv.Connect(t, ctx)
	for _, ddl := range []string{
		kafkaSourceDDL(addrs),
		fmt.Sprintf(`CREATE SINK tweets_sink AS SELECT id, author, ts FROM tweets
  WITH (connector = 'kafka', topic = 'tweets_out', properties.bootstrap.server = '%s', type = 'append-only') FORMAT JSON`, brokers),
		`CREATE MATERIALIZED VIEW author_counts AS SELECT author, count(*) AS n FROM tweets GROUP BY author`,
		fmt.Sprintf(`CREATE SINK author_counts_sink FROM author_counts
  WITH (connector = 'kafka', topic = 'author_counts_out', properties.bootstrap.server = '%s',
        type = 'upsert', primary_key = 'author') FORMAT JSON`, brokers),
	} {
		if _, err := conn.Exec(ctx, ddl); err != nil {
			t.Fatalf("%s: %v", ddl, err)
		}
	}
	var sinks []string
	rows, err := conn.Query(ctx, "SHOW SINKS")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		sinks = append(sinks, s)
	}
	if strings.Join(sinks, ",") != "author_counts_sink,tweets_sink" {
		t.Fatalf("SHOW SINKS = %q", sinks)
	}

	// A kill after a half and after three quarters of the tweets, each
	// while a batch is being produced; the rest after the restarts.
	const batch = 300
	kills := []int{len(tweets) / 2, len(tweets) * 3 / 4}
	var killedAt []string
	for i := 0; i < len(tweets); i += batch {
		if len(kills) > 0 && i >= kills[0] {
			kills = kills[1:]
			srv.Kill()
			killedAt = append(killedAt, fmt.Sprintf("%d", i))
			produceTweets(t, prod, "tweets", tweets[i:i+batch], 0)
			srv = testserver.Start(t, srv.DataDir, flags...)
			continue
		}
		produceTweets(t, prod, "tweets", tweets[i:min(i+batch, len(tweets))], 0)
		time.Sleep(50 * time.Millisecond)
	}

	// Append-only: each tweet exactly once.
	recs := testkafka.ReadCommitted(t, addrs, "tweets_out", 90*time.Second, func(r []*kgo.Record) bool { return len(r) >= len(tweets) })
	seen := map[int64]int{}
	for _, r := range recs {
		var v struct {
			ID     int64  `json:"id"`
			Author string `json:"author"`
			TS     string `json:"ts"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("append-only record %q: %v", r.Value, err)
		}
		seen[v.ID]++
	}
	dups, missing := 0, 0
	for _, tw := range tweets {
		switch seen[tw.id] {
		case 0:
			missing++
		case 1:
		default:
			dups++
		}
	}
	if dups > 0 || missing > 0 || len(recs) != len(tweets) {
		t.Fatalf("append-only sink: %d records for %d tweets, %d duplicated, %d missing\nserver log:\n%s",
			len(recs), len(tweets), dups, missing, srv.Log())
	}

	// Upsert: per author, strictly increasing counts ending at the count.
	want := map[string]int64{}
	for _, tw := range tweets {
		want[tw.author]++
	}
	last := map[string]int64{}
	done := func(r []*kgo.Record) bool {
		clear(last)
		for _, rec := range r {
			var v struct {
				N int64 `json:"n"`
			}
			if rec.Value != nil && json.Unmarshal(rec.Value, &v) == nil {
				last[keyAuthor(t, rec.Key)] = v.N
			}
		}
		for a, n := range want {
			if last[a] != n {
				return false
			}
		}
		return true
	}
	urecs := testkafka.ReadCommitted(t, addrs, "author_counts_out", 60*time.Second, done)
	prev := map[string]int64{}
	for _, r := range urecs {
		a := keyAuthor(t, r.Key)
		if r.Value == nil {
			t.Fatalf("tombstone for author %q: counts never go away", a)
		}
		var v struct {
			Author string `json:"author"`
			N      int64  `json:"n"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("upsert record %q: %v", r.Value, err)
		}
		if v.Author != a {
			t.Fatalf("record keyed %q holds author %q", a, v.Author)
		}
		if v.N <= prev[a] {
			t.Fatalf("author %q: count %d after %d: a change was delivered twice or out of order", a, v.N, prev[a])
		}
		prev[a] = v.N
	}
	for a, n := range want {
		if prev[a] != n {
			t.Fatalf("author %q: last count %d, want %d\nserver log:\n%s", a, prev[a], n, srv.Log())
		}
	}
	t.Logf("killed after %s of %d tweets; append-only topic: %d records, each tweet once; upsert topic: %d changes of %d authors, strictly increasing, final counts exact",
		strings.Join(killedAt, " and "), len(tweets), len(recs), len(urecs), len(want))

	// DROP SINK stops it; the view it read stays.
	if _, err := conn.Exec(ctx, "DROP SINK tweets_sink"); err == nil {
		t.Fatal("the connection from before the kill still works")
	}
	conn = srv.Connect(t, ctx)
	// Each subtask of each sink delivered, and its writer is connected.
	rows, err = conn.Query(ctx, `SELECT sink_name, subtask, state, delivered_epoch FROM streamsql_sinks ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var deliveries []string
	for rows.Next() {
		var name, state string
		var subtask int
		var epoch int64
		if err := rows.Scan(&name, &subtask, &state, &epoch); err != nil {
			t.Fatal(err)
		}
		if state != "connected" || epoch <= 0 {
			t.Errorf("sink %s subtask %d: state %q, delivered epoch %d", name, subtask, state, epoch)
		}
		deliveries = append(deliveries, fmt.Sprintf("%s/%d", name, subtask))
	}
	if got := strings.Join(deliveries, " "); got != "author_counts_sink/0 author_counts_sink/1 tweets_sink/0 tweets_sink/1" {
		t.Fatalf("streamsql_sinks lists %s", got)
	}
	if _, err := conn.Exec(ctx, "DROP SINK tweets_sink"); err != nil {
		t.Fatalf("drop sink: %v", err)
	}
	if _, err := conn.Exec(ctx, "DROP MATERIALIZED VIEW author_counts"); err == nil {
		t.Fatal("dropping a view a sink reads must need CASCADE")
	}
	if _, err := conn.Exec(ctx, "DROP MATERIALIZED VIEW author_counts CASCADE"); err != nil {
		t.Fatalf("drop view cascade: %v", err)
	}
	if tag, err := conn.Exec(ctx, "SHOW SINKS"); err != nil || tag.RowsAffected() != 0 {
		t.Fatalf("SHOW SINKS after dropping both: %v rows, %v", tag.RowsAffected(), err)
	}
}

func keyAuthor(t *testing.T, key []byte) string {
	t.Helper()
	var k struct {
		Author string `json:"author"`
	}
	if err := json.Unmarshal(key, &k); err != nil {
		t.Fatalf("upsert key %q: %v", key, err)
	}
	return k.Author
}
