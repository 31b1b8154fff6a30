// Package testkafka reads Kafka topics in tests the way an outside
// consumer would: with franz-go's client, independent of the sarama the
// server uses, at isolation level read_committed.
package testkafka

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ReadCommitted reads topic from the start with franz-go's client (an
// implementation independent of the server's sarama) at isolation level
// read_committed, until done says it has everything or the deadline.
func ReadCommitted(t *testing.T, addrs []string, topic string, deadline time.Duration, done func([]*kgo.Record) bool) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	end := time.Now().Add(deadline)
	settled := 0
	for time.Now().Before(end) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		n := 0
		fs.EachRecord(func(r *kgo.Record) { recs = append(recs, r); n++ })
		if n == 0 && done(recs) {
			// Nothing more for two polls after it looked complete: a
			// duplicate delivered late would still show.
			if settled++; settled == 2 {
				break
			}
		} else {
			settled = 0
		}
	}
	return recs
}
