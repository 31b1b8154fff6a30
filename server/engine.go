package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"streamsqld/catalog"
	"streamsqld/exec"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/pgerror"
	"streamsqld/storage"
	"streamsqld/wire"

	// Connectors register themselves.
	_ "streamsqld/exec/connector/datagen"
	_ "streamsqld/exec/connector/kafka"
	_ "streamsqld/exec/connector/nexmark"
	_ "streamsqld/exec/connector/tablelog"
)

// Database is the one database streamsqld serves.
const Database = "streamsql"

// Engine owns the catalog, the storage and the running jobs; it creates a
// session per connection. It implements wire.Engine.
type Engine struct {
	cfg     Config
	log     *slog.Logger
	db      *storage.DB
	cat     *catalog.Catalog
	views   *exec.Views
	ckpt    *coordinator
	started time.Time

	// ddlMu serialises DDL so that catalog changes and job starts/stops
	// happen in one order.
	ddlMu sync.Mutex

	mu       sync.Mutex
	jobs     map[uint32]*viewJob // by materialized view relation ID
	sessions map[uint32]*session // by backend process ID
	closed   bool
}

// viewJob is the running dataflow of one materialized view.
type viewJob struct {
	rel     *catalog.Relation
	graph   *planner.StreamGraph
	job     *exec.Job
	created time.Time
	// backfilling is true until the view has caught up with the rows its
	// tables held at CREATE time; SHOW JOBS reads it from other sessions.
	backfilling atomic.Bool
	// stateful jobs checkpoint their state and restore from it; the
	// others recompute from the start of their inputs after a restart.
	stateful bool
	// sources are the connector sources the job opened
	// (streamsql_source_errors).
	sources *jobSources
}

var _ wire.Engine = (*Engine)(nil)

