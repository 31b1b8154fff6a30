package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"streamsqld/server"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

// benchEngine is a streamsqld engine opened in-process on a temporary data
// dir, with one session that statements run on, as a client's would.
type benchEngine struct {
	dir  string
	eng  *server.Engine
	sess wire.Session
}

// quietLogger drops the engine's logs: they would interleave with the
// benchmark's progress output.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// openEngine opens an engine; dir "" creates a fresh temporary data dir.
func openEngine(ctx context.Context, dir string, parallelism int, checkpoint time.Duration) (*benchEngine, error) {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "streamsqld-bench-"); err != nil {
			return nil, err
		}
	}
	eng, err := server.Open(ctx, server.Config{
		DataDir:            dir,
		Parallelism:        parallelism,
		CheckpointInterval: checkpoint,
		MaxConnections:     10,
		Logger:             quietLogger,
	})
	if err != nil {
		return nil, err
	}
	sess, err := eng.Connect(ctx, map[string]string{"user": "bench", "database": server.Database},
		wire.BackendKey{ProcessID: 1, SecretKey: 1})
	if err != nil {
		eng.Close()
		return nil, err
	}
	return &benchEngine{dir: dir, eng: eng, sess: sess}, nil
}

// close stops the engine but keeps its data dir (reopen it, or remove it).
func (b *benchEngine) close() {
	if b.sess != nil {
		b.sess.Close()
		b.sess = nil
	}
	if b.eng != nil {
		b.eng.Close()
		b.eng = nil
	}
}

// destroy stops the engine and removes its data dir.
func (b *benchEngine) destroy() {
	b.close()
	_ = os.RemoveAll(b.dir)
}

// exec runs the statements of query and returns the rows of the last one.
// CREATE MATERIALIZED VIEW returns once the view has caught up with its
// input, which for bounded sources is the end of the input.
func (b *benchEngine) exec(ctx context.Context, query string) ([]types.Row, error) {
	stmts, err := b.sess.Prepare(ctx, query, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", firstLine(query), err)
	}
	var rows []types.Row
	for _, st := range stmts {
		rows = rows[:0]
		res, err := b.sess.Execute(ctx, st, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", firstLine(st.SQL), err)
		}
		if res.Rows == nil {
			continue
		}
		for {
			r, err := res.Rows.Next(ctx)
			if err != nil {
				res.Rows.Close()
				return nil, err
			}
			if r == nil {
				break
			}
			rows = append(rows, append(types.Row(nil), r...))
		}
		res.Rows.Close()
	}
	return rows, nil
}

// int64s runs a query returning one row of integers.
func (b *benchEngine) int64s(ctx context.Context, query string) ([]int64, error) {
	rows, err := b.exec(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("%s: %d rows, want 1", query, len(rows))
	}
	out := make([]int64, len(rows[0]))
	for i, d := range rows[0] {
		if !d.IsNull() {
			out[i] = d.I
		}
	}
	return out, nil
}

// jobError returns the error SHOW JOBS reports for a view, if any.
func (b *benchEngine) jobError(ctx context.Context, view string) error {
	rows, err := b.exec(ctx, "SHOW JOBS")
	if err != nil {
		return err
	}
	for _, r := range rows {
		// id, name, status, parallelism, created_at, rows, error
		if len(r) >= 7 && r[1].S == view && r[2].S == "failed" {
			return fmt.Errorf("job of %s failed: %s", view, r[6].S)
		}
	}
	return nil
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i] + " ..."
		}
	}
	if len(s) > 80 {
		return s[:80] + " ..."
	}
	return s
}
