package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestKafkaSmall runs the Kafka benchmark on a few tweets: the consume-only
// reference and the engine at parallelism 1 and 2 must succeed, the view's
// counts must equal the records', and the report must show them.
func TestKafkaSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs engines and a broker")
	}
	cfg, err := parseFlags([]string{"-only", "kafka", "-kafka-tweets", "20000"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := run(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	k := rep.kafka
	md := rep.markdown()
	if k == nil || k.failed() || rep.failed() {
		t.Fatalf("the Kafka benchmark failed:\n%s", md)
	}
	if len(k.Engine) != 2 || k.Consume == nil || k.Consume.Rows != 20000 {
		t.Fatalf("runs: %+v", k)
	}
	for _, x := range k.Engine {
		if x.Rows == 0 || x.Usage.CPU <= 0 {
			t.Errorf("implausible run: %+v", x)
		}
	}
	for _, want := range []string{
		"## Hashtag pipeline over Kafka", "| hashtag over Kafka | 1 |", "| hashtag over Kafka | 2 |",
		"| kafka-consume | 4 | 20000 |", "| streamsqld | 2 | 20000 |", "in the benchmark's process",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
