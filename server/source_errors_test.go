package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
)

// TestSourceErrors: two views read a Kafka topic (an in-process broker)
// holding 200 good and 8 malformed records, a third reads a table. Each
// job opens its own Kafka source, so streamsql_source_errors and the
// metric show 8 skipped records for each Kafka view and 0 for the table's;
// a dropped view's row goes with it.
func TestSourceErrors(t *testing.T) {
	kc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "events"))
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last in first out: the broker outlives the engine.
	t.Cleanup(kc.Close)
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	prod, err := sarama.NewSyncProducer(kc.ListenAddrs(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prod.Close() })
	var msgs []*sarama.ProducerMessage
	for i := 0; i < 200; i++ {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: "events", Key: sarama.StringEncoder(fmt.Sprint(i % 7)),
			Value: sarama.StringEncoder(fmt.Sprintf(`{"k": %d, "v": %d}`, i%7, i))})
		if i%25 == 0 {
			msgs = append(msgs, &sarama.ProducerMessage{Topic: "events", Key: sarama.StringEncoder(fmt.Sprint(i % 7)),
				Value: sarama.StringEncoder(`{"k": "not a number"`)})
		}
	}
	if err := prod.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}

	te := openTestEngine(t, t.TempDir(), nil)
	te.exec(fmt.Sprintf(`CREATE SOURCE events (k INT, v BIGINT) WITH (connector = 'kafka', topic = 'events',
		properties.bootstrap.server = '%s') FORMAT JSON`, strings.Join(kc.ListenAddrs(), ",")))
	te.exec(`CREATE TABLE t (x INT)`)
	te.exec(`INSERT INTO t VALUES (1), (2)`)
	te.exec(`CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n FROM events GROUP BY k`)
	te.exec(`CREATE MATERIALIZED VIEW total AS SELECT sum(v) AS s FROM events`)
	te.exec(`CREATE MATERIALIZED VIEW xs AS SELECT count(*) AS n FROM t`)

	want := "events per_k 8\nevents total 8\nt xs 0"
	var got string
	for deadline := time.Now().Add(20 * time.Second); ; {
		if got = te.query(`SELECT * FROM streamsql_source_errors`); got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("streamsql_source_errors:\n%s\nwant:\n%s", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := te.query(`SELECT records_skipped FROM streamsql_source_errors WHERE view_name = 'per_k'`); got != "8" {
		t.Fatalf("filtered: %q", got)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(newMetricsCollector(te.e))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var metrics []string
	for _, f := range families {
		if f.GetName() != "streamsqld_source_records_skipped_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			metrics = append(metrics, fmt.Sprintf("%s %s %g", labels["source"], labels["view"], m.GetCounter().GetValue()))
		}
	}
	if g := strings.Join(metrics, "\n"); g != want {
		t.Fatalf("metrics:\n%s\nwant:\n%s", g, want)
	}

	te.exec(`DROP MATERIALIZED VIEW total`)
	if got := te.query(`SELECT source_name, view_name, records_skipped FROM streamsql_source_errors`); got != "events per_k 8\nt xs 0" {
		t.Fatalf("after DROP: %q", got)
	}
}
