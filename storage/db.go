package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Namespaces: the first byte of every key. See the package documentation.
const (
	nsMeta     byte = 0x01
	nsLogRow   byte = 0x02
	nsLogEnd   byte = 0x03
	nsState    byte = 0x04
	nsSystem   byte = 0x05
	sysManifst byte = 'm'
	sysHWM     byte = 'h'
)

// readLatest is the read version that sees every committed write.
const readLatest = math.MaxUint64

// Sentinel errors. Callers check them with errors.Is.
var (
	// ErrClosed is returned by operations on a DB after Close.
	ErrClosed = errors.New("storage: database closed")
	// ErrStop may be returned by a scan callback to end the scan early
	// without an error.
	ErrStop = errors.New("storage: stop scan")
	// ErrEpochNotIncreasing is returned by BeginCheckpoint for an epoch at
	// or below the high-water mark of epochs already begun.
	ErrEpochNotIncreasing = errors.New("storage: checkpoint epoch not above the high-water mark")
	// ErrRecoveryNeeded is returned by BeginCheckpoint after a checkpoint
	// failed, until Recover has removed the failed epoch's writes.
	ErrRecoveryNeeded = errors.New("storage: a checkpoint failed; Recover must run first")
	// ErrCheckpointAborted is returned by Commit of a checkpoint that was
	// aborted, or that was in flight when an earlier one failed.
	ErrCheckpointAborted = errors.New("storage: checkpoint aborted")
	// ErrCorrupt is returned when stored bytes cannot be decoded.
	ErrCorrupt = errors.New("storage: corrupt data")
)

// Options configures a DB. The zero value is usable.
type Options struct {
	// Logger receives Badger's warnings and errors and our own state
	// changes. Nil means slog.Default().
	Logger *slog.Logger
	// MemTableSize is Badger's memtable size; 0 means 64 MiB.
	MemTableSize int64
	// BlockCacheSize is Badger's block cache; 0 means 128 MiB.
	BlockCacheSize int64
	// IndexCacheSize bounds Badger's in-memory table indexes and bloom
	// filters; 0 means 64 MiB.
	IndexCacheSize int64
	// StateCacheBytes is each StateTable's default cache budget; 0 means
	// 8 MiB.
	StateCacheBytes int64
	// GCInterval is how often the value log is garbage collected; 0 means
	// 5 minutes, negative disables the background loop.
	GCInterval time.Duration
	// NoSync turns off synchronous writes. Only for tests and benchmarks
	// that do not simulate crashes: committed data may then be lost on a
	// machine crash (not on a process crash).
	NoSync bool
	// Knobs are testing hooks; the zero value does nothing.
	Knobs Knobs
}

// Knobs are fault-injection hooks for tests.
type Knobs struct {
	// AfterStateBatchBeforeManifest runs in CheckpointWriter.Commit after
	// the state batch is durable and before the manifest is written. A
	// non-nil error fails the commit as if the process had crashed there.
	AfterStateBatchBeforeManifest func(epoch uint64) error
}

// DB is the storage engine. It is safe for concurrent use.
type DB struct {
	bdb  *badger.DB
	opts Options
	log  *slog.Logger

	// nextTs is the last version handed out for metadata and table-log
	// writes.
	nextTs atomic.Uint64
	// metaMu serializes metadata updates so their versions commit in order.
	metaMu sync.Mutex

	logsMu sync.Mutex
	logs   map[uint32]*tableLog

	ckpt checkpointState

	closed    atomic.Bool
	closeOnce sync.Once
	stopGC    chan struct{}
	gcDone    chan struct{}
}

// Open opens (creating if needed) the database in dir and recovers it to its
// newest complete checkpoint.
func Open(dir string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MemTableSize <= 0 {
		opts.MemTableSize = 64 << 20
	}
	if opts.BlockCacheSize <= 0 {
		opts.BlockCacheSize = 128 << 20
	}
	if opts.IndexCacheSize <= 0 {
		opts.IndexCacheSize = 64 << 20
	}
	if opts.StateCacheBytes <= 0 {
		opts.StateCacheBytes = 8 << 20
	}
	if opts.GCInterval == 0 {
		opts.GCInterval = 5 * time.Minute
	}
	log := opts.Logger.With("component", "storage")

	bo := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithSyncWrites(!opts.NoSync).
		WithMemTableSize(opts.MemTableSize).
		WithNumMemtables(3).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(10).
		WithBlockCacheSize(opts.BlockCacheSize).
		WithIndexCacheSize(opts.IndexCacheSize).
		WithValueLogFileSize(256 << 20).
		WithNumCompactors(2).
		WithMetricsEnabled(false).
		// We never read-modify-write through Badger transactions (writers
		// are serialized by our own locks), so conflict tracking would only
		// cost memory.
		WithDetectConflicts(false).
		// Only the newest version at or below the discard timestamp is
		// needed: state is read at the newest complete checkpoint.
		WithNumVersionsToKeep(1)
	bdb, err := badger.OpenManaged(bo)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	db := &DB{
		bdb:    bdb,
		opts:   opts,
		log:    log,
		logs:   make(map[uint32]*tableLog),
		stopGC: make(chan struct{}),
		gcDone: make(chan struct{}),
	}
	db.nextTs.Store(bdb.MaxVersion())
	db.ckpt.init()
	if _, _, err := db.recover(); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	if opts.GCInterval > 0 {
		go db.gcLoop(opts.GCInterval)
	} else {
		close(db.gcDone)
	}
	return db, nil
}

