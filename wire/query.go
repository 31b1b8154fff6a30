package wire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"

	"streamsqld/sql/pgerror"
)

// simpleQuery serves a Query message: every statement of the string runs in
// order until one fails, then ReadyForQuery.
func (c *conn) simpleQuery(sql string) {
	// A Query message ends the extended protocol's unnamed objects.
	c.closePortal("")
	delete(c.stmts, "")

	c.runSimple(sql)
	if c.closing {
		return
	}
	if c.tx == txIdle {
		c.closeAllPortals()
	}
	c.readyForQuery()
}

func (c *conn) runSimple(sql string) {
	if err := c.abortedCheck(sql); err != nil {
		c.fail(nil, err)
		return
	}
	ctx, end := c.beginStmt()
	defer end()
	stmts, err := c.prepare(ctx, sql, nil)
	if err != nil {
		c.fail(ctx, err)
		return
	}
	ran := false
	for _, st := range stmts {
		if st == nil || st.Empty {
			continue
		}
		ran = true
		if !c.execSimple(ctx, st) {
			return
		}
	}
	if !ran {
		c.send(&pgproto3.EmptyQueryResponse{})
	}
}

// execSimple runs one statement of a Query message and reports success.
func (c *conn) execSimple(ctx context.Context, st *Statement) bool {
	if err := c.abortedCheck(st.SQL); err != nil {
		c.fail(nil, err)
		return false
	}
	if len(st.ParamTypes) > 0 {
		c.fail(nil, pgerror.New(pgerror.UndefinedParameter, "there is no parameter $1"))
		return false
	}
	res, err := c.execute(ctx, st, nil)
	if err != nil {
		c.fail(ctx, err)
		return false
	}
	c.sendSideEffects(res)
	if res.Copy != nil && res.Rows != nil {
		n, err := c.sendCopyOut(ctx, res)
		c.closeIter(res.Rows)
		if err != nil {
			c.fail(ctx, err)
			return false
		}
		c.send(&pgproto3.CommandComplete{CommandTag: []byte(copyTag(n))})
		return true
	}
	cols := res.Columns
	if cols == nil && res.Rows != nil {
		cols = st.Columns
	}
	if cols != nil {
		origins := res.Origins
		if origins == nil {
			origins = st.Origins
		}
		rd, err := c.rowDescription(cols, origins, nil)
		if err != nil {
			if res.Rows != nil {
				c.closeIter(res.Rows)
			}
			c.fail(ctx, err)
			return false
		}
		c.send(rd)
	}
	tag := res.Tag
	if res.Rows != nil {
		n, _, err := c.sendRows(ctx, res.Rows, cols, nil, 0)
		c.closeIter(res.Rows)
		if err != nil {
			c.fail(ctx, err)
			return false
		}
		tag = withRowCount(tag, n)
	}
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(c.completeTag(st.SQL, tag))})
	return true
}

// fail reports err for a statement run under ctx (nil when no engine call
// was involved) and updates the transaction status.
func (c *conn) fail(ctx context.Context, err error) {
	c.sendError(c.errorFor(ctx, err))
	c.afterError()
}
