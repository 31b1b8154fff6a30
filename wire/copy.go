package wire

import (
	"context"
	"encoding/binary"
	"strconv"

	"github.com/jackc/pgx/v5/pgproto3"
)

// CopyFormat describes the data of COPY ... TO STDOUT: PostgreSQL's text
// format (tab-separated, \N for NULL, backslash escapes) or CSV.
type CopyFormat struct {
	CSV       bool
	Delimiter byte
	Null      string
	Header    bool
	Quote     byte // CSV only
	Escape    byte // CSV only
	// ForceQuote lists the columns CSV quotes even when not needed
	// (FORCE_QUOTE); nil for none.
	ForceQuote []bool
}

// sendCopyOut streams res's rows as COPY TO STDOUT data: CopyOutResponse,
// one CopyData per row (and one for a CSV header), CopyDone. It returns
// the number of rows sent.
func (c *conn) sendCopyOut(ctx context.Context, res *Result) (int64, error) {
	f := res.Copy
	codes := make([]uint16, len(res.Columns))
	c.send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: codes})
	if f.Header && f.CSV {
		start, line := c.startCopyData()
		for i, col := range res.Columns {
			if i > 0 {
				line = append(line, f.Delimiter)
			}
			line = appendCSVField(line, []byte(col.Name), f, false)
		}
		c.endCopyData(start, append(line, '\n'))
	}
	var n int64
	var field []byte
	for {
		row, err := c.next(ctx, res.Rows)
		if err != nil {
			return n, err
		}
		if row == nil {
			break
		}
		start, line := c.startCopyData()
		for i, d := range row {
			if i > 0 {
				line = append(line, f.Delimiter)
			}
			if d.IsNull() {
				line = append(line, f.Null...)
				continue
			}
			field = c.appendText(field[:0], d, res.Columns[i].Type)
			if f.CSV {
				force := i < len(f.ForceQuote) && f.ForceQuote[i]
				line = appendCSVField(line, field, f, force)
			} else {
				line = appendCopyText(line, field, f.Delimiter)
			}
		}
		c.endCopyData(start, append(line, '\n'))
		n++
		if len(c.out) >= flushThreshold {
			if err := c.flush(); err != nil {
				return n, err
			}
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
	}
	c.send(&pgproto3.CopyDone{})
	return n, nil
}

// startCopyData opens a CopyData message at start in the output buffer;
// the caller appends the payload to out and passes both to endCopyData.
func (c *conn) startCopyData() (start int, out []byte) {
	return len(c.out), append(c.out, 'd', 0, 0, 0, 0)
}

func (c *conn) endCopyData(start int, out []byte) {
	binary.BigEndian.PutUint32(out[start+1:], uint32(len(out)-start-1))
	c.out = out
}

// appendCopyText escapes a value for COPY's text format.
func appendCopyText(out, v []byte, delim byte) []byte {
	for _, b := range v {
		switch b {
		case '\\':
			out = append(out, '\\', '\\')
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		case '\b':
			out = append(out, '\\', 'b')
		case '\f':
			out = append(out, '\\', 'f')
		case '\v':
			out = append(out, '\\', 'v')
		default:
			if b == delim {
				out = append(out, '\\', b)
			} else {
				out = append(out, b)
			}
		}
	}
	return out
}

// appendCSVField quotes a value for CSV as PostgreSQL does: when forced,
// when it is empty (to tell it from NULL, which is unquoted empty by
// default), equal to the NULL string, or contains the delimiter, the
// quote, a line break or begins with the end-of-data marker.
func appendCSVField(out, v []byte, f *CopyFormat, force bool) []byte {
	need := force || len(v) == 0 || string(v) == f.Null || string(v) == `\.`
	for _, b := range v {
		if b == f.Delimiter || b == f.Quote || b == '\n' || b == '\r' {
			need = true
			break
		}
	}
	if !need {
		return append(out, v...)
	}
	out = append(out, f.Quote)
	for _, b := range v {
		if b == f.Quote || b == f.Escape {
			out = append(out, f.Escape)
		}
		out = append(out, b)
	}
	return append(out, f.Quote)
}

// copyTag is the CommandComplete tag of a COPY that sent n rows.
func copyTag(n int64) string { return "COPY " + strconv.FormatInt(n, 10) }

// withRowCount completes the tag of a statement that returned n rows.
// PostgreSQL counts rows in the tags of SELECT (and CREATE TABLE AS),
// FETCH, MOVE and COPY, not in those of SHOW or EXPLAIN.
func withRowCount(tag string, n int64) string {
	switch tag {
	case "SHOW", "EXPLAIN":
		return tag
	}
	return tag + " " + strconv.FormatInt(n, 10)
}