// Close stops background work and closes Badger. Checkpoints still in
// flight are lost (as in a crash); their writes are cleaned up at the next
// Open.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		db.closed.Store(true)
		close(db.stopGC)
		<-db.gcDone
		db.logsMu.Lock()
		for _, l := range db.logs {
			l.close()
		}
		db.logsMu.Unlock()
		err = db.bdb.Close()
	})
	return err
}

// gcLoop periodically rewrites value-log files that are mostly garbage.
// Badger only reclaims versions below the discard timestamp, which Commit
// advances to each complete checkpoint.
func (db *DB) gcLoop(every time.Duration) {
	defer close(db.gcDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-db.stopGC:
			return
		case <-t.C:
		}
		db.RunGC()
	}
}

// RunGC garbage-collects the value log once, until no file is worth
// rewriting. It is also run periodically in the background.
func (db *DB) RunGC() {
	db.idleDiscardTs()
	for i := 0; i < 16; i++ {
		if db.closed.Load() {
			return
		}
		if err := db.bdb.RunValueLogGC(0.5); err != nil {
			if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
				db.log.Warn("value log GC failed", "err", err)
			}
			return
		}
	}
}

// nextVersion returns a fresh version for a metadata or table-log write.
func (db *DB) nextVersion() uint64 { return db.nextTs.Add(1) }

// Size reports Badger's on-disk LSM and value-log sizes in bytes.
func (db *DB) Size() (lsm, vlog int64) { return db.bdb.Size() }

// ---- metadata namespace ----

func metaKey(k []byte) []byte {
	b := make([]byte, 0, 1+len(k))
	return append(append(b, nsMeta), k...)
}

// MetaGet returns the value of metadata key k.
func (db *DB) MetaGet(k []byte) (val []byte, ok bool, err error) {
	if db.closed.Load() {
		return nil, false, ErrClosed
	}
	txn := db.bdb.NewTransactionAt(readLatest, false)
	defer txn.Discard()
	it, err := txn.Get(metaKey(k))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	val, err = it.ValueCopy(nil)
	return val, err == nil, err
}

// MetaScan calls fn for each metadata key with the given prefix, in key
// order. key and val are only valid during the call. fn may return ErrStop.
func (db *DB) MetaScan(prefix []byte, fn func(key, val []byte) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	txn := db.bdb.NewTransactionAt(readLatest, false)
	defer txn.Discard()
	iopts := badger.DefaultIteratorOptions
	iopts.Prefix = metaKey(prefix)
	it := txn.NewIterator(iopts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		err := item.Value(func(v []byte) error { return fn(item.Key()[1:], v) })
		if errors.Is(err, ErrStop) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// MetaBatch collects the writes of one MetaUpdate.
type MetaBatch struct {
	txn *badger.Txn
	err error
}

// Put sets metadata key k to v. k and v must not change until MetaUpdate
// returns.
func (b *MetaBatch) Put(k, v []byte) {
	if b.err == nil {
		b.err = b.txn.Set(metaKey(k), v)
	}
}

// Delete removes metadata key k.
func (b *MetaBatch) Delete(k []byte) {
	if b.err == nil {
		b.err = b.txn.Delete(metaKey(k))
	}
}

// MetaUpdate applies the writes made by fn atomically and durably. Updates
// are serialized; fn must not call other MetaUpdate.
func (db *DB) MetaUpdate(fn func(b *MetaBatch) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	db.metaMu.Lock()
	defer db.metaMu.Unlock()
	txn := db.bdb.NewTransactionAt(readLatest, true)
	defer txn.Discard()
	b := &MetaBatch{txn: txn}
	if err := fn(b); err != nil {
		return err
	}
	if b.err != nil {
		return fmt.Errorf("storage: metadata update: %w", b.err)
	}
	if err := txn.CommitAt(db.nextVersion(), nil); err != nil {
		return fmt.Errorf("storage: metadata commit: %w", err)
	}
	return nil
}

// badgerLogger forwards Badger's log to slog. Badger is chatty at INFO
// (compactions, flushes), so INFO and DEBUG go to slog's debug level.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) { b.l.Error(trimNL(fmt.Sprintf(f, a...))) }
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(trimNL(fmt.Sprintf(f, a...)))
}

func (b badgerLogger) Infof(f string, a ...any) {
	if b.l.Enabled(context.Background(), slog.LevelDebug) {
		b.l.Debug(trimNL(fmt.Sprintf(f, a...)))
	}
}

func (b badgerLogger) Debugf(f string, a ...any) {
	if b.l.Enabled(context.Background(), slog.LevelDebug) {
		b.l.Debug(trimNL(fmt.Sprintf(f, a...)))
	}
}

func trimNL(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}
