package wire

import (
	"context"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// portal is a bound statement. Its lifetime follows PostgreSQL: the unnamed
// portal is replaced by the next Bind, and all portals are closed when the
// (implicit or explicit) transaction ends.
type portal struct {
	stmt    *Statement
	params  []types.Datum
	results []int16 // result format codes as sent in Bind

	// ctx is the context of the portal's execution, from the first Execute
	// until the portal finishes: an engine's RowIter may keep using the ctx
	// it got in Session.Execute while the portal is suspended.
	ctx    context.Context
	cancel context.CancelCauseFunc

	started bool
	iter    RowIter        // open while a row-returning execution is suspended
	cols    []types.Column // columns of the rows being returned
	tag     string         // CommandComplete tag without the row count
	done    bool           // ran to completion
	rows    bool           // returned rows (may be resumed at the end: "SELECT 0")
}

func (p *portal) columns() []types.Column {
	if p.cols != nil {
		return p.cols
	}
	return p.stmt.Columns
}

// extError reports an error in the extended protocol; the input up to the
// next Sync is then discarded.
func (c *conn) extError(ctx context.Context, err error) {
	c.fail(ctx, err)
	c.ignoreTillSync = true
}

func (c *conn) handleParse(m *pgproto3.Parse) {
	if m.Name != "" {
		if _, dup := c.stmts[m.Name]; dup {
			c.extError(nil, pgerror.Newf(pgerror.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name))
			return
		}
	}
	if err := c.abortedCheck(m.Query); err != nil {
		c.extError(nil, err)
		return
	}
	paramTypes, err := c.paramTypesFromOIDs(m.ParameterOIDs)
	if err != nil {
		c.extError(nil, err)
		return
	}
	ctx, end := c.beginStmt()
	defer end()
	stmts, err := c.prepare(ctx, m.Query, paramTypes)
	if err != nil {
		c.extError(ctx, err)
		return
	}
	var st *Statement
	for _, s := range stmts {
		if s == nil || s.Empty {
			continue
		}
		if st != nil {
			c.extError(nil, pgerror.New(pgerror.SyntaxError, "cannot insert multiple commands into a prepared statement"))
			return
		}
		st = s
	}
	if st == nil {
		st = &Statement{SQL: m.Query, Empty: true}
	}
	if c.stmts == nil {
		c.stmts = make(map[string]*Statement)
	}
	c.stmts[m.Name] = st
	c.send(&pgproto3.ParseComplete{})
}

func (c *conn) paramTypesFromOIDs(oids []uint32) (ts []types.T, err error) {
	defer c.recoverTo(&err, "FromOID")
	if len(oids) == 0 {
		return nil, nil
	}
	ts = make([]types.T, len(oids))
	for i, oid := range oids {
		if oid == 0 {
			ts[i] = types.TUnknown
			continue
		}
		t, ok := types.FromOID(oid)
		if !ok {
			return nil, pgerror.Newf(pgerror.UndefinedObject, "type with OID %d does not exist", oid)
		}
		ts[i] = t
	}
	return ts, nil
}

func (c *conn) lookupStmt(name string) (*Statement, error) {
	if st, ok := c.stmts[name]; ok {
		return st, nil
	}
	if name == "" {
		return nil, pgerror.New(pgerror.InvalidSQLStatementName, "unnamed prepared statement does not exist")
	}
	return nil, pgerror.Newf(pgerror.InvalidSQLStatementName, "prepared statement %q does not exist", name)
}

func (c *conn) lookupPortal(name string) (*portal, error) {
	if p, ok := c.portals[name]; ok {
		return p, nil
	}
	return nil, pgerror.Newf(pgerror.InvalidCursorName, "portal %q does not exist", name)
}

func (c *conn) handleBind(m *pgproto3.Bind) {
	st, err := c.lookupStmt(m.PreparedStatement)
	if err != nil {
		c.extError(nil, err)
		return
	}
	if m.DestinationPortal != "" {
		if _, dup := c.portals[m.DestinationPortal]; dup {
			c.extError(nil, pgerror.Newf(pgerror.DuplicateCursor, "cursor %q already exists", m.DestinationPortal))
			return
		}
	}
	if err := checkFormats(m.ParameterFormatCodes, len(m.Parameters), "parameter"); err != nil {
		c.extError(nil, err)
		return
	}
	if len(m.Parameters) != len(st.ParamTypes) {
		c.extError(nil, pgerror.Newf(pgerror.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), m.PreparedStatement, len(st.ParamTypes)))
		return
	}
	if err := checkFormats(m.ResultFormatCodes, len(st.Columns), "result"); err != nil {
		c.extError(nil, err)
		return
	}
	if err := c.abortedCheck(st.SQL); err != nil {
		c.extError(nil, err)
		return
	}
	params, err := c.decodeParams(st, m.Parameters, m.ParameterFormatCodes)
	if err != nil {
		c.extError(nil, err)
		return
	}
	c.closePortal(m.DestinationPortal)
	if c.portals == nil {
		c.portals = make(map[string]*portal)
	}
	c.portals[m.DestinationPortal] = &portal{stmt: st, params: params, results: m.ResultFormatCodes}
	c.send(&pgproto3.BindComplete{})
}

