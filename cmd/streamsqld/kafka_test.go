package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
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

	srv := testserver.Start(t, "", "--parallelism", "2")
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
	t.Logf("Kafka hashtag view matches over %d tweets with %d malformed records skipped", len(tweets), malformed)
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
