package kafka

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/internal/testkafka"
	"streamsqld/sql/pgerror"
)

func sinkRel(addrs []string, topic string) *catalog.Relation {
	return &catalog.Relation{Kind: catalog.Sink, Name: "out", Connector: Name, Format: "JSON", Options: map[string]string{
		"topic": topic, "properties.bootstrap.server": strings.Join(addrs, ","), OptSinkID: "t1",
	}}
}

// openSinkWriter opens the sink of sinkRel and the writer of its subtask 0
// of n; both close with the test.
func openSinkWriter(t *testing.T, addrs []string, n int) (connector.Sink, connector.SinkWriter) {
	t.Helper()
	ctx := context.Background()
	s, err := NewSink(ctx, sinkRel(addrs, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	w, err := s.Writer(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return s, w
}

func TestSinkTransactions(t *testing.T) {
	c := newCluster(t)
	addrs := c.ListenAddrs()
	ctx := context.Background()
	s, w := openSinkWriter(t, addrs, 2)
	if n, err := w.Delivered(ctx); err != nil || n != 0 {
		t.Fatalf("Delivered on a new sink = %d, %v; want 0", n, err)
	}
	msg := func(k, v string) connector.SinkMessage {
		m := connector.SinkMessage{Key: []byte(k)}
		if v != "" {
			m.Value = []byte(v)
		}
		return m
	}
	if err := w.Deliver(ctx, 3, []connector.SinkMessage{msg("a", `{"n":1}`), msg("b", `{"n":2}`)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Deliver(ctx, 5, []connector.SinkMessage{msg("a", "")}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Delivered(ctx); err != nil || n != 5 {
		t.Fatalf("Delivered = %d, %v; want 5", n, err)
	}

	// A transaction left open (a crash mid-delivery) is aborted when the
	// subtask's writer comes back: its records are never visible.
	sw := w.(*sinkWriter)
	if err := sw.producer.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	if err := sw.producer.SendMessages([]*sarama.ProducerMessage{{Topic: topic, Key: sarama.StringEncoder("x"), Value: sarama.StringEncoder("lost")}}); err != nil {
		t.Fatal(err)
	}
	w2, err := s.Writer(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w2.Delivered(ctx); err != nil || n != 5 {
		t.Fatalf("Delivered after restart = %d, %v; want 5", n, err)
	}
	if err := w2.Deliver(ctx, 9, []connector.SinkMessage{msg("c", `{"n":3}`)}); err != nil {
		t.Fatal(err)
	}
	// Another subtask has its own record of delivered epochs.
	w3, err := s.Writer(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w3.Delivered(ctx); err != nil || n != 0 {
		t.Fatalf("Delivered of subtask 1 = %d, %v; want 0", n, err)
	}

	recs := testkafka.ReadCommitted(t, addrs, topic, 10*time.Second, func(r []*kgo.Record) bool { return len(r) >= 4 })
	var got []string
	for _, r := range recs {
		v := string(r.Value)
		if r.Value == nil {
			v = "<tombstone>"
		}
		got = append(got, string(r.Key)+"="+v)
	}
	want := map[string]bool{`a={"n":1}`: true, `b={"n":2}`: true, "a=<tombstone>": true, `c={"n":3}`: true}
	if len(got) != len(want) {
		t.Fatalf("read_committed consumer saw %q, want the 4 records of %v", got, want)
	}
	for _, g := range got {
		if !want[g] {
			t.Fatalf("read_committed consumer saw %q, want the 4 records of %v", got, want)
		}
	}
	_ = w2.Close()
	_ = w3.Close()
}

func TestSinkFactoryErrors(t *testing.T) {
	c := newCluster(t)
	ctx := context.Background()
	if _, err := NewSink(ctx, sinkRel(c.ListenAddrs(), "missing")); pgerror.Code(err) != pgerror.UndefinedObject {
		t.Fatalf("missing topic: %v", err)
	}
	rel := sinkRel(c.ListenAddrs(), topic)
	delete(rel.Options, "topic")
	if _, err := NewSink(ctx, rel); pgerror.Code(err) != pgerror.InvalidParameterValue {
		t.Fatalf("no topic option: %v", err)
	}
}

// A broker that goes away fails Deliver without a partial epoch; once it
// is back, the writer reopens its producer and delivers the epoch, and
// nothing of the failed attempts is visible to read_committed consumers.
func TestSinkBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	opts := []kfake.Opt{kfake.Ports(port), kfake.DataDir(dir), kfake.SyncWrites()}
	c := newCluster(t, opts...)
	addrs := c.ListenAddrs()
	ctx := context.Background()
	_, w := openSinkWriter(t, addrs, 1)
	msgs := func(from, to int) []connector.SinkMessage {
		var out []connector.SinkMessage
		for i := from; i < to; i++ {
			out = append(out, connector.SinkMessage{Key: []byte(fmt.Sprint(i)), Value: []byte(fmt.Sprintf(`{"i":%d}`, i))})
		}
		return out
	}
	if err := w.Deliver(ctx, 1, msgs(0, 100)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	start := time.Now()
	if err := w.Deliver(ctx, 2, msgs(100, 200)); err == nil {
		t.Fatal("Deliver succeeded with the broker down")
	}
	if el := time.Since(start); el > 30*time.Second {
		t.Fatalf("a failed Deliver took %v", el)
	}
	c2 := newCluster(t, opts...)
	var derr error
	for range 50 {
		if derr = w.Deliver(ctx, 2, msgs(100, 200)); derr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if derr != nil {
		t.Fatalf("Deliver after the broker came back: %v", derr)
	}
	if n, err := w.Delivered(ctx); err != nil || n != 2 {
		t.Fatalf("Delivered = %d, %v; want 2", n, err)
	}
	recs := testkafka.ReadCommitted(t, c2.ListenAddrs(), topic, 10*time.Second, func(r []*kgo.Record) bool { return len(r) >= 200 })
	seen := map[string]int{}
	for _, r := range recs {
		seen[string(r.Key)]++
	}
	for i := 0; i < 200; i++ {
		if seen[fmt.Sprint(i)] != 1 {
			t.Fatalf("record %d seen %d times (%d records in all)", i, seen[fmt.Sprint(i)], len(recs))
		}
	}
}
