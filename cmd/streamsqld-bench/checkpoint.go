package main

import (
	"context"
	"fmt"
	"time"

	"streamsqld/storage"
)

// notImplemented is what a checkpoint row says while the engine commits no
// checkpoints: the rows are kept so that the table fills in once it does.
const notImplemented = "checkpointing not implemented yet"

// checkpointStats summarises the completed checkpoints of a server.
type checkpointStats struct {
	Count        int64
	MaxMs, AvgMs int64
	BytesWritten int64
}

// readCheckpointStats reads streamsql_checkpoints; nil if the server does
// not have it.
func readCheckpointStats(ctx context.Context, be *benchEngine) *checkpointStats {
	v, err := be.int64s(ctx, "SELECT count(*), CAST(max(duration_ms) AS BIGINT), CAST(avg(duration_ms) AS BIGINT), "+
		"CAST(sum(bytes_written) AS BIGINT) FROM streamsql_checkpoints WHERE status = 'completed'")
	if err != nil || len(v) != 4 {
		return nil
	}
	return &checkpointStats{Count: v[0], MaxMs: v[1], AvgMs: v[2], BytesWritten: v[3]}
}

// checkpointResult compares the hashtag pipeline with and without
// checkpoints.
type checkpointResult struct {
	Implemented bool
	Epoch       uint64 // newest committed checkpoint after the run with checkpoints
	On, Off     throughputResult
	Note        string
}

// latestCheckpoint opens a closed engine's data dir and returns the epoch
// of its newest committed checkpoint (0: none).
func latestCheckpoint(dir string) (uint64, error) {
	db, err := storage.Open(dir, storage.Options{Logger: quietLogger})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	epoch, _, err := db.LatestCheckpoint()
	return epoch, err
}

// checkpointCost compares the hashtag run with a checkpoint every second
// (on, whose data dir held checkpoint epoch) with a run with checkpoints
// off, which only happens when on committed a checkpoint.
func checkpointCost(ctx context.Context, cfg config, prof *profiler, on throughputResult, epoch uint64) checkpointResult {
	res := checkpointResult{On: on, Epoch: epoch}
	if on.Err != nil {
		return res
	}
	if epoch == 0 {
		res.Note = fmt.Sprintf("%s: no checkpoint was committed during a %.1f s run with a 1 s interval",
			notImplemented, on.Usage.Wall.Seconds())
		if on.Usage.Wall < 3*time.Second {
			res.Note += " (a short run: raise -tweets to be sure)"
		}
		return res
	}
	res.Implemented = true
	res.Off, _, _ = runHashtagEngine(ctx, cfg, prof, "hashtag-ckpt-off", on.Parallelism, 0, false)
	return res
}

// recoveryResult is the time a restarted server takes to bring back a view
// of Keys keys.
type recoveryResult struct {
	Implemented bool
	Keys        int64
	Recovery    time.Duration // server.Open until the view holds every key again
	Note        string
	Err         error
}

// runRecovery builds a view of cfg.recoveryKeys keys with checkpoints every
// second, restarts the server on the same data dir and times how long the
// view takes to hold every key again. Without committed checkpoints the
// restart recomputes the view from its source, which is reported as such.
func runRecovery(ctx context.Context, cfg config, p int) recoveryResult {
	res := recoveryResult{Keys: cfg.recoveryKeys}
	ctx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	res.Err = func() error {
		be, err := openEngine(ctx, "", p, time.Second)
		if err != nil {
			return err
		}
		defer be.destroy()
		if _, err := be.exec(ctx, fmt.Sprintf("CREATE SOURCE keys (k BIGINT) WITH (connector = 'datagen', "+
			"rows.per.second = '0', datagen.rows.total = '%d', fields.k.kind = 'sequence')", res.Keys)); err != nil {
			return err
		}
		if _, err := be.exec(ctx, "CREATE MATERIALIZED VIEW key_counts AS SELECT k, count(*) AS n FROM keys GROUP BY k"); err != nil {
			return err
		}
		if n, err := viewRows(ctx, be, "key_counts"); err != nil || n != res.Keys {
			if err == nil {
				err = fmt.Errorf("view holds %d keys, want %d", n, res.Keys)
			}
			return err
		}
		// Leave time for a checkpoint of the finished view.
		time.Sleep(2500 * time.Millisecond)
		be.close()
		epoch, err := latestCheckpoint(be.dir)
		if err != nil {
			return err
		}
		res.Implemented = epoch > 0
		t0 := time.Now()
		re, err := openEngine(ctx, be.dir, p, time.Second)
		if err != nil {
			return err
		}
		be.eng, be.sess = re.eng, re.sess
		for {
			n, err := viewRows(ctx, be, "key_counts")
			if err != nil {
				return err
			}
			if n >= res.Keys {
				break
			}
			if err := be.jobError(ctx, "key_counts"); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		res.Recovery = time.Since(t0)
		if !res.Implemented {
			res.Note = fmt.Sprintf("%s: the restart recomputed the view from its source in %.2f s",
				notImplemented, res.Recovery.Seconds())
		}
		return nil
	}()
	return res
}
