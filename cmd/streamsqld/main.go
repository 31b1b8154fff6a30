// Command streamsqld runs the streamsqld server: a streaming SQL database
// that speaks the PostgreSQL wire protocol.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"streamsqld/server"
)

func main() {
	cfg := server.DefaultConfig()
	flag.StringVar(&cfg.Listen, "listen", "127.0.0.1:5433", "address of the PostgreSQL wire protocol listener")
	flag.StringVar(&cfg.DataDir, "data-dir", "./streamsqld-data", "directory of the catalog, table logs and checkpointed state")
	flag.IntVar(&cfg.Parallelism, "parallelism", runtime.NumCPU(), "default number of parallel subtasks per operator")
	flag.DurationVar(&cfg.CheckpointInterval, "checkpoint-interval", time.Second, "interval between checkpoints (0 disables them)")
	stateMB := flag.Int64("state-memory-mb", cfg.StateMemoryBytes>>20, "memory budget in MiB of each GROUP BY subtask's groups; beyond it they spill to storage (0: no budget)")
	flag.StringVar(&cfg.HTTP, "http", "127.0.0.1:9090", "address of the HTTP endpoint serving /metrics (empty disables it)")
	flag.IntVar(&cfg.MaxConnections, "max-connections", cfg.MaxConnections, "maximum number of client connections")
	flag.BoolVar(&cfg.Demo, "demo", false, "create the built-in demo source and view (tweets, hashtag_counts) on an empty data dir")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn, error")
	flag.Parse()
	cfg.StateMemoryBytes = *stateMB << 20

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "streamsqld: bad --log-level: %v\n", err)
		os.Exit(2)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, cfg); err != nil {
		cfg.Logger.Error("streamsqld stopped", "err", err)
		os.Exit(1)
	}
}
