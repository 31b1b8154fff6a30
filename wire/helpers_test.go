package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/goleak"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testEngine is a test double of the engine: a tiny command language stands
// in for SQL so that the wire, and the real client on the other side, are
// what is tested. Statements are separated by ';':
//
//	ints N          -> column n int4, rows 1..N (SELECT)
//	forever         -> column n int4, rows without end
//	echo T1 T2 ...  -> parameters $1.. of the given types, returned as one row
//	begin | start transaction | commit | end | rollback | abort
//	fail CODE       -> error with that SQLSTATE
//	sleep           -> blocks until ctx is cancelled, then 57014
//	panic           -> panics in Execute; panicprepare panics in Prepare
//	set NAME VALUE  -> ParameterChanges
//	notice MSG      -> a NOTICE, tag "DO"
//	iterfail N      -> N rows, then an uncoded error from the iterator
//	copy text|csv   -> COPY TO STDOUT of a few awkward values (copy_test.go)
//	show            -> one row, tag SHOW
//	anything else   -> 42601 syntax error at position 1
type testEngine struct {
	started chan struct{}   // a sleep began
	closed  chan BackendKey // Session.Close was called

	mu     sync.Mutex
	closes map[BackendKey]int
}

func newTestEngine() *testEngine {
	return &testEngine{
		started: make(chan struct{}, 16),
		closed:  make(chan BackendKey, 256),
		closes:  make(map[BackendKey]int),
	}
}

func (e *testEngine) Connect(ctx context.Context, startup map[string]string, key BackendKey) (Session, error) {
	if db := startup["database"]; db == "nodb" {
		return nil, pgerror.Newf(pgerror.InvalidCatalogName, "database %q does not exist", db)
	}
	return &testSession{e: e, key: key, startup: startup}, nil
}

type testSession struct {
	e       *testEngine
	key     BackendKey
	startup map[string]string
}

type testCmd struct {
	verb string
	args []string
}

var testTypes = map[string]types.T{
	"int4": types.TInt4, "int8": types.TInt8, "float8": types.TFloat8, "text": types.TText,
	"bool": types.TBool, "numeric": types.TNumeric, "timestamp": types.TTimestamp,
	"varchar": types.TVarchar, "date": types.TDate, "unknown": types.TUnknown,
}

func (s *testSession) ParameterStatus() map[string]string {
	return map[string]string{
		"server_version":              "16.0",
		"server_encoding":             "UTF8",
		"client_encoding":             "UTF8",
		"DateStyle":                   "ISO, MDY",
		"IntervalStyle":               "postgres",
		"TimeZone":                    "UTC",
		"integer_datetimes":           "on",
		"standard_conforming_strings": "on",
		"application_name":            s.startup["application_name"],
		"is_superuser":                "on",
		"session_authorization":       s.startup["user"],
	}
}

func (s *testSession) Prepare(ctx context.Context, query string, paramTypes []types.T) ([]*Statement, error) {
	var out []*Statement
	for _, part := range strings.Split(query, ";") {
		if i := strings.Index(part, "--"); i >= 0 {
			part = part[:i]
		}
		part = blockComment.ReplaceAllString(part, " ")
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		cmd := testCmd{verb: strings.ToLower(f[0]), args: f[1:]}
		st := &Statement{SQL: strings.TrimSpace(part), Handle: cmd}
		switch cmd.verb {
		case "ints", "forever", "iterfail":
			st.Columns = []types.Column{{Name: "n", Type: types.TInt4}}
		case "echo":
			for i, name := range cmd.args {
				t, ok := testTypes[name]
				if !ok {
					return nil, pgerror.Newf(pgerror.UndefinedObject, "type %q does not exist", name)
				}
				if i < len(paramTypes) && paramTypes[i].Fam != types.Unknown {
					t = paramTypes[i]
				}
				st.ParamTypes = append(st.ParamTypes, t)
				st.Columns = append(st.Columns, types.Column{Name: fmt.Sprintf("c%d", i+1), Type: t})
			}
		case "show":
			st.Columns = []types.Column{{Name: "setting", Type: types.TText}}
		case "begin", "start", "commit", "end", "rollback", "abort", "fail", "sleep", "panic", "set", "notice", "copy":
		case "panicprepare":
			panic("prepare exploded")
		default:
			return nil, pgerror.Newf(pgerror.SyntaxError, "syntax error at or near %q", f[0]).WithPosition(1)
		}
		out = append(out, st)
	}
	return out, nil
}

