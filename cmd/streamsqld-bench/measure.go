package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// usage is what one measured section consumed.
type usage struct {
	Wall time.Duration
	CPU  time.Duration // user + system time of the whole process
	// Others is the CPU time the rest of the machine used meanwhile.
	Others    time.Duration
	PeakHeap  uint64 // highest sampled in-use heap (HeapInuse), bytes
	PeakRSS   uint64 // highest sampled resident set, bytes
	GCCycles  uint32
	GCPauseNs uint64
}

// Cores is the average number of cores busy during the section.
func (u usage) Cores() float64 {
	if u.Wall <= 0 {
		return 0
	}
	return u.CPU.Seconds() / u.Wall.Seconds()
}

// OtherCores is how many cores other processes kept busy on average.
func (u usage) OtherCores() float64 {
	if u.Wall <= 0 {
		return 0
	}
	return u.Others.Seconds() / u.Wall.Seconds()
}

// PerCore is events per CPU second: Nexmark's "Cores x Time" turned into a
// rate, which stays meaningful on a machine whose other tenants steal
// wall-clock time.
func (u usage) PerCore(events int64) float64 {
	if u.CPU <= 0 {
		return 0
	}
	return float64(events) / u.CPU.Seconds()
}

// PerSec is events per wall-clock second.
func (u usage) PerSec(events int64) float64 {
	if u.Wall <= 0 {
		return 0
	}
	return float64(events) / u.Wall.Seconds()
}

// machineBusy is the CPU time all processes of the machine have used
// (from /proc/stat), so that a run can tell how much of the machine other
// tenants took while it ran.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 8 || string(f[0]) != "cpu" {
		return 0
	}
	// user nice system idle iowait irq softirq steal: all but idle and
	// iowait are busy.
	var ticks uint64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		n, _ := strconv.ParseUint(string(v), 10, 64)
		ticks += n
	}
	const userHZ = 100 // USER_HZ is 100 on every Linux architecture Go supports
	return time.Duration(ticks) * time.Second / userHZ
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS is the process's resident set high-water mark (rusage), bytes.
func maxRSS() uint64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return uint64(ru.Maxrss) * 1024 // kilobytes on Linux
}

// rssNow reads the current resident set from /proc/self/statm.
func rssNow() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// heapSampler records the peak heap and RSS of a section. runtime/metrics
// is read instead of runtime.ReadMemStats because it does not stop the
// world, so sampling does not disturb the engine it measures.
type heapSampler struct {
	stop     chan struct{}
	done     chan struct{}
	peakHeap uint64
	peakRSS  uint64
	// limit, when non-zero, is the heap size at which the run is aborted
	// through abort (once), rather than let it take the machine down.
	limit   uint64
	abort   func()
	aborted bool
}

const sampleEvery = 50 * time.Millisecond

var heapMetrics = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
}

func heapInuse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var n uint64
	for _, x := range s {
		if x.Value.Kind() == metrics.KindUint64 {
			n += x.Value.Uint64()
		}
	}
	return n
}

func startSampler(limit uint64, abort func()) *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{}), limit: limit, abort: abort}
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	sample := func() {
		heap := heapInuse(samples)
		h.peakHeap = max(h.peakHeap, heap)
		h.peakRSS = max(h.peakRSS, rssNow())
		if h.limit > 0 && heap > h.limit && !h.aborted {
			h.aborted = true
			h.abort()
		}
	}
	sample()
	go func() {
		defer close(h.done)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				sample()
			case <-h.stop:
				sample()
				return
			}
		}
	}()
	return h
}

// finish stops the sampler and waits for it, so its fields are safe to read.
func (h *heapSampler) finish() (heap, rss uint64, aborted bool) {
	close(h.stop)
	<-h.done
	return h.peakHeap, h.peakRSS, h.aborted
}

// heapLimit is the in-use heap at which a run is aborted; 0: none.
var heapLimit uint64

// ErrHeapLimit is returned for a run aborted because its heap grew past
// -max-heap.
var ErrHeapLimit = errors.New("aborted: the heap in use grew past -max-heap")

// profiler writes one CPU profile per measured section into dir (empty:
// no profiling).
type profiler struct {
	dir   string
	mu    sync.Mutex
	files []string
}

func (p *profiler) start(name string) (stop func(), err error) {
	if p == nil || p.dir == "" {
		return func() {}, nil
	}
	path := filepath.Join(p.dir, name+".pprof")
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start CPU profile %s: %w", path, err)
	}
	p.mu.Lock()
	p.files = append(p.files, path)
	p.mu.Unlock()
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// settle collects the garbage of earlier sections and returns it to the
// OS, so that a section's heap and RSS peaks are its own.
func settle() {
	runtime.GC()
	debug.FreeOSMemory()
}

// measure runs fn as one section: CPU, wall, heap and RSS peaks, GC work,
// and a CPU profile named name when profiling is on. fn's context is
// cancelled if the heap grows past heapLimit.
func measure(ctx context.Context, p *profiler, name string, fn func(context.Context) error) (usage, error) {
	settle()
	stopProf, err := p.start(name)
	if err != nil {
		return usage{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := startSampler(heapLimit, cancel)
	busy0, cpu0, t0 := machineBusy(), cpuTime(), time.Now()
	ferr := fn(ctx)
	wall, cpu, busy := time.Since(t0), cpuTime()-cpu0, machineBusy()-busy0
	heap, rss, aborted := s.finish()
	stopProf()
	runtime.ReadMemStats(&after)
	if aborted {
		ferr = fmt.Errorf("%w (%d MiB) after %.1f s", ErrHeapLimit, heapLimit>>20, wall.Seconds())
	}
	return usage{
		Wall: wall, CPU: cpu, Others: max(busy-cpu, 0), PeakHeap: heap, PeakRSS: rss,
		GCCycles:  after.NumGC - before.NumGC,
		GCPauseNs: after.PauseTotalNs - before.PauseTotalNs,
	}, ferr
}