// decodeParams decodes Bind's values into the statement's parameter types;
// parameters of unknown type are taken as text.
func (c *conn) decodeParams(st *Statement, raw [][]byte, codes []int16) (params []types.Datum, err error) {
	defer c.recoverTo(&err, "parameter decoding")
	params = make([]types.Datum, len(raw))
	for i, b := range raw {
		if b == nil {
			params[i] = types.Null
			continue
		}
		t := st.ParamTypes[i]
		if t.Fam == types.Unknown {
			t = types.TText
		}
		var d types.Datum
		if formatAt(codes, i) == formatBinary {
			d, err = types.ParseBinary(b, t)
			if err != nil {
				return nil, pgerror.Wrap(err, pgerror.InvalidBinaryRepresentation)
			}
		} else {
			if !utf8.Valid(b) {
				return nil, pgerror.Newf("22021", "invalid byte sequence for encoding \"UTF8\" in bind parameter %d", i+1)
			}
			d, err = types.ParseText(string(b), t)
			if err != nil {
				return nil, pgerror.Wrap(err, pgerror.InvalidTextRepresentation)
			}
		}
		params[i] = d
	}
	return params, nil
}

func (c *conn) handleDescribe(m *pgproto3.Describe) {
	switch m.ObjectType {
	case 'S':
		st, err := c.lookupStmt(m.Name)
		if err != nil {
			c.extError(nil, err)
			return
		}
		pd, err := c.paramDescription(st)
		if err != nil {
			c.extError(nil, err)
			return
		}
		c.send(pd)
		c.describeColumns(st.Columns, st.Origins, nil)
	case 'P':
		p, err := c.lookupPortal(m.Name)
		if err != nil {
			c.extError(nil, err)
			return
		}
		c.describeColumns(p.columns(), p.stmt.Origins, p.results)
	default:
		c.extError(nil, pgerror.Newf(pgerror.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType))
	}
}

func (c *conn) paramDescription(st *Statement) (pd *pgproto3.ParameterDescription, err error) {
	defer c.recoverTo(&err, "ParameterDescription")
	pd = &pgproto3.ParameterDescription{ParameterOIDs: make([]uint32, len(st.ParamTypes))}
	for i, t := range st.ParamTypes {
		pd.ParameterOIDs[i] = t.OID()
	}
	return pd, nil
}

// describeColumns sends RowDescription, or NoData for a statement that
// returns no rows.
func (c *conn) describeColumns(cols []types.Column, origins []ColumnOrigin, codes []int16) {
	if cols == nil {
		c.send(&pgproto3.NoData{})
		return
	}
	rd, err := c.rowDescription(cols, origins, codes)
	if err != nil {
		c.extError(nil, err)
		return
	}
	c.send(rd)
}