func (s *testSession) Execute(ctx context.Context, st *Statement, params []types.Datum) (*Result, error) {
	cmd := st.Handle.(testCmd)
	switch cmd.verb {
	case "ints":
		n, _ := strconv.Atoi(cmd.args[0])
		return &Result{Columns: st.Columns, Rows: &intIter{limit: n, execCtx: ctx}, Tag: "SELECT"}, nil
	case "forever":
		return &Result{Columns: st.Columns, Rows: &intIter{limit: -1}, Tag: "SELECT"}, nil
	case "iterfail":
		n, _ := strconv.Atoi(cmd.args[0])
		return &Result{Columns: st.Columns, Rows: &intIter{limit: n, fail: true}, Tag: "SELECT"}, nil
	case "echo":
		row := append(types.Row(nil), params...)
		return &Result{Columns: st.Columns, Rows: &sliceIter{rows: []types.Row{row}}, Tag: "SELECT"}, nil
	case "copy":
		return copyResult(cmd.args[0] == "csv"), nil
	case "show":
		return &Result{Columns: st.Columns, Rows: &sliceIter{rows: []types.Row{{types.NewString("on")}}}, Tag: "SHOW"}, nil
	case "begin":
		return &Result{Tag: "BEGIN"}, nil
	case "start":
		return &Result{Tag: "START TRANSACTION"}, nil
	case "commit", "end":
		return &Result{Tag: "COMMIT"}, nil
	case "rollback", "abort":
		return &Result{Tag: "ROLLBACK"}, nil
	case "fail":
		return nil, pgerror.Newf(cmd.args[0], "failed with %s", cmd.args[0]).WithDetail("some detail").WithHint("some hint")
	case "sleep":
		s.e.started <- struct{}{}
		<-ctx.Done()
		return nil, pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
	case "panic":
		panic("execute exploded")
	case "set":
		return &Result{Tag: "SET", ParameterChanges: map[string]string{cmd.args[0]: cmd.args[1]}}, nil
	case "notice":
		return &Result{Tag: "DO", Notices: []*pgerror.Error{pgerror.New("", strings.Join(cmd.args, " "))}}, nil
	}
	return nil, fmt.Errorf("unhandled %q", cmd.verb)
}

func (s *testSession) Close() {
	s.e.mu.Lock()
	s.e.closes[s.key]++
	s.e.mu.Unlock()
	s.e.closed <- s.key
}

var blockComment = regexp.MustCompile(`/\*.*?\*/`)

// closeCount reports how often Session.Close ran for key.
func (e *testEngine) closeCount(key BackendKey) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closes[key]
}

// waitClosed waits for n Session.Close calls.
func (e *testEngine) waitClosed(t *testing.T, n int) []BackendKey {
	t.Helper()
	var keys []BackendKey
	for range n {
		select {
		case k := <-e.closed:
			keys = append(keys, k)
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d sessions closed", len(keys), n)
		}
	}
	return keys
}

// intIter yields 1..limit (forever when limit < 0). When execCtx is set it
// checks that the context given to Execute stays valid while it is open.
type intIter struct {
	execCtx  context.Context
	limit, i int
	fail     bool
	row      types.Row
	closed   bool
}

func (it *intIter) Next(ctx context.Context) (types.Row, error) {
	if it.closed {
		return nil, errors.New("Next after Close")
	}
	if it.execCtx != nil && it.execCtx.Err() != nil {
		return nil, fmt.Errorf("Execute's context ended while its rows were read: %w", it.execCtx.Err())
	}
	if it.limit >= 0 && it.i >= it.limit {
		if it.fail {
			return nil, errors.New("iterator broke")
		}
		return nil, nil
	}
	it.i++
	if it.row == nil {
		it.row = make(types.Row, 1)
	}
	it.row[0] = types.NewInt(int64(it.i))
	return it.row, nil
}

func (it *intIter) Close() { it.closed = true }

type sliceIter struct{ rows []types.Row }

func (it *sliceIter) Next(context.Context) (types.Row, error) {
	if len(it.rows) == 0 {
		return nil, nil
	}
	r := it.rows[0]
	it.rows = it.rows[1:]
	return r, nil
}

