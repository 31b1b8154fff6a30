package wire

import (
	"context"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Result format codes of the extended protocol.
const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// flush writes the buffered output. Every write has a deadline so a client
// that stops reading is disconnected instead of blocking its session
// forever; the first failure is sticky and cancels the connection context.
func (c *conn) flush() error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if len(c.out) == 0 {
		return nil
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.srv.cfg.WriteTimeout))
	_, err := c.nc.Write(c.out)
	if cap(c.out) > maxRetainedBuf {
		c.out = nil
	} else {
		c.out = c.out[:0]
	}
	c.mark = 0
	if err != nil {
		c.writeErr = err
		if c.cancelConn != nil {
			c.cancelConn(errClientGone)
		}
		c.logger.Debug("write to client failed", "err", err)
	}
	return err
}

// send buffers msg, flushing when the buffer is large.
func (c *conn) send(msg pgproto3.BackendMessage) {
	out, err := msg.Encode(c.out)
	if err != nil {
		// Only messages too large for the protocol fail to encode.
		c.logger.Error("cannot encode message", "type", fmt.Sprintf("%T", msg), "err", err)
		return
	}
	c.out = out
	if len(c.out) >= flushThreshold {
		_ = c.flush()
	}
}

func (c *conn) readyForQuery() {
	c.send(&pgproto3.ReadyForQuery{TxStatus: c.tx})
	_ = c.flush()
}

// sendError sends an ErrorResponse. Severity FATAL or PANIC ends the
// connection.
func (c *conn) sendError(pe *pgerror.Error) {
	sev := pe.Severity
	if sev == "" {
		sev = "ERROR"
	}
	if sev == "FATAL" || sev == "PANIC" {
		c.closing = true
	}
	code := pe.Code
	if code == "" {
		code = pgerror.InternalError
	}
	c.send(&pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                code,
		Message:             pe.Message,
		Detail:              pe.Detail,
		Hint:                pe.Hint,
		Position:            int32(pe.Position),
	})
}

// sendFatal sends pe as FATAL and flushes; the connection then ends.
func (c *conn) sendFatal(pe *pgerror.Error) {
	c.sendError(fatal(pe))
	_ = c.flush()
}

// sendSideEffects sends a result's ParameterStatus changes and notices.
func (c *conn) sendSideEffects(res *Result) {
	for _, k := range slices.Sorted(maps.Keys(res.ParameterChanges)) {
		c.send(&pgproto3.ParameterStatus{Name: k, Value: res.ParameterChanges[k]})
	}
	for _, n := range res.Notices {
		sev := n.Severity
		if sev == "" {
			sev = "NOTICE"
		}
		code := n.Code
		if code == "" {
			code = pgerror.SuccessfulCompletion
		}
		c.send(&pgproto3.NoticeResponse{
			Severity:            sev,
			SeverityUnlocalized: sev,
			Code:                code,
			Message:             n.Message,
			Detail:              n.Detail,
			Hint:                n.Hint,
			Position:            int32(n.Position),
		})
	}
}

// formatAt applies the protocol's format-code rule: no codes means all text,
// one code applies to all, otherwise one per column or parameter.
func formatAt(codes []int16, i int) int16 {
	switch {
	case len(codes) == 0:
		return formatText
	case len(codes) == 1:
		return codes[0]
	case i < len(codes):
		return codes[i]
	default:
		return formatText
	}
}