func (c *conn) handleExecute(m *pgproto3.Execute) {
	p, err := c.lookupPortal(m.Portal)
	if err != nil {
		c.extError(nil, err)
		return
	}
	if p.stmt.Empty {
		c.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	if err := c.abortedCheck(p.stmt.SQL); err != nil {
		c.extError(nil, err)
		return
	}
	// The limit is an Int32 on the wire; zero or negative means no limit.
	maxRows := int64(int32(m.MaxRows))

	if !p.started {
		p.started = true
		p.ctx, p.cancel = context.WithCancelCause(c.ctx)
	}
	if p.done {
		if !p.rows {
			c.extError(nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "portal %q cannot be run", m.Portal))
			return
		}
		// A finished row portal yields nothing more, as in PostgreSQL.
		c.send(&pgproto3.CommandComplete{CommandTag: []byte(p.tag + " 0")})
		return
	}
	ctx := p.ctx
	defer c.running(p.cancel)()

	if p.iter == nil {
		res, err := c.execute(ctx, p.stmt, p.params)
		if err != nil {
			c.extError(ctx, err)
			c.finishPortal(p)
			return
		}
		c.sendSideEffects(res)
		p.tag = res.Tag
		if res.Copy != nil && res.Rows != nil {
			n, err := c.sendCopyOut(ctx, res)
			c.closeIter(res.Rows)
			c.finishPortal(p)
			if err != nil {
				c.extError(ctx, err)
				return
			}
			c.send(&pgproto3.CommandComplete{CommandTag: []byte(copyTag(n))})
			return
		}
		if res.Rows == nil {
			c.finishPortal(p)
			c.send(&pgproto3.CommandComplete{CommandTag: []byte(c.completeTag(p.stmt.SQL, res.Tag))})
			return
		}
		p.rows = true
		p.iter = res.Rows
		p.cols = res.Columns
		if len(p.columns()) != len(p.stmt.Columns) && len(p.results) > 1 {
			c.finishPortal(p)
			c.extError(nil, pgerror.Newf(pgerror.InternalError,
				"internal error: statement described %d columns but returned %d", len(p.stmt.Columns), len(p.columns())))
			return
		}
	}

	n, suspended, err := c.sendRows(ctx, p.iter, p.columns(), p.results, maxRows)
	if err != nil {
		c.extError(ctx, err)
		c.finishPortal(p)
		return
	}
	if suspended {
		c.send(&pgproto3.PortalSuspended{})
		return
	}
	c.finishPortal(p)
	// The count is of this Execute's rows only, as PostgreSQL reports it.
	tag := c.completeTag(p.stmt.SQL, withRowCount(p.tag, n))
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

func (c *conn) handleClose(m *pgproto3.Close) {
	switch m.ObjectType {
	case 'S':
		// Portals keep their *Statement, so closing it does not affect them.
		delete(c.stmts, m.Name)
	case 'P':
		c.closePortal(m.Name)
	default:
		c.extError(nil, pgerror.Newf(pgerror.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType))
		return
	}
	// Closing an object that does not exist is not an error.
	c.send(&pgproto3.CloseComplete{})
}

func (c *conn) handleSync() {
	c.ignoreTillSync = false
	if c.tx == txIdle {
		// Sync ends the implicit transaction, and its portals with it.
		c.closeAllPortals()
	}
	c.readyForQuery()
}

// finishPortal ends the portal's execution: its iterator is closed and its
// context cancelled. The portal itself stays until closed.
func (c *conn) finishPortal(p *portal) {
	p.done = true
	if p.iter != nil {
		it := p.iter
		p.iter = nil
		c.closeIter(it)
	}
	if p.cancel != nil {
		p.cancel(nil)
	}
}

func (c *conn) closePortal(name string) {
	if p, ok := c.portals[name]; ok {
		c.finishPortal(p)
		delete(c.portals, name)
	}
}

func (c *conn) closeAllPortals() {
	for name := range c.portals {
		c.closePortal(name)
	}
}
