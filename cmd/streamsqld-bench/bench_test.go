package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestSuiteSmall runs every benchmark on tiny inputs: each run must succeed
// and the engine's hashtag counts must equal the baselines'.
func TestSuiteSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs engines for several seconds")
	}
	cfg, err := parseFlags([]string{
		"-events", "20000", "-keyless-events", "20000", "-q5-events", "20000", "-join-events", "20000", "-tweets", "20000", "-recovery-keys", "10000",
		"-latency-rate", "5000", "-latency-duration", "1s", "-latency-warmup", "300ms",
		"-cpuprofile", t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := run(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	md := rep.markdown()
	if rep.failed() {
		t.Fatalf("some runs failed:\n%s", md)
	}
	for _, want := range []string{
		"## Summary", "## Nexmark throughput", "## q5 latency", "## Hashtag pipeline", "## Checkpoints",
		"| q0 | 1 | 20000 | 18400 |", "| q5 | 2 |", "| q3 | 1 | 20000 |", "| q4 | 2 |", "| q7 | 1 |", "| q8 | 2 |", "Flink 1.13",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if len(rep.profiles) == 0 {
		t.Error("no CPU profiles written")
	}
	for _, x := range rep.latency {
		if x.Samples == 0 || x.P50 <= 0 || x.P99 < x.P50 {
			t.Errorf("implausible latency at parallelism %d: %+v", x.Parallelism, x)
		}
	}
}

func TestBidsIn(t *testing.T) {
	for _, c := range []struct{ n, want int64 }{
		{0, 0}, {4, 0}, {5, 1}, {50, 46}, {54, 46}, {55, 47}, {10_000_000, 9_200_000},
	} {
		if got := bidsIn(c.n); got != c.want {
			t.Errorf("bidsIn(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

func TestWindowStart(t *testing.T) {
	for _, c := range []struct{ us, want int64 }{
		{0, 0}, {59_999_999, 0}, {60_000_000, 60_000_000}, {-1, -60_000_000}, {-60_000_000, -60_000_000},
	} {
		if got := windowStart(c.us); got != c.want {
			t.Errorf("windowStart(%d) = %d, want %d", c.us, got, c.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if p := percentile(d, 0.5); p != 50 {
		t.Errorf("p50 = %d, want 50", p)
	}
	if p := percentile(d, 0.99); p != 99 {
		t.Errorf("p99 = %d, want 99", p)
	}
	if p := percentile(d[:1], 0.99); p != 1 {
		t.Errorf("p99 of one = %d, want 1", p)
	}
}

func TestParseFlags(t *testing.T) {
	if _, err := parseFlags([]string{"-only", "q9"}); err == nil {
		t.Error("-only q9 accepted")
	}
	if _, err := parseFlags([]string{"-parallelism", "0"}); err == nil {
		t.Error("-parallelism 0 accepted")
	}
	cfg, err := parseFlags([]string{"-only", "q0,hashtag", "-parallelism", "2"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.want("q0") || !cfg.want("hashtag") || cfg.want("q5") || len(cfg.parallelism) != 1 {
		t.Errorf("parsed %+v", cfg)
	}
}

func TestFrontier(t *testing.T) {
	fr := newFrontier(10_000) // measure events from 10 ms on
	fr.observe(9_000, 9_500)  // warm-up: nothing
	fr.observe(12_500, 12_000)
	// Events at 10, 11 and 12 ms became visible at 12.5 ms.
	fr.observe(13_000, 11_000) // the frontier never moves back
	fr.observe(14_000, 13_999)
	// 13 ms became visible at 14 ms.
	want := []time.Duration{2500 * time.Microsecond, 1500 * time.Microsecond, 500 * time.Microsecond, time.Millisecond}
	if len(fr.lat) != len(want) {
		t.Fatalf("latencies %v, want %v", fr.lat, want)
	}
	for i := range want {
		if fr.lat[i] != want[i] {
			t.Errorf("latencies %v, want %v", fr.lat, want)
			break
		}
	}
}
