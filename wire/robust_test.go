package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/goleak"
)

func TestCancelRequest(t *testing.T) {
	ts := startServer(t, Config{})
	conn := ts.connect(t)
	ctx := testCtx(t)

	errc := make(chan error, 1)
	go func() {
		_, err := conn.Exec(context.Background(), "sleep")
		errc <- err
	}()
	<-ts.eng.started

	// A wrong secret is ignored; the server closes the cancel connection
	// once it has handled the request.
	rc := dialRaw(t, ts.addr)
	pid := conn.PgConn().PID()
	rc.send(&pgproto3.CancelRequest{ProcessID: pid, SecretKey: []byte{1, 2, 3, 4}})
	rc.expectClosed()
	select {
	case err := <-errc:
		t.Fatalf("statement ended by a wrong key: %v", err)
	default:
	}

	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	if code := pgCode(t, <-errc); code != "57014" {
		t.Fatalf("code %s, want 57014", code)
	}
	var n int32
	if err := conn.QueryRow(ctx, "ints 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after cancel: %d, %v", n, err)
	}

	// pgx configured to cancel through the context sends a CancelRequest
	// over a new connection and keeps its own.
	cfg, err := pgx.ParseConfig(ts.connString("db"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 10 * time.Second}
	}
	conn, err = pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	qctx, cancel := context.WithCancel(ctx)
	go func() {
		<-ts.eng.started
		cancel()
	}()
	_, err = conn.Exec(qctx, "sleep")
	if code := pgCode(t, err); code != "57014" {
		t.Fatalf("code %s, want 57014", code)
	}
	if err := conn.QueryRow(ctx, "ints 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after ctx cancel: %d, %v", n, err)
	}
}

func TestCancelStopsStreamingIterator(t *testing.T) {
	ts := startServer(t, Config{})
	conn := ts.connect(t)
	ctx := testCtx(t)

	// "forever" ignores its context; the wire stops it at a flush.
	rr := conn.PgConn().ExecParams(ctx, "forever", nil, nil, nil, nil)
	for range 1000 {
		if !rr.NextRow() {
			_, err := rr.Close()
			t.Fatalf("rows ended early: %v", err)
		}
	}
	if err := conn.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	for rr.NextRow() {
	}
	_, err := rr.Close()
	if code := pgCode(t, err); code != "57014" {
		t.Fatalf("code %s, want 57014", code)
	}
}

func TestMaxConnections(t *testing.T) {
	ts := startServer(t, Config{MaxConnections: 2})
	ctx := testCtx(t)
	c1, err := pgx.Connect(ctx, ts.connString("db"))
	if err != nil {
		t.Fatal(err)
	}
	c2 := ts.connect(t)
	_, err = pgx.Connect(ctx, ts.connString("db"))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "53300" || pe.Severity != "FATAL" || pe.Message != "sorry, too many clients already" {
		t.Fatalf("third connection: %v", err)
	}

	// A failed Connect does not hold a slot.
	if _, err := pgx.Connect(ctx, ts.connString("nodb")); err == nil {
		t.Fatal("want an error")
	}
	if err := c1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	key := ts.eng.waitClosed(t, 1)[0]
	if got := ts.eng.closeCount(key); got != 1 {
		t.Fatalf("Session.Close called %d times", got)
	}
	c3 := ts.connect(t)
	for _, c := range []*pgx.Conn{c2, c3} {
		if err := c.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMalformedMessages(t *testing.T) {
	ts := startServer(t, Config{MaxMessageSize: 1 << 20})
	good := ts.connect(t)
	ctx := testCtx(t)

	msg := func(typ byte, length uint32, body string) []byte {
		b := []byte{typ}
		b = binary.BigEndian.AppendUint32(b, length)
		return append(b, body...)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"length below 4", msg('Q', 3, "")},
		{"truncated body", msg('Q', 4+3, "abc")}, // the query's NUL terminator is missing
		{"1 GiB length", msg('Q', 1<<30, "")},
		{"unknown type", msg('z', 4, "")},
		{"password after startup", msg('p', 4+2, "x\x00")},
		{"bind with a short parameter", msg('B', 4+2+2+2+4, "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x09")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc, _ := startupRaw(t, ts.addr)
			if _, err := rc.nc.Write(tc.data); err != nil {
				t.Fatal(err)
			}
			rc.expect("ErrorResponse FATAL 08P01")
			rc.expectClosed()
			ts.eng.waitClosed(t, 1)
			var n int32
			if err := good.QueryRow(ctx, "ints 1").Scan(&n); err != nil || n != 1 {
				t.Fatalf("other connection broken: %d, %v", n, err)
			}
		})
	}

	t.Run("bad startup packet", func(t *testing.T) {
		rc := dialRaw(t, ts.addr)
		if _, err := rc.nc.Write([]byte{0, 0, 0, 3}); err != nil {
			t.Fatal(err)
		}
		rc.expect("ErrorResponse FATAL 08P01")
		rc.expectClosed()
	})
}

func TestSlowClientIsDisconnected(t *testing.T) {
	ts := startServer(t, Config{WriteTimeout: 200 * time.Millisecond})
	rc, _ := startupRaw(t, ts.addr)
	// Ask for endless rows and never read: the server's writes block, time
	// out, and the session ends.
	rc.send(&pgproto3.Query{String: "forever"})
	key := ts.eng.waitClosed(t, 1)[0]
	if got := ts.eng.closeCount(key); got != 1 {
		t.Fatalf("Session.Close called %d times", got)
	}
	conn := ts.connect(t)
	if err := conn.Ping(testCtx(t)); err != nil {
		t.Fatal(err)
	}
}

func TestClientVanishesDuringExecute(t *testing.T) {
	ts := startServer(t, Config{})
	rc, _ := startupRaw(t, ts.addr)
	rc.send(&pgproto3.Query{String: "sleep"})
	<-ts.eng.started
	_ = rc.nc.Close()
	// The sleep only ends when its context is cancelled.
	ts.eng.waitClosed(t, 1)
}

func TestShutdown(t *testing.T) {
	ts := startServer(t, Config{})
	idle, _ := startupRaw(t, ts.addr)
	busy, _ := startupRaw(t, ts.addr)
	busy.send(&pgproto3.Query{String: "sleep"})
	<-ts.eng.started
	// A client still in startup must not delay Shutdown.
	half := dialRaw(t, ts.addr)
	if _, err := half.nc.Write([]byte{0, 0}); err != nil {
		t.Fatal(err)
	}
	conn := ts.connect(t)

	ts.shutdown(t)

	for _, rc := range []*rawClient{idle, busy} {
		m := rc.recv().(*pgproto3.ErrorResponse)
		if m.Severity != "FATAL" || m.Code != "57P01" || m.Message != "terminating connection due to administrator command" {
			t.Fatalf("got %+v", m)
		}
		rc.expectClosed()
	}
	half.expectClosed()
	if err := conn.Ping(testCtx(t)); err == nil {
		t.Fatal("pgx connection survived Shutdown")
	}
	ts.eng.waitClosed(t, 3)
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
	_ = conn.Close(context.Background())
	goleak.VerifyNone(t)
}
