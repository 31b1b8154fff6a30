package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// The hashtag pipeline fed by Kafka: the datagen tweets as JSON records in
// a 4-partition topic of an in-process broker (kfake), produced with
// sarama before anything is timed; then, on a fresh engine per
// parallelism, CREATE SOURCE ... connector = 'kafka' and the README's
// view, timed from CREATE MATERIALIZED VIEW until a sum over the view
// shows every tweet counted. The broker runs in the benchmark's process,
// so its CPU time (serving fetches) is part of the figures; a run that only
// consumes the topic with sarama measures that share.

const (
	kafkaTopic      = "tweets"
	kafkaPartitions = 4
	// kafkaProduceBatch is how many records one SendMessages carries.
	kafkaProduceBatch = 10_000
	// kafkaPoll is how often the run checks whether the source has read
	// every record.
	kafkaPoll = 10 * time.Millisecond
)

// kafkaReport is what the Kafka benchmark measured.
type kafkaReport struct {
	Tweets  int64
	Bytes   int64
	Produce time.Duration // untimed: producing the topic
	Consume *throughputResult
	Engine  []throughputResult
	Check   []string // mismatches between the view and the expected counts
	// Err is a failure before any run could be measured.
	Err      error
	profiles []string
}

// failed reports whether any part of the benchmark failed (nil: it did
// not run).
func (k *kafkaReport) failed() bool {
	if k == nil {
		return false
	}
	if k.Err != nil || len(k.Check) > 0 || (k.Consume != nil && k.Consume.Err != nil) {
		return true
	}
	for _, x := range k.Engine {
		if x.Err != nil {
			return true
		}
	}
	return false
}

// runKafka runs the Kafka benchmark at each parallelism of cfg.
func runKafka(ctx context.Context, cfg config, log io.Writer,
	progress func(throughputResult)) *kafkaReport {
	rep := &kafkaReport{Tweets: cfg.kafkaTweets}
	var prof *profiler
	if cfg.cpuprofile != "" {
		if err := os.MkdirAll(cfg.cpuprofile, 0o755); err != nil {
			rep.Err = err
			return rep
		}
		prof = &profiler{dir: cfg.cpuprofile}
		defer func() { rep.profiles = prof.files }()
	}

	recs, size, err := generateTweets(ctx, cfg.kafkaTweets)
	if err != nil {
		rep.Err = fmt.Errorf("generating tweets: %w", err)
		return rep
	}
	rep.Bytes = size
	// What the view must hold at the end, with the engine's decoder.
	counts, err := baselineDecoder(recs)
	if err != nil {
		rep.Err = fmt.Errorf("counting the tweets: %w", err)
		return rep
	}
	want := summarize(counts)
	counts = nil

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(kafkaPartitions, kafkaTopic))
	if err != nil {
		rep.Err = fmt.Errorf("starting kfake: %w", err)
		return rep
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	start := time.Now()
	if err := produceRecords(brokers, recs); err != nil {
		rep.Err = err
		return rep
	}
	rep.Produce = time.Since(start)
	fmt.Fprintf(log, "kafka: produced %d tweets (%s) into %d partitions in %.2f s\n",
		len(recs), humanBytes(size), kafkaPartitions, rep.Produce.Seconds())
	// The records now live in the broker only.
	recs = nil

	c := runKafkaConsume(ctx, cfg, prof, brokers)
	progress(c)
	rep.Consume = &c
	for _, p := range cfg.parallelism {
		if ctx.Err() != nil {
			rep.Err = ctx.Err()
			return rep
		}
		r, got := runKafkaEngine(ctx, cfg, prof, brokers, p)
		if r.Err == nil && got != want {
			rep.Check = append(rep.Check, fmt.Sprintf("parallelism %d: the view counted %d tags in %d (window, tag) groups, want %d in %d",
				p, got.Total, got.Groups, want.Total, want.Groups))
		}
		progress(r)
		rep.Engine = append(rep.Engine, r)
	}
	return rep
}

// kafkaSaramaConfig is the client configuration the Kafka connector uses
// for reading (exec/connector/kafka), for the producer and the reference
// consumer.
func kafkaSaramaConfig() *sarama.Config {
	sc := sarama.NewConfig()
	sc.ClientID = "streamsqld-bench"
	sc.Version = sarama.V2_8_0_0
	sc.Consumer.Return.Errors = true
	sc.Consumer.MaxWaitTime = 500 * time.Millisecond
	sc.ChannelBufferSize = 1024
	sc.Consumer.MaxProcessingTime = time.Second
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	// Round robin: every partition gets a quarter of the tweets, in
	// event-time order.
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	// Larger produce requests than flushing every message; the frequency
	// sends what remains of a SendMessages below the threshold.
	sc.Producer.Flush.Messages = 1000
	sc.Producer.Flush.Frequency = 5 * time.Millisecond
	return sc
}

