package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

const (
	// flushThreshold is how much output is buffered before it is written,
	// so large results stream instead of accumulating.
	flushThreshold = 8 << 10
	// maxRetainedBuf caps the output buffer kept between flushes; a single
	// huge row must not pin its memory for the connection's lifetime.
	maxRetainedBuf = 1 << 20
	// cannotConnectNow is PostgreSQL's 57P03, sent to clients that arrive
	// during shutdown.
	cannotConnectNow = "57P03"
)

// Transaction status as reported in ReadyForQuery.
const (
	txIdle    byte = 'I'
	txInBlock byte = 'T'
	txFailed  byte = 'E'
)

// inMsg is what the reader hands to the session loop: a message owned by
// the receiver (copied out of pgproto3's flyweights) or the read error that
// ended the reader.
type inMsg struct {
	msg any
	err error
}

// unexpectedMsg stands for a frontend message that is valid on the wire but
// never valid after startup (password and SASL responses).
type unexpectedMsg struct{ name string }

// conn is one client connection. Apart from mu and cancelStmt, its fields
// belong to the session goroutine (serveConn).
type conn struct {
	srv    *Server
	nc     net.Conn
	be     *pgproto3.Backend
	logger *slog.Logger
	sess   Session
	key    BackendKey

	// ctx is the parent of every statement context. It is cancelled with
	// errShutdown by Shutdown and with errClientGone when the reader or a
	// write finds the client gone, so a long statement does not outlive its
	// client.
	ctx        context.Context
	cancelConn context.CancelCauseFunc

	// msgs carries messages from the reader to the session loop. It is
	// unbuffered: the reader holds at most one message ahead, so a client
	// that pipelines is throttled by TCP instead of by our memory.
	msgs chan inMsg
	// done is closed when the session loop ends and releases a reader
	// blocked on msgs.
	done chan struct{}

	mu         sync.Mutex
	cancelStmt context.CancelCauseFunc // set while a statement runs; used by CancelRequest

	// out is the output buffer; mark is its length when the current message
	// started (reset by flush), so a panic can drop a half-written message.
	out      []byte
	mark     int
	writeErr error // first write error; the connection is finished
	closing  bool  // Terminate, or a FATAL was queued: end after flushing

	tx             byte
	ignoreTillSync bool // an extended-protocol error discards input until Sync
	stmts          map[string]*Statement
	portals        map[string]*portal
}

// serveConn owns one accepted connection from startup to close.
//
// A connection ends in one of five ways: the client sends Terminate; the
// client vanishes (read error, or a write that fails or times out); the
// client sends a malformed message (FATAL 08P01); the engine or the startup
// fails with a FATAL error; or Shutdown (FATAL 57P01). In every case the
// portals' iterators are closed and then Session.Close is called once.
func (s *Server) serveConn(nc net.Conn) {
	defer s.wg.Done()
	defer s.forget(nc)
	defer func() { _ = nc.Close() }()

	c := &conn{
		srv:    s,
		nc:     nc,
		logger: s.logger.With("remote", nc.RemoteAddr().String()),
		tx:     txIdle,
		msgs:   make(chan inMsg),
		done:   make(chan struct{}),
	}
	// The Backend only reads: output goes through c.out so that we decide
	// when to flush and every write carries a deadline.
	c.be = pgproto3.NewBackend(nc, io.Discard)
	c.be.SetMaxBodyLen(s.cfg.MaxMessageSize)

	if !c.startup() {
		_ = c.flush()
		return
	}
	readerDone := make(chan struct{})
	go c.readLoop(readerDone)
	c.run()
	_ = c.flush()

	close(c.done)
	_ = nc.Close() // unblocks the reader's Read
	<-readerDone
	c.cancelConn(nil)
	c.closeAllPortals()
	// The slot is freed before Session.Close so that once a client sees its
	// session closed, a new connection is admitted.
	s.release(c.key)
	c.closeSession()
}

