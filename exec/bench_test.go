package exec

import (
	"context"
	"io"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/types"
)

// genSource generates rows in memory: split i produces n rows of
// increasing event time, so the benchmark measures the runtime, not the
// input.
type genSource struct {
	splits int
	rows   int
}

func (g *genSource) Splits(context.Context, int) ([]string, error) {
	out := make([]string, g.splits)
	for i := range out {
		out[i] = string(rune('a' + i))
	}
	return out, nil
}

func (g *genSource) Open(_ context.Context, split string, _ []byte) (connector.Reader, error) {
	return &genReader{left: g.rows, seed: int64(split[0]), row: make(types.Row, 3)}, nil
}

func (g *genSource) Close() error { return nil }

type genReader struct {
	left int
	i    int64
	seed int64
	row  types.Row
}

func (r *genReader) Read(_ context.Context, max int, emit func(types.Row)) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(max, r.left)
	for k := 0; k < n; k++ {
		r.i++
		x := r.i*2654435761 + r.seed
		r.row[0] = types.NewTime(r.i * 10) // 100k events per second of event time
		r.row[1] = types.NewInt(x % 1000)
		r.row[2] = types.NewInt(x % 97)
		emit(r.row)
	}
	r.left -= n
	return n, nil
}

func (r *genReader) Position() []byte { return nil }
func (r *genReader) Close() error     { return nil }

// BenchmarkWindowAgg runs source -> tumble(1 s) -> agg by (window, k of
// 1000 keys) -> materialize over generated rows with parallelism 4 and
// reports rows/s.
func BenchmarkWindowAgg(b *testing.B) {
	for _, eowc := range []bool{false, true} {
		name := "changelog"
		if eowc {
			name = "eowc"
		}
		b.Run(name, func(b *testing.B) {
			const par = 4
			perSplit := max(b.N/par, 1)
			src := &genSource{splits: par, rows: perSplit}
			g := windowAggGraph(b, par, int64(time.Second/time.Microsecond), 1000, true, eowc)
			j, err := Build(g, Env{Sources: func(context.Context, *catalog.Relation) (connector.Source, error) { return src, nil }})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			if err := j.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			select {
			case <-j.Done():
			case <-j.Exited():
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if err := j.Wait(); err != nil {
				b.Fatal(err)
			}
			j.Stop()
			b.ReportMetric(float64(perSplit*par)/elapsed.Seconds(), "rows/s")
		})
	}
}
