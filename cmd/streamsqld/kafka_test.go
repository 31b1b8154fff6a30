package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kfake"

	"streamsqld/internal/testserver"
)

// startKafka runs a real Kafka-protocol broker in the test process with a
// 4-partition topic.
func startKafka(t *testing.T, topic string) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func newProducer(t *testing.T, addrs []string) sarama.SyncProducer {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	p, err := sarama.NewSyncProducer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// produceTweets sends tweets as JSON, keyed by author so partitions get
// different shares; every malformedEvery-th record (0: none) is garbage.
func produceTweets(t *testing.T, p sarama.SyncProducer, topic string, tweets []tweet, malformedEvery int) (malformed int) {
	t.Helper()
	var msgs []*sarama.ProducerMessage
	for i, tw := range tweets {
		if malformedEvery > 0 && i%malformedEvery == malformedEvery-1 {
			bad := []string{`{"id": 1, "ts": "not a time"}`, `not json at all`, `{"id": "x1"`, `{"id": 5, "ts": {"nested": true}}`}[malformed%4]
			msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(tw.author), Value: sarama.StringEncoder(bad)})
			malformed++
		}
		b, _ := json.Marshal(map[string]any{
			"id": tw.id, "ts": tw.ts.Format("2006-01-02 15:04:05.000"), "author": tw.author, "text": tw.text,
		})
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(tw.author), Value: sarama.ByteEncoder(b)})
	}
	for i := 0; i < len(msgs); i += 500 {
		if err := p.SendMessages(msgs[i:min(i+500, len(msgs))]); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
	return malformed
}

