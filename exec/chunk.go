package exec

import (
	"fmt"
	"strings"
	"sync"

	"streamsqld/sql/types"
)

// Op is the changelog operation of one row of a Chunk.
type Op uint8

const (
	// Insert adds the row.
	Insert Op = iota
	// Delete removes the row.
	Delete
	// UpdateDelete removes the old version of an updated row; the
	// UpdateInsert of the same update follows it immediately in the chunk.
	UpdateDelete
	// UpdateInsert adds the new version of an updated row.
	UpdateInsert
)

// IsInsert reports whether op adds a row (Insert or UpdateInsert).
func (op Op) IsInsert() bool { return op == Insert || op == UpdateInsert }

// String is the short form used in test output: +, -, U-, U+.
func (op Op) String() string {
	switch op {
	case Insert:
		return "+"
	case Delete:
		return "-"
	case UpdateDelete:
		return "U-"
	case UpdateInsert:
		return "U+"
	}
	return fmt.Sprintf("Op(%d)", uint8(op))
}

// ChunkSize is the number of rows an operator puts in a chunk before it
// sends it on.
const ChunkSize = 1024

// Chunk is a batch of changelog rows of one schema, stored flat: row i is
// data[i*width : (i+1)*width]. A Chunk is reusable after Reset, so the
// rows it returns are only valid until then; keep copies (CopyRow).
type Chunk struct {
	width int
	data  []types.Datum
	ops   []Op
}

// NewChunk returns an empty chunk of rows of width columns with room for
// capacity rows.
func NewChunk(width, capacity int) *Chunk {
	return &Chunk{
		width: width,
		data:  make([]types.Datum, 0, width*capacity),
		ops:   make([]Op, 0, capacity),
	}
}

// chunkPool recycles chunks between producer and consumer subtasks: the
// consumer releases a chunk after its operator returned, and the producer
// takes one when it starts a new output chunk.
var chunkPool = sync.Pool{New: func() any { return &Chunk{} }}

// getChunk returns an empty pooled chunk of the given width.
func getChunk(width int) *Chunk {
	c := chunkPool.Get().(*Chunk)
	c.width = width
	if cap(c.ops) < ChunkSize {
		c.ops = make([]Op, 0, ChunkSize)
	}
	return c
}

// releaseChunk returns c to the pool; the caller must not use it again.
func releaseChunk(c *Chunk) {
	if c == nil || cap(c.data) > 64*ChunkSize {
		// Very wide chunks are left to the GC so the pool does not pin
		// large arrays.
		return
	}
	c.Reset()
	chunkPool.Put(c)
}

// Width is the number of columns of each row.
func (c *Chunk) Width() int { return c.width }

// Len is the number of rows.
func (c *Chunk) Len() int { return len(c.ops) }

// Full reports whether the chunk reached ChunkSize rows.
func (c *Chunk) Full() bool { return len(c.ops) >= ChunkSize }

// Row returns row i. It aliases the chunk's storage (its capacity is
// clipped so appending to it cannot overwrite the next row).
func (c *Chunk) Row(i int) types.Row {
	lo := i * c.width
	return c.data[lo : lo+c.width : lo+c.width]
}

// Op returns the operation of row i.
func (c *Chunk) Op(i int) Op { return c.ops[i] }

// SetOp changes the operation of row i.
func (c *Chunk) SetOp(i int, op Op) { c.ops[i] = op }

// Append adds a row (copied).
func (c *Chunk) Append(op Op, row types.Row) {
	if len(row) != c.width {
		panic(fmt.Sprintf("exec: appending a row of %d columns to a chunk of width %d", len(row), c.width))
	}
	c.data = append(c.data, row...)
	c.ops = append(c.ops, op)
}

// AppendSlot adds a row of NULLs and returns it for the caller to fill.
func (c *Chunk) AppendSlot(op Op) types.Row {
	n := len(c.data)
	for i := 0; i < c.width; i++ {
		c.data = append(c.data, types.Null)
	}
	c.ops = append(c.ops, op)
	return c.data[n : n+c.width : n+c.width]
}

// Truncate drops the rows from n on (AppendSlot's row can be taken back).
func (c *Chunk) Truncate(n int) {
	clear(c.data[n*c.width:])
	c.data = c.data[:n*c.width]
	c.ops = c.ops[:n]
}

// Reset empties the chunk, keeping its storage. Datums are cleared so the
// chunk does not keep strings and decimals alive.
func (c *Chunk) Reset() {
	clear(c.data)
	c.data = c.data[:0]
	c.ops = c.ops[:0]
}

// Clone returns a deep-enough copy: datums are values and their
// referenced data is immutable once in a Datum.
func (c *Chunk) Clone() *Chunk {
	d := &Chunk{width: c.width, data: make([]types.Datum, len(c.data)), ops: make([]Op, len(c.ops))}
	copy(d.data, c.data)
	copy(d.ops, c.ops)
	return d
}

// Rows returns copies of every row (ignoring ops); for tests and
// snapshots.
func (c *Chunk) Rows() []types.Row {
	out := make([]types.Row, c.Len())
	for i := range out {
		out[i] = CopyRow(c.Row(i))
	}
	return out
}

// String renders the chunk one row per line ("+ 1 a"); for tests.
func (c *Chunk) String() string {
	var b strings.Builder
	for i := 0; i < c.Len(); i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(c.Op(i).String())
		for _, d := range c.Row(i) {
			b.WriteByte(' ')
			b.WriteString(FormatDatum(d))
		}
	}
	return b.String()
}

// CopyRow returns a copy of row that does not alias a chunk.
func CopyRow(row types.Row) types.Row {
	out := make(types.Row, len(row))
	copy(out, row)
	return out
}

// FormatDatum renders a datum without type information, for tests and
// logs: NULL, integers, floats, strings as is, timestamps as micros.
func FormatDatum(d types.Datum) string {
	switch d.K {
	case types.KNull:
		return "NULL"
	case types.KBool:
		if d.Bool() {
			return "t"
		}
		return "f"
	case types.KInt, types.KTime, types.KDate:
		return fmt.Sprint(d.I)
	case types.KFloat:
		return fmt.Sprint(d.Float())
	case types.KString, types.KBytes:
		return d.S
	case types.KDecimal:
		return d.Decimal().String()
	case types.KInterval:
		v := d.Interval()
		return fmt.Sprintf("%dmon%dd%dus", v.Months, v.Days, v.Micros)
	case types.KArray:
		var b strings.Builder
		b.WriteByte('{')
		for i, e := range d.Array() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(FormatDatum(e))
		}
		b.WriteByte('}')
		return b.String()
	}
	return fmt.Sprintf("%#v", d)
}

// appendUpdate appends an update (UpdateDelete old, UpdateInsert new) to
// the builder's chunk. The pair never straddles two chunks: a consumer
// then sees it as one update (a view replaces its row in place) rather
// than a delete and an insert.
func (b *chunkBuilder) appendUpdate(out Emitter, old, new types.Row) error {
	if b.cur != nil && b.cur.Len() >= ChunkSize-1 {
		if err := b.flush(out); err != nil {
			return err
		}
	}
	if b.cur == nil {
		b.cur = getChunk(b.width)
	}
	b.cur.Append(UpdateDelete, old)
	b.cur.Append(UpdateInsert, new)
	if b.cur.Full() {
		return b.flush(out)
	}
	return nil
}