// startup runs the startup phase up to the first ReadyForQuery. It returns
// false when the connection must be closed (after a FATAL, a CancelRequest
// or a read failure).
func (c *conn) startup() bool {
	s := c.srv
	_ = c.nc.SetReadDeadline(time.Now().Add(s.cfg.StartupTimeout))
	sm := c.readStartup()
	if sm == nil {
		return false
	}
	_ = c.nc.SetReadDeadline(time.Time{})

	params := make(map[string]string, len(sm.Parameters))
	var unrecognized []string
	for k, v := range sm.Parameters {
		// "_pq_." parameters are protocol extensions; none is supported,
		// which NegotiateProtocolVersion reports.
		if strings.HasPrefix(k, "_pq_.") {
			unrecognized = append(unrecognized, k)
			continue
		}
		params[k] = v
	}
	if sm.ProtocolVersion != pgproto3.ProtocolVersion30 || len(unrecognized) > 0 {
		slices.Sort(unrecognized)
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unrecognized})
	}
	if params["user"] == "" {
		c.sendFatal(pgerror.New(pgerror.InvalidAuthorizationSpec, "no PostgreSQL user name specified in startup packet"))
		return false
	}
	if params["database"] == "" {
		params["database"] = params["user"]
	}

	key, ok, closing := s.admit(c.nc)
	if closing {
		c.sendFatal(pgerror.New(cannotConnectNow, "the database system is shutting down"))
		return false
	}
	if !ok {
		c.sendFatal(pgerror.New(pgerror.TooManyConnections, "sorry, too many clients already"))
		return false
	}
	c.key = key
	c.ctx, c.cancelConn = context.WithCancelCause(s.baseCtx)

	status, err := c.connect(params)
	if err != nil {
		pe := c.errorFor(c.ctx, err)
		c.cancelConn(nil)
		s.release(key)
		c.sendFatal(pe)
		return false
	}
	s.register(c)

	c.send(&pgproto3.AuthenticationOk{})
	for _, k := range slices.Sorted(maps.Keys(status)) {
		c.send(&pgproto3.ParameterStatus{Name: k, Value: status[k]})
	}
	c.send(&pgproto3.BackendKeyData{ProcessID: key.ProcessID, SecretKey: binary.BigEndian.AppendUint32(nil, key.SecretKey)})
	c.readyForQuery()
	if c.writeErr != nil {
		// The caller's deferred release and closeSession still run.
		c.closing = true
	}
	return true
}

// readStartup reads startup packets until a StartupMessage arrives. SSL and
// GSS encryption requests are declined with 'N' and the client continues in
// plaintext on the same connection.
func (c *conn) readStartup() *pgproto3.StartupMessage {
	for range 3 {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			if !isConnLoss(err) {
				c.sendFatal(pgerror.Newf(pgerror.ProtocolViolation, "invalid startup packet: %v", err))
			}
			return nil
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			c.out = append(c.out, 'N')
			if c.flush() != nil {
				return nil
			}
		case *pgproto3.CancelRequest:
			c.srv.cancel(m.ProcessID, m.SecretKey)
			return nil
		case *pgproto3.StartupMessage:
			return &pgproto3.StartupMessage{ProtocolVersion: m.ProtocolVersion, Parameters: maps.Clone(m.Parameters)}
		default:
			c.sendFatal(pgerror.Newf(pgerror.ProtocolViolation, "unexpected startup message %T", msg))
			return nil
		}
	}
	c.sendFatal(pgerror.New(pgerror.ProtocolViolation, "too many encryption requests"))
	return nil
}

// connect calls the engine, turning its panics into errors.
func (c *conn) connect(params map[string]string) (status map[string]string, err error) {
	defer c.recoverTo(&err, "connect")
	ctx, cancel := context.WithTimeout(c.ctx, c.srv.cfg.StartupTimeout)
	defer cancel()
	sess, err := c.srv.eng.Connect(ctx, params, c.key)
	if err != nil {
		if sess != nil {
			sess.Close()
		}
		return nil, err
	}
	c.sess = sess
	defer func() {
		if err != nil {
			c.closeSession()
		}
	}()
	return sess.ParameterStatus(), nil
}