func waitForCounts(ctx context.Context, t *testing.T, srv *testserver.Server, want map[string]int64) {
	t.Helper()
	conn := srv.Connect(t, ctx)
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := readCounts(ctx, t, conn)
		d := diffCounts(want, got)
		if d == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("view never matched the independent count: %s\nserver log:\n%s", d, srv.Log())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func kafkaSourceDDL(brokers []string) string {
	return fmt.Sprintf(`CREATE SOURCE tweets (id BIGINT, ts TIMESTAMP, author VARCHAR, text VARCHAR,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (connector = 'kafka', topic = 'tweets', properties.bootstrap.server = '%s',
        scan.startup.mode = 'earliest') FORMAT JSON`, strings.Join(brokers, ","))
}

// TestKafkaHashtagView: tweets produced with sarama into a 4-partition
// topic of an in-process broker, the hashtag view over a Kafka source at
// parallelism 2 in the real binary; the view equals an independent count,
// and 1% malformed records are skipped without stopping the source.
func TestKafkaHashtagView(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	kc := startKafka(t, "tweets")
	prod := newProducer(t, kc.ListenAddrs())
	tweets := makeTweets(3000, 7)
	malformed := produceTweets(t, prod, "tweets", tweets[:1500], 100)

	srv := testserver.Start(t, "", "--parallelism", "2", "--http", "127.0.0.1:0")
	conn := srv.Connect(t, ctx)
	if _, err := conn.Exec(ctx, kafkaSourceDDL(kc.ListenAddrs())); err != nil {
		t.Fatalf("create source: %v", err)
	}
	if _, err := conn.Exec(ctx, hashtagView); err != nil {
		t.Fatalf("create view: %v", err)
	}
	// More events while the view runs.
	malformed += produceTweets(t, prod, "tweets", tweets[1500:], 100)
	waitForCounts(ctx, t, srv, expectedCounts(tweets))

	// Every record was read once (the counts match), so the source skipped
	// exactly the malformed ones; the system relation and /metrics say so.
	if malformed != 30 {
		t.Fatalf("produced %d malformed records, want 30", malformed)
	}
	rows, err := conn.Query(ctx, `SELECT * FROM streamsql_source_errors`)
	if err != nil {
		t.Fatalf("select streamsql_source_errors: %v", err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var src, view string
		var n int64
		err := r.Scan(&src, &view, &n)
		return fmt.Sprintf("%s %s %d", src, view, n), err
	})
	if err != nil {
		t.Fatalf("read streamsql_source_errors: %v", err)
	}
	if want := fmt.Sprintf("tweets hashtag_counts %d", malformed); len(got) != 1 || got[0] != want {
		t.Fatalf("streamsql_source_errors = %q, want [%q]", got, want)
	}
	resp, err := http.Get("http://" + srv.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatalf("scrape /metrics: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	metric := fmt.Sprintf(`streamsqld_source_records_skipped_total{source="tweets",view="hashtag_counts"} %d`, malformed)
	if !strings.Contains(string(body), metric+"\n") {
		t.Fatalf("/metrics lacks %s", metric)
	}
	t.Logf("Kafka hashtag view matches over %d tweets; %d of %d records skipped as malformed, shown in streamsql_source_errors and /metrics",
		len(tweets), malformed, len(tweets)+malformed)
}

// TestKafkaUnreachableBroker: CREATE SOURCE against a broker that is not
// there fails with a clear error instead of hanging.
func TestKafkaUnreachableBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := testserver.Start(t, "", "--parallelism", "1")
	conn := srv.Connect(t, ctx)
	start := time.Now()
	_, err := conn.Exec(ctx, kafkaSourceDDL([]string{"127.0.0.1:1"}))
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("want an error naming the broker, got %v", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("error took %v", d)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("session unusable: %v", err)
	}
}

// Crash test of the Kafka pipeline: tweets are produced at a steady pace
// into the in-process broker (which lives in the test process, so it
// survives the server) while the server running the hashtag view at
// parallelism 2 is killed with SIGKILL twice, each time after a checkpoint
// that recorded Kafka offsets completed, and restarted on the same data
// dir. The last batches are only produced once both kills happened, so
// every kill is mid-stream. At the end the view must equal the independent
// count exactly: a record lost or read twice across a restart shows.
const (
	kafkaCrashTweets  = 24000
	kafkaCrashBatch   = 400
	kafkaCrashEvery   = 100 * time.Millisecond
	kafkaCrashHeld    = 10 // batches produced only after the last kill
	kafkaCrashKills   = 2
	kafkaCrashRowsMin = 2000 // rows the source read before a kill is armed
)

var kafkaCrashFlags = []string{"--parallelism", "2", "--checkpoint-interval", "200ms"}

// awaitCheckpointAfterRows waits until the running server's source has
// read at least rows rows and a checkpoint that began after that completed,
// so that the data dir holds Kafka offsets past the start. It returns what
// the source had read and the checkpoint's id.
func awaitCheckpointAfterRows(ctx context.Context, t *testing.T, srv *testserver.Server, rows int64) (int64, int64) {
	t.Helper()
	conn := srv.Connect(t, ctx)
	defer conn.Close(context.Background())
	const readQ = `SELECT sum(rows_in)::bigint FROM streamsql_operators WHERE view_name = 'hashtag_counts' AND operator = 'Source'`
	const lastQ = `SELECT max(id)::bigint FROM streamsql_checkpoints WHERE status = 'completed'`
	const anyQ = `SELECT max(id)::bigint FROM streamsql_checkpoints`
	var read, after int64
	for {
		n, err := queryInt(ctx, conn, readQ)
		if err != nil {
			t.Fatalf("%s: %v", readQ, err)
		}
		if n >= rows {
			read = n
			// Checkpoints up to the newest one started so far may have
			// begun before these rows were read.
			if after, err = queryInt(ctx, conn, anyQ); err != nil {
				t.Fatalf("%s: %v", anyQ, err)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("source read %d rows, want %d: %v\n%s", n, rows, ctx.Err(), srv.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		id, err := queryInt(ctx, conn, lastQ)
		if err != nil {
			t.Fatalf("%s: %v", lastQ, err)
		}
		if id > after {
			return read, id
		}
		if ctx.Err() != nil {
			t.Fatalf("no checkpoint completed after %d: %v\n%s", after, ctx.Err(), srv.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestKafkaCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills servers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("kill schedule seed %d", seed)

	kc := startKafka(t, "tweets")
	prod := newProducer(t, kc.ListenAddrs())
	tweets := makeTweets(kafkaCrashTweets, 11)

	dir := t.TempDir()
	srv := testserver.Start(t, dir, kafkaCrashFlags...)
	conn := srv.Connect(t, ctx)
	if _, err := conn.Exec(ctx, kafkaSourceDDL(kc.ListenAddrs())); err != nil {
		t.Fatalf("create source: %v", err)
	}
	if _, err := conn.Exec(ctx, hashtagView); err != nil {
		t.Fatalf("create view: %v", err)
	}
	_ = conn.Close(ctx)

	// The producer sends a batch every kafkaCrashEvery and holds back its
	// last kafkaCrashHeld batches until the kills are done.
	start := time.Now()
	killsDone := make(chan struct{})
	var produced atomic.Int64
	prodErr := make(chan error, 1)
	go func() {
		batches := (len(tweets) + kafkaCrashBatch - 1) / kafkaCrashBatch
		tick := time.NewTicker(kafkaCrashEvery)
		defer tick.Stop()
		for b := 0; b < batches; b++ {
			if b == batches-kafkaCrashHeld {
				select {
				case <-killsDone:
				case <-ctx.Done():
					prodErr <- ctx.Err()
					return
				}
			}
			lo, hi := b*kafkaCrashBatch, min((b+1)*kafkaCrashBatch, len(tweets))
			msgs := make([]*sarama.ProducerMessage, 0, hi-lo)
			for _, tw := range tweets[lo:hi] {
				v, _ := json.Marshal(map[string]any{
					"id": tw.id, "ts": tw.ts.Format("2006-01-02 15:04:05.000"), "author": tw.author, "text": tw.text,
				})
				msgs = append(msgs, &sarama.ProducerMessage{Topic: "tweets", Key: sarama.StringEncoder(tw.author), Value: sarama.ByteEncoder(v)})
			}
			if err := prod.SendMessages(msgs); err != nil {
				prodErr <- fmt.Errorf("produce batch %d: %w", b, err)
				return
			}
			produced.Store(int64(hi))
			select {
			case <-tick.C:
			case <-ctx.Done():
				prodErr <- ctx.Err()
				return
			}
		}
		prodErr <- nil
	}()

	for k := 1; k <= kafkaCrashKills; k++ {
		read, ckpt := awaitCheckpointAfterRows(ctx, t, srv, kafkaCrashRowsMin)
		time.Sleep(time.Duration(rng.Int63n(int64(400 * time.Millisecond))))
		p := produced.Load()
		srv.Kill()
		t.Logf("kill %d at %s: %d of %d tweets produced, the source had read %d rows in this process by checkpoint %d",
			k, time.Since(start).Round(time.Millisecond), p, len(tweets), read, ckpt)
		if p >= int64(len(tweets)) {
			t.Fatalf("kill %d happened after the last tweet was produced", k)
		}
		srv = testserver.Start(t, dir, kafkaCrashFlags...)
		if !strings.Contains(srv.Log(), "restored from checkpoint") {
			t.Fatalf("restart %d did not restore a checkpoint:\n%s", k, srv.Log())
		}
	}
	close(killsDone)
	if err := <-prodErr; err != nil {
		t.Fatal(err)
	}
	t.Logf("all %d tweets produced at %s", len(tweets), time.Since(start).Round(time.Millisecond))

	want := expectedCounts(tweets)
	waitForCounts(ctx, t, srv, want)
	matched := time.Since(start)
	// Counts only grow: a record read twice would still show later. Two
	// more checkpoints and the view must still be exact.
	conn = srv.Connect(t, ctx)
	const lastQ = `SELECT max(id)::bigint FROM streamsql_checkpoints WHERE status = 'completed'`
	from, err := queryInt(ctx, conn, lastQ)
	if err != nil {
		t.Fatal(err)
	}
	for {
		id, err := queryInt(ctx, conn, lastQ)
		if err != nil {
			t.Fatal(err)
		}
		if id >= from+2 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal(ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := diffCounts(want, readCounts(ctx, t, conn)); d != "" {
		t.Fatalf("view changed after matching: %s", d)
	}
	// Each kill came after a checkpoint that covered at least
	// kafkaCrashRowsMin more records than the one before, so the last
	// process resumed past 2*kafkaCrashRowsMin records: had it read the
	// topic from the start, the view would be exact without any offsets.
	lastRead, err := queryInt(ctx, conn, `SELECT sum(rows_in)::bigint FROM streamsql_operators WHERE view_name = 'hashtag_counts' AND operator = 'Source'`)
	if err != nil {
		t.Fatal(err)
	}
	if limit := int64(len(tweets) - kafkaCrashKills*kafkaCrashRowsMin); lastRead > limit {
		t.Fatalf("the last server read %d records, want at most %d: it did not resume from the checkpointed offsets", lastRead, limit)
	}
	t.Logf("the last server read %d of %d records after resuming", lastRead, len(tweets))
	var total int64
	for _, n := range want {
		total += n
	}
	t.Logf("view equals the independent count (%d groups, %d hashtags over %d tweets) at %s after %d kills",
		len(want), total, len(tweets), matched.Round(time.Millisecond), kafkaCrashKills)
}
