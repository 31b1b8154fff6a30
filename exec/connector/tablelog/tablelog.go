// Package tablelog is the connector behind CREATE TABLE relations fed by
// INSERT (connector = 'table'): it follows the table's durable log in
// storage from an offset, so a view reading the table resumes after a
// restart at the offset its checkpoint recorded, without losing or
// repeating a row.
//
// The log is one ordered stream, so the source has a single split "0". Its
// position is the offset of the next row to read (8 bytes, big-endian).
package tablelog

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Name is the connector name tables are created with.
const Name = "table"

// splitID is the only split of a table log.
const splitID = "0"

// idleWait bounds how long Read waits for new rows before returning 0, so
// the runtime can inject barriers into an idle source.
const idleWait = 100 * time.Millisecond

func init() { connector.Register(Name, New) }

// New is the connector.Factory of table logs.
func New(_ context.Context, rel *catalog.Relation, env connector.Env) (connector.Source, error) {
	if env.TableLog == nil {
		return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState,
			"table %q cannot be read: no table log storage", rel.Name)
	}
	return &Source{log: env.TableLog, tableID: rel.ID, idleWait: idleWait}, nil
}

// Source reads the log of one table.
type Source struct {
	log      connector.TableLog
	tableID  uint32
	idleWait time.Duration
}

var _ connector.Source = (*Source)(nil)

// Splits returns the single split; parallelism does not apply to a log.
func (s *Source) Splits(context.Context, int) ([]string, error) {
	return []string{splitID}, nil
}

// Open returns a reader at pos (nil: the log's first row).
func (s *Source) Open(_ context.Context, split string, pos []byte) (connector.Reader, error) {
	if split != splitID {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "table log has no split %q", split)
	}
	var next uint64
	switch len(pos) {
	case 0:
	case 8:
		next = binary.BigEndian.Uint64(pos)
	default:
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "invalid table log position: %d bytes", len(pos))
	}
	return &Reader{src: s, next: next}, nil
}

// Close releases nothing: the log belongs to storage.
func (s *Source) Close() error { return nil }

// EncodePosition returns the position of the row at offset next; tests and
// tools use it to start a reader mid-log.
func EncodePosition(next uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), next)
}

// Reader follows the log from an offset.
type Reader struct {
	src  *Source
	next uint64
}

var _ connector.Reader = (*Reader)(nil)

// errBatchFull ends a scan once Read has emitted max rows. It is returned
// before the row that does not fit is emitted, so it is correct whether the
// log counts that row as consumed or not: Read tracks the position itself.
var errBatchFull = errors.New("tablelog: batch full")

// Read emits up to max rows from the position. When caught up with the
// log, it waits for an append at most idleWait and then returns 0.
func (r *Reader) Read(ctx context.Context, max int, emit func(types.Row)) (int, error) {
	if max <= 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.scan(max, emit)
	if n > 0 || err != nil {
		return n, err
	}
	// Caught up: block on the log's notification, not a poll loop.
	wctx, cancel := context.WithTimeout(ctx, r.src.idleWait)
	werr := r.src.log.WaitTableLog(wctx, r.src.tableID, r.next)
	cancel()
	if werr != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if errors.Is(werr, context.DeadlineExceeded) {
			return 0, nil // idle
		}
		return 0, pgerror.Wrap(werr, pgerror.InternalError)
	}
	return r.scan(max, emit)
}

func (r *Reader) scan(max int, emit func(types.Row)) (int, error) {
	n := 0
	_, err := r.src.log.ScanTableLog(r.src.tableID, r.next, func(off uint64, row types.Row) error {
		if n == max {
			return errBatchFull
		}
		emit(row)
		n++
		r.next = off + 1
		return nil
	})
	if err != nil && !errors.Is(err, errBatchFull) {
		return n, pgerror.Wrap(err, pgerror.InternalError)
	}
	return n, nil
}

// Position is the offset of the next row, 8 bytes big-endian.
func (r *Reader) Position() []byte { return EncodePosition(r.next) }

// Close releases nothing.
func (r *Reader) Close() error { return nil }
