package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// report is everything one run of the suite measured.
type report struct {
	cfg     config
	machine machineInfo
	started time.Time
	elapsed time.Duration

	generator *throughputResult
	nexmark   []throughputResult
	latency   []latencyResult

	tweetBytes     int64
	hashtagStd     *throughputResult
	hashtagDecoder *throughputResult
	hashtagEngine  []throughputResult
	hashtagCheck   []string // mismatches between engine and baseline results
	checkpoint     *checkpointResult
	recovery       *recoveryResult
	kafka          *kafkaReport // nil: not run

	profiles []string
}

// run executes the selected benchmarks in order, printing progress to log.
func run(ctx context.Context, cfg config, log io.Writer) (*report, error) {
	rep := &report{cfg: cfg, machine: readMachine(), started: time.Now()}
	heapLimit = cfg.maxHeap
	var prof *profiler
	if cfg.cpuprofile != "" {
		if err := os.MkdirAll(cfg.cpuprofile, 0o755); err != nil {
			return nil, err
		}
		prof = &profiler{dir: cfg.cpuprofile}
	}
	progress := func(r throughputResult) {
		if r.Err != nil {
			fmt.Fprintf(log, "%-18s p%d: FAILED: %v\n", r.Name, r.Parallelism, r.Err)
			return
		}
		u := r.Usage
		fmt.Fprintf(log, "%-18s p%d: %d events in %.2f s wall, %.2f s CPU (%.2f cores, others %.2f): %s/s, %s/s per core, peak heap %d MiB\n",
			r.Name, r.Parallelism, r.Events, u.Wall.Seconds(), u.CPU.Seconds(), u.Cores(), u.OtherCores(),
			human(u.PerSec(r.Events)), human(u.PerCore(r.Events)), u.PeakHeap>>20)
	}

	nexmarkWanted := false
	for _, q := range nexmarkQueries {
		nexmarkWanted = nexmarkWanted || cfg.want(q.group())
	}
	if nexmarkWanted {
		g := runGenerator(ctx, prof, cfg.events)
		progress(g)
		rep.generator = &g
	}
	for _, q := range nexmarkQueries {
		if !cfg.want(q.group()) {
			continue
		}
		events := cfg.events
		switch {
		case q.group() == "q5":
			events = cfg.q5Events
		case q.Join:
			events = cfg.joinEvents
		case q.AllBids && q.Sink == "":
			events = cfg.keylessEvents
		}
		for _, p := range cfg.parallelism {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r := runNexmark(ctx, cfg, prof, q, p, events)
			progress(r)
			rep.nexmark = append(rep.nexmark, r)
		}
	}

	if cfg.want("latency") {
		for _, mode := range []latencyMode{latencyPipeline, latencyRead} {
			for _, p := range cfg.parallelism {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				r := runLatency(ctx, cfg, prof, mode, p)
				if r.Err != nil {
					fmt.Fprintf(log, "q5 latency %-10s p%d: FAILED: %v\n", mode, p, r.Err)
				} else {
					fmt.Fprintf(log, "q5 latency %-10s p%d: %d events/s for %v: p50 %v p99 %v max %v (%d samples, %.2f cores, others %.2f)\n",
						mode, p, r.Rate, r.Duration, r.P50, r.P99, r.Max, r.Samples, r.Usage.Cores(), r.Usage.OtherCores())
				}
				rep.latency = append(rep.latency, r)
			}
		}
	}

	if cfg.want("hashtag") {
		if err := runHashtag(ctx, cfg, prof, rep, progress, log); err != nil {
			return nil, err
		}
	}

	if cfg.want("recovery") {
		p := cfg.parallelism[len(cfg.parallelism)-1]
		r := runRecovery(ctx, cfg, p)
		switch {
		case r.Err != nil:
			fmt.Fprintf(log, "recovery           p%d: FAILED: %v\n", p, r.Err)
		case !r.Implemented:
			fmt.Fprintf(log, "recovery           p%d: %s\n", p, r.Note)
		default:
			fmt.Fprintf(log, "recovery           p%d: %d keys back in %v\n", p, r.Keys, r.Recovery)
		}
		rep.recovery = &r
	}

	if cfg.want("kafka") && ctx.Err() == nil {
		k := runKafka(ctx, cfg, log, progress)
		if k.Err != nil {
			fmt.Fprintf(log, "kafka: FAILED: %v\n", k.Err)
		}
		rep.kafka = k
	}

	if prof != nil {
		rep.profiles = prof.files
	}
	if rep.kafka != nil {
		rep.profiles = append(rep.profiles, rep.kafka.profiles...)
	}
	rep.elapsed = time.Since(rep.started)
	return rep, nil
}