// Run starts the server and serves until ctx is done, then shuts down
// gracefully: stop accepting, finish or cancel statements, stop the jobs,
// close the storage.
func Run(ctx context.Context, cfg Config) error {
	eng, err := Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer eng.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	var httpSrv *http.Server
	if cfg.HTTP != "" {
		httpSrv, err = eng.serveHTTP(cfg.HTTP)
		if err != nil {
			_ = ln.Close()
			return err
		}
	}
	srv := wire.NewServer(wire.Config{MaxConnections: cfg.MaxConnections}, eng, cfg.Logger)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	cfg.Logger.Info("streamsqld ready", "listen", ln.Addr().String(), "data_dir", cfg.DataDir,
		"parallelism", cfg.Parallelism, "version", Version)

	select {
	case <-ctx.Done():
		cfg.Logger.Info("shutting down")
	case err := <-serveErr:
		if err != nil {
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if httpSrv != nil {
		_ = httpSrv.Shutdown(shutdownCtx)
	}
	return srv.Shutdown(shutdownCtx)
}

func (e *Engine) serveHTTP(addr string) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s for --http: %w", addr, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newMetricsCollector(e), newCheckpointCollector(e), collectors.NewGoCollector(
		// The live heap as of the last GC (go_gc_heap_live_bytes) shows
		// retained memory; heap in use also counts garbage not yet
		// collected.
		collectors.WithGoCollectorRuntimeMetrics(collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$`)}),
	), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	e.log.Info("metrics endpoint ready", "http", ln.Addr().String())
	return srv, nil
}

// Open opens the data dir, loads the catalog and restarts every view.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = 1
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	begin := time.Now()
	db, err := storage.Open(cfg.DataDir, storage.Options{Logger: cfg.Logger, Knobs: cfg.StorageKnobs})
	if err != nil {
		return nil, fmt.Errorf("open storage in %s: %w", cfg.DataDir, err)
	}
	cat, err := catalog.Open(db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	ckpt, err := newCoordinator(db, cfg.Logger, cfg.CheckpointInterval, cfg.CheckpointTimeout)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	e := &Engine{
		cfg:      cfg,
		log:      cfg.Logger,
		db:       db,
		cat:      cat,
		views:    exec.NewViews(),
		ckpt:     ckpt,
		started:  time.Now(),
		jobs:     map[uint32]*viewJob{},
		sessions: map[uint32]*session{},
	}
	ckpt.jobs = e.runningJobs
	ckpt.exists = func(id uint32) bool {
		rel, ok := e.cat.Snapshot().ByID(id)
		return ok && rel.Kind == catalog.MaterializedView
	}
	if err := e.recover(ctx); err != nil {
		e.Close()
		return nil, err
	}
	ckpt.recovery = time.Since(begin)
	if ckpt.committed.epoch > 0 {
		e.log.Info("restored from checkpoint", "checkpoint", ckpt.committed.epoch,
			"taken_at", ckpt.committed.at.UTC().Format(time.RFC3339Nano), "recovery", ckpt.recovery)
	}
	ckpt.start()
	if cfg.Demo {
		if err := e.createDemo(ctx); err != nil {
			e.Close()
			return nil, fmt.Errorf("create demo relations: %w", err)
		}
	}
	return e, nil
}

// recover restarts the dataflow of every materialized view and sink in
// dependency order (IDs grow with creation, and a view only reads older
// relations), each from the newest complete checkpoint.
func (e *Engine) recover(ctx context.Context) error {
	snap := e.cat.Snapshot()
	rels := append(snap.List(catalog.MaterializedView), snap.List(catalog.Sink)...)
	slices.SortFunc(rels, func(a, b *catalog.Relation) int { return cmp.Compare(a.ID, b.ID) })
	for _, rel := range rels {
		restart := e.restartView
		if rel.Kind == catalog.Sink {
			restart = e.restartSink
		}
		if err := restart(ctx, rel); err != nil {
			// One that cannot start must not keep the others down.
			e.log.Error("cannot restart "+kindName(rel.Kind), "name", rel.Name, "err", err)
		}
	}
	return nil
}

// finalCheckpointTimeout bounds the checkpoint taken at shutdown.
const finalCheckpointTimeout = 10 * time.Second

// Close takes a last checkpoint (so that a restart replays nothing), stops
// every job and closes the storage.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	e.mu.Unlock()
	if e.ckpt != nil {
		e.ckpt.stopLoop()
		if e.ckpt.enabled() {
			ctx, cancel := context.WithTimeout(context.Background(), finalCheckpointTimeout)
			if err := e.ckpt.run(ctx); err != nil {
				e.log.Warn("final checkpoint", "err", err)
			}
			cancel()
		}
	}
	e.mu.Lock()
	jobs := make([]*viewJob, 0, len(e.jobs))
	for _, j := range e.jobs {
		jobs = append(jobs, j)
	}
	e.mu.Unlock()
	for _, j := range jobs {
		j.job.Stop()
	}
	if err := e.db.Close(); err != nil {
		e.log.Error("close storage", "err", err)
	}
}

// Connect implements wire.Engine.
func (e *Engine) Connect(ctx context.Context, startup map[string]string, key wire.BackendKey) (wire.Session, error) {
	user := startup["user"]
	if user == "" {
		return nil, pgerror.New(pgerror.InvalidAuthorizationSpec, "no PostgreSQL user name specified in startup packet")
	}
	db := startup["database"]
	if db == "" {
		db = user
	}
	if db != Database {
		return nil, pgerror.Newf(pgerror.InvalidCatalogName, "database %q does not exist", db).
			WithHint(fmt.Sprintf("streamsqld serves one database, %q: connect with dbname=%s.", Database, Database))
	}
	s := &session{eng: e, key: key, user: user, vars: newSessionVars(startup, user)}
	e.mu.Lock()
	e.sessions[key.ProcessID] = s
	e.mu.Unlock()
	return s, nil
}

func (e *Engine) sessionClosed(s *session) {
	e.mu.Lock()
	delete(e.sessions, s.key.ProcessID)
	e.mu.Unlock()
}

// plannerEnv is the binding environment of a statement: the current
// catalog snapshot and the system relations.
func (e *Engine) plannerEnv() planner.Env {
	return planner.Env{Catalog: e.cat.Snapshot(), Virtual: e.virtualTable}
}

func (e *Engine) connectorEnv() connector.Env {
	return connector.Env{TableLog: e.db}
}

func randomUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

// runningJobs lists the jobs of the views, by view ID.
func (e *Engine) runningJobs() []*viewJob {
	e.mu.Lock()
	jobs := make([]*viewJob, 0, len(e.jobs))
	for _, j := range e.jobs {
		jobs = append(jobs, j)
	}
	e.mu.Unlock()
	sort.Slice(jobs, func(i, k int) bool { return jobs[i].rel.ID < jobs[k].rel.ID })
	return jobs
}

// jobFor returns the running job of a view.
func (e *Engine) jobFor(id uint32) (*viewJob, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.jobs[id]
	return j, ok
}

var errClosed = errors.New("server is shutting down")

func quoteIdent(s string) string {
	if s == strings.ToLower(s) && !strings.ContainsAny(s, " \"-.") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