// checkFormats validates format codes against n values.
func checkFormats(codes []int16, n int, what string) error {
	if len(codes) > 1 && len(codes) != n {
		return pgerror.Newf(pgerror.ProtocolViolation, "bind message has %d %s formats but %d %s",
			len(codes), what, n, map[string]string{"parameter": "parameters", "result": "columns"}[what])
	}
	for _, f := range codes {
		if f != formatText && f != formatBinary {
			return pgerror.Newf(pgerror.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return nil
}

// pgTypmod is the atttypmod PostgreSQL reports: types.T keeps the declared
// modifier, and PostgreSQL adds the varlena header size for character
// varying and numeric.
func pgTypmod(t types.T) int32 {
	if t.Mod < 0 {
		return -1
	}
	switch t.Fam {
	case types.Varchar, types.Numeric:
		return t.Mod + 4
	}
	return t.Mod
}

// rowDescription builds the RowDescription for cols; codes are the result
// format codes (nil: text).
func (c *conn) rowDescription(cols []types.Column, origins []ColumnOrigin, codes []int16) (rd *pgproto3.RowDescription, err error) {
	defer c.recoverTo(&err, "RowDescription")
	rd = &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, col := range cols {
		rd.Fields[i] = pgproto3.FieldDescription{
			Name:         []byte(col.Name),
			DataTypeOID:  col.Type.OID(),
			DataTypeSize: col.Type.TypLen(),
			TypeModifier: pgTypmod(col.Type),
			Format:       formatAt(codes, i),
		}
		if i < len(origins) {
			rd.Fields[i].TableOID = origins[i].TableOID
			rd.Fields[i].TableAttributeNumber = uint16(origins[i].Attnum)
		}
	}
	return rd, nil
}

// appendDataRow encodes row as a DataRow directly into the output buffer,
// so values are formatted without intermediate allocations. On error the
// partial message is removed.
func (c *conn) appendDataRow(row types.Row, cols []types.Column, codes []int16) (err error) {
	if len(row) != len(cols) {
		return pgerror.Newf(pgerror.InternalError, "internal error: row has %d columns, result has %d", len(row), len(cols))
	}
	start := len(c.out)
	defer func() {
		if r := recover(); r != nil {
			c.logger.Error("panic encoding row", "panic", r)
			err = pgerror.Newf(pgerror.InternalError, "internal error: %v", r)
		}
		if err != nil {
			c.out = c.out[:start]
		}
	}()
	out := append(c.out, 'D', 0, 0, 0, 0)
	out = binary.BigEndian.AppendUint16(out, uint16(len(row)))
	for i, d := range row {
		if d.IsNull() {
			out = binary.BigEndian.AppendUint32(out, 0xFFFFFFFF)
			continue
		}
		lenAt := len(out)
		out = append(out, 0, 0, 0, 0)
		if formatAt(codes, i) == formatBinary {
			out, err = types.AppendBinary(out, d, cols[i].Type)
			if err != nil {
				c.out = out
				return pgerror.Wrap(err, pgerror.InternalError)
			}
		} else {
			out = c.appendText(out, d, cols[i].Type)
		}
		binary.BigEndian.PutUint32(out[lenAt:], uint32(len(out)-lenAt-4))
	}
	binary.BigEndian.PutUint32(out[start+1:], uint32(len(out)-start-1))
	c.out = out
	return nil
}

// appendText appends d's text form, asking the session for the types it
// prints itself.
func (c *conn) appendText(out []byte, d types.Datum, t types.T) []byte {
	if NeedsSessionText(t) {
		if f, ok := c.sess.(TextFormatter); ok {
			if res, ok := f.AppendText(out, d, t); ok {
				return res
			}
		}
	}
	return types.AppendText(out, d, t)
}

// sendRows streams up to max rows (0: all) from it as DataRows, flushing as
// the buffer fills so results are never held in full. suspended reports that
// max was reached; as in PostgreSQL the iterator is not probed for more.
func (c *conn) sendRows(ctx context.Context, it RowIter, cols []types.Column, codes []int16, max int64) (n int64, suspended bool, err error) {
	for max <= 0 || n < max {
		row, err := c.next(ctx, it)
		if err != nil {
			return n, false, err
		}
		if row == nil {
			return n, false, nil
		}
		if err := c.appendDataRow(row, cols, codes); err != nil {
			return n, false, err
		}
		n++
		if len(c.out) >= flushThreshold {
			if err := c.flush(); err != nil {
				return n, false, err
			}
			// An iterator that ignores ctx still stops at a cancel.
			if err := ctx.Err(); err != nil {
				return n, false, err
			}
		}
	}
	return n, true, nil
}