func runHashtag(ctx context.Context, cfg config, prof *profiler, rep *report,
	progress func(throughputResult), log io.Writer) error {
	recs, size, err := generateTweets(ctx, cfg.tweets)
	if err != nil {
		return fmt.Errorf("generating tweets: %w", err)
	}
	rep.tweetBytes = size
	tweetData.set(recs)
	defer tweetData.set(nil)

	std, want := runBaseline(prof, "baseline-std", "encoding/json + regexp + map", recs, baselineStd)
	progress(std)
	rep.hashtagStd = &std
	dec, decSum := runBaseline(prof, "baseline-decoder", "engine's JSON decoder + regexp + map", recs, baselineDecoder)
	progress(dec)
	rep.hashtagDecoder = &dec
	if std.Err == nil && dec.Err == nil && decSum != want {
		rep.hashtagCheck = append(rep.hashtagCheck, fmt.Sprintf(
			"the baselines disagree: %+v with encoding/json, %+v with the engine's decoder", want, decSum))
	}

	var ckptOn *throughputResult
	var ckptEpoch uint64
	for _, p := range cfg.parallelism {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Checkpoints every second, the server's default; the data dir is
		// kept to look for a committed checkpoint.
		r, got, dir := runHashtagEngine(ctx, cfg, prof, "hashtag", p, time.Second, true)
		if r.Err == nil && std.Err == nil && got != want {
			r.Err = fmt.Errorf("engine counted %d tags in %d (window, tag) groups, the baseline %d in %d",
				got.Total, got.Groups, want.Total, want.Groups)
		}
		if dir != "" {
			epoch, err := latestCheckpoint(dir)
			if err != nil && r.Err == nil {
				r.Err = fmt.Errorf("reading the checkpoint manifest: %w", err)
			}
			_ = os.RemoveAll(dir)
			if r.Err == nil {
				on := r
				ckptOn, ckptEpoch = &on, epoch
			}
		}
		progress(r)
		rep.hashtagEngine = append(rep.hashtagEngine, r)
	}
	if ckptOn != nil {
		c := checkpointCost(ctx, cfg, prof, *ckptOn, ckptEpoch)
		if c.Implemented {
			progress(c.Off)
		} else {
			fmt.Fprintf(log, "checkpoint cost    p%d: %s\n", ckptOn.Parallelism, c.Note)
		}
		rep.checkpoint = &c
	}
	return nil
}

// failed reports whether any run failed.
func (r *report) failed() bool {
	if r.kafka.failed() {
		return true
	}
	if r.generator != nil && r.generator.Err != nil {
		return true
	}
	for _, x := range r.nexmark {
		if x.Err != nil {
			return true
		}
	}
	for _, x := range r.latency {
		if x.Err != nil {
			return true
		}
	}
	for _, x := range []*throughputResult{r.hashtagStd, r.hashtagDecoder} {
		if x != nil && x.Err != nil {
			return true
		}
	}
	for _, x := range r.hashtagEngine {
		if x.Err != nil {
			return true
		}
	}
	if r.checkpoint != nil && r.checkpoint.Implemented && r.checkpoint.Off.Err != nil {
		return true
	}
	if r.recovery != nil && r.recovery.Err != nil {
		return true
	}
	return len(r.hashtagCheck) > 0
}
