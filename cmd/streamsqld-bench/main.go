// Command streamsqld-bench runs streamsqld's benchmark suite in-process and
// writes the results as Markdown (BENCHMARKS.md through `make bench`):
//
//   - Nexmark q0, q1, q2 and q5's HOP aggregation as materialized views
//     over a bounded nexmark source, and the join queries q3, q4, q7 and
//     q8 over bounded person, auction and bid sources, at each
//     parallelism: wall and CPU time, events per second per core, peak
//     heap and RSS;
//   - q5's latency from event time to visibility in the view at a fixed
//     rate in real time;
//   - the hashtag pipeline over JSON tweets against hand-written Go
//     programs doing the same work on the same bytes;
//   - the cost of checkpointing, and recovery time of a 1M-key view;
//   - the hashtag pipeline reading the tweets from Kafka (an in-process
//     kfake broker) at each parallelism, next to sarama consuming alone.
//
// The machine it runs on may be shared, so throughput is reported per CPU
// second (which other tenants disturb much less than wall time) and as
// ratios to baselines measured in the same run.
//
// Usage:
//
//	go run ./cmd/streamsqld-bench [-events N] [-keyless-events N] [-q5-events N] [-join-events N]
//	    [-tweets N] [-kafka-tweets N] [-parallelism 1,2] [-only q0,q5,q7,latency,hashtag,recovery,kafka]
//	    [-cpuprofile DIR] [-out BENCHMARKS.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	out             string
	events          int64 // q2
	keylessEvents   int64 // q0, q1: their views keep every bid
	q5Events        int64
	joinEvents      int64 // q3, q4, q7, q8
	tweets          int64
	kafkaTweets     int64
	recoveryKeys    int64
	parallelism     []int
	latencyRate     int64
	latencyDuration time.Duration
	latencyWarmup   time.Duration
	latencyPoll     time.Duration
	cpuprofile      string
	only            map[string]bool // empty: everything
	runTimeout      time.Duration
	maxHeap         uint64 // bytes; 0: no limit
	args            []string
}

// want reports whether the benchmark named name (q0, q1, q2, q3, q4, q5,
// q7, q8, latency, hashtag, recovery, kafka) was selected.
func (c config) want(name string) bool { return len(c.only) == 0 || c.only[name] }

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("streamsqld-bench", flag.ContinueOnError)
	fs.StringVar(&cfg.out, "out", "", "write the Markdown report to this file (default: standard output)")
	fs.Int64Var(&cfg.events, "events", 10_000_000, "Nexmark events (nexmark.event.num) for q2 and the generator baseline")
	fs.Int64Var(&cfg.keylessEvents, "keyless-events", 2_000_000,
		"Nexmark events for q0_view and q1_view, which keep a row per bid (0: -events)")
	fs.Int64Var(&cfg.q5Events, "q5-events", 10_000_000, "Nexmark events for the q5 throughput runs (0: -events)")
	fs.Int64Var(&cfg.joinEvents, "join-events", 10_000_000, "Nexmark events for the join queries q3, q4, q7 and q8 (0: -events)")
	maxHeap := fs.Float64("max-heap", defaultMaxHeapGiB(), "abort a run whose heap in use exceeds this many GiB (0: never)")
	fs.Int64Var(&cfg.tweets, "tweets", 2_000_000, "JSON tweets for the hashtag pipeline")
	fs.Int64Var(&cfg.kafkaTweets, "kafka-tweets", 1_000_000, "JSON tweets produced into Kafka for the hashtag pipeline over Kafka")
	fs.Int64Var(&cfg.recoveryKeys, "recovery-keys", 1_000_000, "keys of the view whose recovery is timed")
	par := fs.String("parallelism", "1,2", "comma-separated parallelisms of the throughput runs")
	fs.Int64Var(&cfg.latencyRate, "latency-rate", 10_000, "events per second of the q5 latency runs")
	fs.DurationVar(&cfg.latencyDuration, "latency-duration", 15*time.Second, "measured time of each q5 latency run")
	fs.DurationVar(&cfg.latencyPoll, "latency-poll", 50*time.Millisecond, "interval of the SELECTs of the q5 read latency runs")
	fs.DurationVar(&cfg.latencyWarmup, "latency-warmup", 5*time.Second, "time before the q5 latency measurement starts")
	fs.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of each measured run into this directory")
	only := fs.String("only", "", "comma-separated subset of q0,q1,q2,q3,q4,q5,q7,q8,latency,hashtag,recovery,kafka")
	fs.DurationVar(&cfg.runTimeout, "run-timeout", 10*time.Minute, "give up on a single run after this long")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, s := range strings.Split(*par, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("-parallelism: bad value %q", s)
		}
		cfg.parallelism = append(cfg.parallelism, n)
	}
	if *only != "" {
		cfg.only = map[string]bool{}
		known := map[string]bool{"latency": true, "hashtag": true, "recovery": true, "kafka": true}
		for _, q := range nexmarkQueries {
			known[q.Name] = true
		}
		for _, s := range strings.Split(*only, ",") {
			s = strings.TrimSpace(s)
			if !known[s] {
				return cfg, fmt.Errorf("-only: unknown benchmark %q", s)
			}
			cfg.only[s] = true
		}
	}
	if cfg.keylessEvents == 0 {
		cfg.keylessEvents = cfg.events
	}
	if cfg.q5Events == 0 {
		cfg.q5Events = cfg.events
	}
	if cfg.joinEvents == 0 {
		cfg.joinEvents = cfg.events
	}
	if *maxHeap < 0 {
		return cfg, fmt.Errorf("-max-heap must not be negative")
	}
	cfg.maxHeap = uint64(*maxHeap * (1 << 30))
	if cfg.events < 1 || cfg.keylessEvents < 1 || cfg.q5Events < 1 || cfg.joinEvents < 1 || cfg.tweets < 1 || cfg.kafkaTweets < 1 || cfg.latencyRate < 1 || cfg.latencyPoll <= 0 || cfg.recoveryKeys < 1 {
		return cfg, fmt.Errorf("-events, -keyless-events, -q5-events, -join-events, -tweets, -kafka-tweets, -latency-rate, -latency-poll and -recovery-keys must be positive")
	}
	cfg.args = args
	return cfg, nil
}

// defaultMaxHeapGiB is half the machine's memory: the suite shares the
// machine, and a view that outgrows it must fail alone, not swap or be
// killed with the whole report.
func defaultMaxHeapGiB() float64 {
	if m := memTotal(); m > 0 {
		return float64(m/2>>20) / 1024
	}
	return 0
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "streamsqld-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "streamsqld-bench:", err)
		os.Exit(1)
	}
	md := rep.markdown()
	if cfg.out == "" {
		fmt.Print(md)
	} else if err := os.WriteFile(cfg.out, []byte(md), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "streamsqld-bench:", err)
		os.Exit(1)
	} else {
		fmt.Fprintln(os.Stderr, "wrote", cfg.out)
	}
	if rep.failed() {
		fmt.Fprintln(os.Stderr, "streamsqld-bench: some runs failed; see the report")
		os.Exit(1)
	}
}