func (it *sliceIter) Close() {}

type testServer struct {
	srv  *Server
	eng  *testEngine
	addr string
	done chan error
}

func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	eng := newTestEngine()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ts := &testServer{srv: NewServer(cfg, eng, logger), eng: eng, addr: ln.Addr().String(), done: make(chan error, 1)}
	go func() { ts.done <- ts.srv.Serve(ln) }()
	t.Cleanup(func() { ts.shutdown(t) })
	return ts
}

func (ts *testServer) shutdown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	select {
	case err := <-ts.done:
		if !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		ts.done <- err // a second shutdown (Cleanup) reads it again
	case <-time.After(10 * time.Second):
		t.Error("Serve did not return")
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (ts *testServer) connString(db string) string {
	return fmt.Sprintf("postgres://tester@%s/%s?sslmode=disable&application_name=wiretest", ts.addr, db)
}

func (ts *testServer) connect(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, ts.connString("db"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawClient speaks the protocol through pgproto3.Frontend, for what a
// driver does not let a test control.
type rawClient struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// startupRaw dials and completes the startup, returning the client and its
// BackendKeyData.
func startupRaw(t *testing.T, addr string) (*rawClient, *pgproto3.BackendKeyData) {
	t.Helper()
	rc := dialRaw(t, addr)
	rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "tester", "database": "db"}})
	var key *pgproto3.BackendKeyData
	for {
		switch m := rc.recv().(type) {
		case *pgproto3.BackendKeyData:
			key = &pgproto3.BackendKeyData{ProcessID: m.ProcessID, SecretKey: append([]byte(nil), m.SecretKey...)}
		case *pgproto3.ReadyForQuery:
			return rc, key
		case *pgproto3.ErrorResponse:
			t.Fatalf("startup failed: %s %s", m.Code, m.Message)
		}
	}
}

func (rc *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	rc.t.Helper()
	for _, m := range msgs {
		rc.fe.Send(m)
	}
	if err := rc.fe.Flush(); err != nil {
		rc.t.Fatalf("send: %v", err)
	}
}

func (rc *rawClient) recv() pgproto3.BackendMessage {
	rc.t.Helper()
	m, err := rc.recvErr()
	if err != nil {
		rc.t.Fatalf("receive: %v", err)
	}
	return m
}

func (rc *rawClient) recvErr() (pgproto3.BackendMessage, error) {
	_ = rc.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	return rc.fe.Receive()
}

// expect receives len(want) messages and compares their summaries.
func (rc *rawClient) expect(want ...string) {
	rc.t.Helper()
	for i, w := range want {
		if got := summarize(rc.recv()); got != w {
			rc.t.Fatalf("message %d: got %q, want %q", i, got, w)
		}
	}
}

// expectClosed asserts that the server closes the connection next.
func (rc *rawClient) expectClosed() {
	rc.t.Helper()
	m, err := rc.recvErr()
	if err == nil {
		rc.t.Fatalf("got %q, want connection closed", summarize(m))
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		rc.t.Fatalf("connection still open: %v", err)
	}
}

// summarize renders a backend message in one line for comparisons.
func summarize(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.RowDescription:
		var parts []string
		for _, f := range m.Fields {
			parts = append(parts, fmt.Sprintf("%s:%d/%d", f.Name, f.DataTypeOID, f.Format))
		}
		return "RowDescription " + strings.Join(parts, ",")
	case *pgproto3.DataRow:
		var parts []string
		for _, v := range m.Values {
			if v == nil {
				parts = append(parts, "NULL")
			} else {
				parts = append(parts, string(v))
			}
		}
		return "DataRow " + strings.Join(parts, ",")
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		return "ErrorResponse " + m.Severity + " " + m.Code
	case *pgproto3.NoticeResponse:
		return "NoticeResponse " + m.Severity + " " + m.Message
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.ParameterDescription:
		var parts []string
		for _, o := range m.ParameterOIDs {
			parts = append(parts, strconv.Itoa(int(o)))
		}
		return "ParameterDescription " + strings.Join(parts, ",")
	case *pgproto3.ParameterStatus:
		return "ParameterStatus " + m.Name + "=" + m.Value
	default:
		return strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3.")
	}
}