func (c *conn) closeSession() {
	if c.sess == nil {
		return
	}
	sess := c.sess
	c.sess = nil
	defer func() {
		if r := recover(); r != nil {
			c.logger.Error("panic in Session.Close", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	sess.Close()
}

// readLoop receives messages and hands owned copies to the session loop. It
// ends after Terminate, after a read error, or when the session loop ends.
func (c *conn) readLoop(done chan<- struct{}) {
	defer close(done)
	for {
		msg, err := c.be.Receive()
		in := inMsg{err: err}
		if err != nil {
			if isConnLoss(err) {
				// Stop whatever runs for a client that is gone; the
				// session loop learns why from the message below.
				c.cancelConn(errClientGone)
			}
		} else {
			in.msg = ownMessage(msg)
		}
		select {
		case c.msgs <- in:
		case <-c.done:
			return
		}
		if err != nil {
			return
		}
		if _, ok := in.msg.(*pgproto3.Terminate); ok {
			return
		}
	}
}

// ownMessage copies msg out of the Backend's reused flyweights.
func ownMessage(msg pgproto3.FrontendMessage) any {
	switch m := msg.(type) {
	case *pgproto3.Query:
		cp := *m
		return &cp
	case *pgproto3.Parse:
		cp := *m
		cp.ParameterOIDs = slices.Clone(m.ParameterOIDs)
		return &cp
	case *pgproto3.Bind:
		cp := *m
		cp.ParameterFormatCodes = slices.Clone(m.ParameterFormatCodes)
		cp.ResultFormatCodes = slices.Clone(m.ResultFormatCodes)
		cp.Parameters = make([][]byte, len(m.Parameters))
		for i, p := range m.Parameters {
			if p != nil { // nil is SQL NULL and must stay nil
				cp.Parameters[i] = append(make([]byte, 0, len(p)), p...)
			}
		}
		return &cp
	case *pgproto3.Describe:
		cp := *m
		return &cp
	case *pgproto3.Execute:
		cp := *m
		return &cp
	case *pgproto3.Close:
		cp := *m
		return &cp
	case *pgproto3.Sync:
		return &pgproto3.Sync{}
	case *pgproto3.Flush:
		return &pgproto3.Flush{}
	case *pgproto3.Terminate:
		return &pgproto3.Terminate{}
	case *pgproto3.CopyData:
		return &pgproto3.CopyData{} // ignored outside COPY; the payload is not needed
	case *pgproto3.CopyDone:
		return &pgproto3.CopyDone{}
	case *pgproto3.CopyFail:
		return &pgproto3.CopyFail{Message: m.Message}
	case *pgproto3.FunctionCall:
		return &pgproto3.FunctionCall{Function: m.Function}
	default:
		return unexpectedMsg{name: fmt.Sprintf("%T", msg)}
	}
}

// isConnLoss tells a vanished client (nothing can be sent back) from a
// protocol violation (which gets an ErrorResponse).
func isConnLoss(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// run is the session loop: one message at a time, until the connection
// must end.
func (c *conn) run() {
	for !c.closing && c.writeErr == nil {
		// Checked first so that a client pipelining statements cannot keep
		// a shutting-down server busy.
		select {
		case <-c.srv.shutdownCh:
			c.sendFatal(adminShutdownError())
			return
		default:
		}
		var in inMsg
		select {
		case in = <-c.msgs:
		case <-c.srv.shutdownCh:
			c.sendFatal(adminShutdownError())
			return
		}
		c.mark = len(c.out)
		c.dispatch(in)
	}
}

// fatal returns a copy of pe with severity FATAL: the connection ends after
// it is sent.
func fatal(pe *pgerror.Error) *pgerror.Error {
	cp := *pe
	cp.Severity = "FATAL"
	return &cp
}

func adminShutdownError() *pgerror.Error {
	return pgerror.New(pgerror.AdminShutdown, "terminating connection due to administrator command")
}

// dispatch handles one message. Engine and codec calls recover their own
// panics into errors; the recover here is the last line of defence and ends
// the connection, since the session state is then unknown.
func (c *conn) dispatch(in inMsg) {
	defer func() {
		if r := recover(); r != nil {
			c.logger.Error("panic serving message", "panic", r, "stack", string(debug.Stack()))
			c.out = c.out[:c.mark]
			c.sendFatal(pgerror.Newf(pgerror.InternalError, "internal error: %v", r))
		}
	}()
	if in.err != nil {
		c.closing = true
		if !isConnLoss(in.err) {
			c.logger.Info("protocol violation", "err", in.err)
			c.sendFatal(pgerror.Newf(pgerror.ProtocolViolation, "invalid frontend message: %v", in.err))
		}
		return
	}
	if _, ok := in.msg.(*pgproto3.Terminate); ok {
		c.closing = true
		return
	}
	if c.ignoreTillSync {
		if _, ok := in.msg.(*pgproto3.Sync); !ok {
			return
		}
	}
	switch m := in.msg.(type) {
	case *pgproto3.Query:
		c.simpleQuery(m.String)
	case *pgproto3.Parse:
		c.handleParse(m)
	case *pgproto3.Bind:
		c.handleBind(m)
	case *pgproto3.Describe:
		c.handleDescribe(m)
	case *pgproto3.Execute:
		c.handleExecute(m)
	case *pgproto3.Close:
		c.handleClose(m)
	case *pgproto3.Sync:
		c.handleSync()
	case *pgproto3.Flush:
		_ = c.flush()
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// PostgreSQL ignores these outside COPY: a client may still be
		// streaming data for a COPY that already failed.
	case *pgproto3.FunctionCall:
		c.sendError(pgerror.New(pgerror.FeatureNotSupported, "fastpath function calls are not supported"))
		c.afterError()
		c.readyForQuery()
	case unexpectedMsg:
		c.sendFatal(pgerror.Newf(pgerror.ProtocolViolation, "unexpected message %s", m.name))
	default:
		c.sendFatal(pgerror.Newf(pgerror.ProtocolViolation, "unexpected message %T", m))
	}
}

// beginStmt returns the context for one engine call, cancellable by a
// CancelRequest, and the function that ends it.
func (c *conn) beginStmt() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(c.ctx)
	done := c.running(cancel)
	return ctx, func() {
		done()
		cancel(nil)
	}
}

// running makes cancel the target of CancelRequests until the returned
// function is called.
func (c *conn) running(cancel context.CancelCauseFunc) func() {
	c.mu.Lock()
	c.cancelStmt = cancel
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.cancelStmt = nil
		c.mu.Unlock()
	}
}

// cancelRunning is called by another connection's goroutine for a
// CancelRequest. Between statements there is nothing to cancel and, as in
// PostgreSQL, the request is dropped.
func (c *conn) cancelRunning() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelStmt != nil {
		c.cancelStmt(errCancelRequest)
	}
}

// recoverTo turns a panic into an XX000 error in *err. It must be deferred
// directly.
func (c *conn) recoverTo(err *error, what string) {
	if r := recover(); r != nil {
		c.logger.Error("panic in "+what, "panic", r, "stack", string(debug.Stack()))
		*err = pgerror.Newf(pgerror.InternalError, "internal error: %v", r)
	}
}

// errorFor maps an error from the engine or the codec to what the client
// sees. A cancelled context wins over an uncoded error: the engine may just
// return ctx.Err().
func (c *conn) errorFor(ctx context.Context, err error) *pgerror.Error {
	var pe *pgerror.Error
	coded := errors.As(err, &pe)
	if ctx != nil && ctx.Err() != nil {
		switch context.Cause(ctx) {
		case errShutdown:
			return fatal(adminShutdownError())
		case errClientGone:
			return fatal(pgerror.New(pgerror.ConnectionFailure, "connection to client lost"))
		case errCancelRequest:
			if !coded {
				return pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
			}
		}
	}
	if coded {
		return pe
	}
	c.logger.Error("internal error", "err", err)
	return pgerror.Flatten(err)
}

// prepare calls Session.Prepare, turning panics into errors.
func (c *conn) prepare(ctx context.Context, query string, paramTypes []types.T) (stmts []*Statement, err error) {
	defer c.recoverTo(&err, "Prepare")
	return c.sess.Prepare(ctx, query, paramTypes)
}

// execute calls Session.Execute, turning panics into errors.
func (c *conn) execute(ctx context.Context, stmt *Statement, params []types.Datum) (res *Result, err error) {
	defer c.recoverTo(&err, "Execute")
	res, err = c.sess.Execute(ctx, stmt, params)
	if err == nil && res == nil {
		err = errors.New("engine returned no result")
	}
	if err != nil && res != nil && res.Rows != nil {
		c.closeIter(res.Rows)
	}
	return res, err
}

// next calls RowIter.Next, turning panics into errors.
func (c *conn) next(ctx context.Context, it RowIter) (row types.Row, err error) {
	defer c.recoverTo(&err, "RowIter.Next")
	return it.Next(ctx)
}

func (c *conn) closeIter(it RowIter) {
	defer func() {
		if r := recover(); r != nil {
			c.logger.Error("panic in RowIter.Close", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	it.Close()
}
