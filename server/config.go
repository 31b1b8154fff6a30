package server

import (
	"log/slog"
	"runtime"
	"time"

	"streamsqld/storage"
)

// Config is the server's configuration; cmd/streamsqld fills it from flags.
type Config struct {
	Listen             string
	DataDir            string
	Parallelism        int
	CheckpointInterval time.Duration
	// CheckpointTimeout aborts a checkpoint that has not completed by
	// then; 0 means DefaultCheckpointTimeout.
	CheckpointTimeout time.Duration
	// StateMemoryBytes is the memory budget of the groups each subtask
	// of an unbounded GROUP BY keeps in memory; beyond it, groups spill
	// to storage and are read back on demand. 0: no budget.
	StateMemoryBytes int64
	HTTP             string
	MaxConnections   int
	// Demo creates the built-in datagen tweets source and the hashtag view
	// when the data dir holds no relations yet.
	Demo   bool
	Logger *slog.Logger
	// StorageKnobs are fault-injection hooks for tests.
	StorageKnobs storage.Knobs
}

// DefaultConfig returns the defaults that `make run` uses.
func DefaultConfig() Config {
	return Config{
		Listen:             "127.0.0.1:5433",
		DataDir:            "./streamsqld-data",
		Parallelism:        runtime.NumCPU(),
		CheckpointInterval: time.Second,
		StateMemoryBytes:   DefaultStateMemoryBytes,
		HTTP:               "127.0.0.1:9090",
		MaxConnections:     100,
		Logger:             slog.Default(),
	}
}

// DefaultStateMemoryBytes is the default of Config.StateMemoryBytes.
const DefaultStateMemoryBytes = 256 << 20

// Version is streamsqld's own version, shown by version().
const Version = "0.1.0"

// ServerVersion is the PostgreSQL version streamsqld announces, so that
// drivers pick the PostgreSQL 15 code paths.
const ServerVersion = "15.0"