// produceRecords writes recs to the topic, record i into partition
// i mod kafkaPartitions.
func produceRecords(brokers []string, recs [][]byte) error {
	prod, err := sarama.NewSyncProducer(brokers, kafkaSaramaConfig())
	if err != nil {
		return fmt.Errorf("kafka producer: %w", err)
	}
	defer prod.Close()
	msgs := make([]*sarama.ProducerMessage, 0, kafkaProduceBatch)
	for i := 0; i < len(recs); i += kafkaProduceBatch {
		msgs = msgs[:0]
		for j := i; j < min(i+kafkaProduceBatch, len(recs)); j++ {
			msgs = append(msgs, &sarama.ProducerMessage{
				Topic: kafkaTopic, Partition: int32(j % kafkaPartitions), Value: sarama.ByteEncoder(recs[j]),
			})
		}
		if err := prod.SendMessages(msgs); err != nil {
			return fmt.Errorf("producing tweets %d..%d: %w", i, i+len(msgs), err)
		}
	}
	return nil
}

// runKafkaConsume measures reading the whole topic with sarama alone, one
// goroutine per partition, touching each record's value: the CPU cost of
// the broker and the client, which the engine's runs include.
func runKafkaConsume(ctx context.Context, cfg config, prof *profiler, brokers []string) throughputResult {
	res := throughputResult{Name: "kafka-consume", Desc: "sarama consumer alone", Parallelism: kafkaPartitions, Events: cfg.kafkaTweets}
	ctx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	client, err := sarama.NewClient(brokers, kafkaSaramaConfig())
	if err != nil {
		res.Err = err
		return res
	}
	defer client.Close()
	ends := make([]int64, kafkaPartitions)
	for p := range ends {
		if ends[p], err = client.GetOffset(kafkaTopic, int32(p), sarama.OffsetNewest); err != nil {
			res.Err = err
			return res
		}
	}
	var total, bytes int64
	res.Usage, err = measure(ctx, prof, "kafka-consume", func(ctx context.Context) error {
		consumer, err := sarama.NewConsumerFromClient(client)
		if err != nil {
			return err
		}
		defer consumer.Close()
		var mu sync.Mutex
		errs := make([]error, kafkaPartitions)
		var wg sync.WaitGroup
		for p := range ends {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				pc, err := consumer.ConsumePartition(kafkaTopic, int32(p), sarama.OffsetOldest)
				if err != nil {
					errs[p] = err
					return
				}
				defer pc.Close()
				var n, b int64
				for next := int64(0); next < ends[p]; {
					select {
					case m := <-pc.Messages():
						n++
						b += int64(len(m.Value))
						next = m.Offset + 1
					case e := <-pc.Errors():
						errs[p] = e
						return
					case <-ctx.Done():
						errs[p] = ctx.Err()
						return
					}
				}
				mu.Lock()
				total += n
				bytes += b
				mu.Unlock()
			}(p)
		}
		wg.Wait()
		return errors.Join(errs...)
	})
	if err == nil && total != cfg.kafkaTweets {
		err = fmt.Errorf("consumed %d records, want %d", total, cfg.kafkaTweets)
	}
	res.Rows = total
	res.Err = err
	return res
}

// runKafkaEngine measures the hashtag view over the topic at parallelism p:
// from CREATE MATERIALIZED VIEW until the view shows every tweet. The
// view's reads show the last checkpoint, so once the source has read every
// record the run takes a checkpoint rather than wait up to a second for
// the next one.
func runKafkaEngine(ctx context.Context, cfg config, prof *profiler, brokers []string, p int) (throughputResult, hashtagCounts) {
	res := throughputResult{Name: "kafka-hashtag", Desc: "hashtag pipeline over Kafka", Parallelism: p, Events: cfg.kafkaTweets}
	var got hashtagCounts
	ctx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	be, err := openEngine(ctx, "", p, time.Second)
	if err != nil {
		res.Err = err
		return res, got
	}
	defer be.destroy()
	if _, err := be.exec(ctx, fmt.Sprintf("CREATE SOURCE tweets (%s, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) "+
		"WITH (connector = 'kafka', topic = '%s', properties.bootstrap.server = '%s', scan.startup.mode = 'earliest') FORMAT JSON",
		tweetColumns, kafkaTopic, strings.Join(brokers, ","))); err != nil {
		res.Err = err
		return res, got
	}
	const readQ = "SELECT CAST(sum(rows_in) AS BIGINT) FROM streamsql_operators " +
		"WHERE view_name = 'hashtag_counts' AND operator = 'Source'"
	const viewQ = "SELECT count(*), CAST(sum(cnt) AS BIGINT) FROM hashtag_counts"
	res.Usage, err = measure(ctx, prof, fmt.Sprintf("kafka-hashtag-p%d", p), func(ctx context.Context) error {
		if _, err := be.exec(ctx, hashtagView); err != nil {
			return err
		}
		for {
			v, err := be.int64s(ctx, readQ)
			if err != nil {
				return err
			}
			if v[0] >= cfg.kafkaTweets {
				// The checkpoint's barrier follows every record through
				// the view; the caller checks the counts.
				if err := be.eng.Checkpoint(ctx); err != nil {
					return fmt.Errorf("checkpoint: %w", err)
				}
				c, err := be.int64s(ctx, viewQ)
				if err != nil {
					return err
				}
				got = hashtagCounts{Groups: c[0], Total: c[1]}
				return nil
			}
			if err := be.jobError(ctx, "hashtag_counts"); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("the source read %d of %d records: %w", v[0], cfg.kafkaTweets, ctx.Err())
			case <-time.After(kafkaPoll):
			}
		}
	})
	if err == nil {
		err = be.jobError(ctx, "hashtag_counts")
	}
	res.Rows = got.Groups
	res.Err = err
	return res, got
}
