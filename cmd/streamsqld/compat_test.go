package main_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"streamsqld/internal/testserver"
)

// The compatibility suite: the real clients of testdata/compat (psql,
// pgjdbc, psycopg2, SQLAlchemy, node-postgres) against the real binary,
// and pgx from Go. `make compat-deps` installs the clients; a client that
// is missing is skipped by run.sh with the reason.

// startCompatServer starts streamsqld with the objects the clients expect.
func startCompatServer(t *testing.T, ctx context.Context) *testserver.Server {
	t.Helper()
	srv := testserver.Start(t, "")
	conn := srv.ConnectSimple(t, ctx)
	script, err := os.ReadFile("../../testdata/compat/streamsqld_setup.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, string(script)); err != nil {
		t.Fatalf("setup: %v", err)
	}
	return srv
}

func TestCompatClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs external clients")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to run testdata/compat/run.sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	srv := startCompatServer(t, ctx)
	host, port, err := net.SplitHostPort(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	nodeModules, _ := filepath.Abs("../../testdata/compat/node/node_modules")
	cmd := exec.CommandContext(ctx, "sh", "../../testdata/compat/run.sh", host, port, "streamsql", "streamsql")
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodeModules)
	out, err := cmd.CombinedOutput()
	t.Logf("testdata/compat/run.sh:\n%s", out)
	if err != nil {
		t.Fatalf("compatibility clients failed: %v\nserver log:\n%s", err, srv.Log())
	}
	if !strings.Contains(string(out), "compat: ") {
		t.Fatalf("run.sh printed no summary")
	}
}

// TestPgxCompat is pgx's part of the suite: its statement cache (a named
// server statement per query, described once, results in binary), a
// batch, and the OIDs and sizes Describe reports.
func TestPgxCompat(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := startCompatServer(t, ctx)
	conn := srv.Connect(t, ctx) // QueryExecModeCacheStatement

	// The statement cache: the same query ten times with a parameter.
	for i := int64(0); i < 10; i++ {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders WHERE id > $1", i).Scan(&n); err != nil {
			t.Fatalf("cached statement, run %d: %v", i, err)
		}
		want := map[int64]int64{0: 2, 1: 1}[i]
		if n != want {
			t.Fatalf("count(*) WHERE id > %d = %d, want %d", i, n, want)
		}
	}

	// Binary results of every column type of the table.
	var (
		id       int64
		customer string
		amount   pgtype.Numeric
		ts       time.Time
		tags     []string
		ok       bool
	)
	err := conn.QueryRow(ctx, "SELECT id, customer, amount, ts, tags, ok FROM orders WHERE id = $1", 1).
		Scan(&id, &customer, &amount, &ts, &tags, &ok)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := amount.Float64Value()
	if id != 1 || customer != "ann" || f.Float64 != 150.5 || !ts.Equal(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)) ||
		len(tags) != 2 || tags[0] != "a" || !ok {
		t.Fatalf("row = %v %q %v %v %v %v", id, customer, f.Float64, ts, tags, ok)
	}

	// A batch: several statements in one round trip.
	b := &pgx.Batch{}
	b.Queue("SELECT customer FROM orders WHERE id = $1", 2)
	b.Queue("SELECT n FROM order_totals WHERE customer = $1", "ann")
	b.Queue("SELECT relname FROM pg_catalog.pg_class WHERE oid = $1::regclass", "orders")
	br := conn.SendBatch(ctx, b)
	var s string
	if err := br.QueryRow().Scan(&s); err != nil || s != "bob" {
		t.Fatalf("batch query 1: %q %v", s, err)
	}
	var n int64
	deadline := time.Now().Add(20 * time.Second)
	if err := br.QueryRow().Scan(&n); err != nil {
		// The view catches up asynchronously; an empty answer is retried
		// below.
		if err != pgx.ErrNoRows {
			t.Fatalf("batch query 2: %v", err)
		}
	}
	if err := br.QueryRow().Scan(&s); err != nil || s != "orders" {
		t.Fatalf("batch query 3: %q %v", s, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	for n != 1 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		_ = conn.QueryRow(ctx, "SELECT n FROM order_totals WHERE customer = $1", "ann").Scan(&n)
	}
	if n != 1 {
		t.Fatalf("order_totals n for ann = %d, want 1", n)
	}

	// Describe: the OIDs and sizes of the result columns, as PostgreSQL
	// reports them for these types.
	sd, err := conn.Prepare(ctx, "describe", "SELECT id, customer, amount, ts, tags, ok, 1::int2 AS s, 'x'::text AS t FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	type col struct {
		oid  uint32
		size int16
		mod  int32
	}
	want := []col{{20, 8, -1}, {1043, -1, 24}, {1700, -1, 655366}, {1114, 8, -1}, {1009, -1, -1}, {16, 1, -1}, {21, 2, -1}, {25, -1, -1}}
	for i, f := range sd.Fields {
		got := col{f.DataTypeOID, f.DataTypeSize, f.TypeModifier}
		if got != want[i] {
			t.Errorf("column %s: (oid, size, typmod) = %v, want %v", f.Name, got, want[i])
		}
	}
	if len(sd.ParamOIDs) != 0 {
		t.Errorf("params = %v", sd.ParamOIDs)
	}
	sd, err = conn.Prepare(ctx, "params", "SELECT $1::int8 + 1, $2::text, $3::timestamp")
	if err != nil {
		t.Fatal(err)
	}
	if got := sd.ParamOIDs; len(got) != 3 || got[0] != 20 || got[1] != 25 || got[2] != 1114 {
		t.Errorf("parameter OIDs = %v, want [20 25 1114]", got)
	}

	// Errors keep the connection usable, also inside a batch.
	_, err = conn.Exec(ctx, "SELECT * FROM no_such_relation")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42P01" {
		t.Fatalf("error = %v, want 42P01", err)
	}
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after an error: %v", err)
	}
}
