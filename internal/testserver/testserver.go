// Package testserver starts the real streamsqld binary for end-to-end tests:
// it builds the binary once per test process, runs it on a fresh or given
// data dir with a kernel-chosen port, and connects real pgx clients.
package testserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds cmd/streamsqld once and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "streamsqld-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "streamsqld")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/streamsqld")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Server is a running streamsqld process.
type Server struct {
	t       testing.TB
	cmd     *exec.Cmd
	DataDir string
	Addr    string // host:port of the wire listener
	// HTTPAddr is host:port of the /metrics endpoint when started with
	// --http 127.0.0.1:0, after Ready.
	httpAddr string
	logMu    sync.Mutex
	log      strings.Builder
	exited   chan struct{}
}

var (
	readyRE = regexp.MustCompile(`streamsqld ready.* listen=([0-9.:]+)`)
	httpRE  = regexp.MustCompile(`metrics endpoint ready.* http=([0-9.:]+)`)
)

// Start runs the binary on dataDir ("" = a new temp dir) with extra flags.
func Start(t testing.TB, dataDir string, flags ...string) *Server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	args := append([]string{"--listen", "127.0.0.1:0", "--data-dir", dataDir, "--http", ""}, flags...)
	cmd := exec.Command(Binary(t), args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, cmd: cmd, DataDir: dataDir, exited: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.logMu.Lock()
			s.log.WriteString(line + "\n")
			s.logMu.Unlock()
			if m := httpRE.FindStringSubmatch(line); m != nil {
				s.logMu.Lock()
				s.httpAddr = m[1]
				s.logMu.Unlock()
			}
			if m := readyRE.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(s.exited) }()
	select {
	case s.Addr = <-ready:
	case <-s.exited:
		t.Fatalf("streamsqld exited before it was ready:\n%s", s.Log())
	case <-time.After(30 * time.Second):
		s.Kill()
		t.Fatalf("streamsqld not ready after 30s:\n%s", s.Log())
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// HTTPAddr returns the /metrics address ("" when --http was empty).
func (s *Server) HTTPAddr() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.httpAddr
}

// Log returns what the server printed so far.
func (s *Server) Log() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

// Kill sends SIGKILL (a crash) and waits for the process to end.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// Stop sends SIGTERM and waits for a graceful exit (SIGKILL after 15 s).
func (s *Server) Stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.t.Errorf("streamsqld did not stop within 15s after SIGTERM")
		s.Kill()
	}
}

// ConnString returns a pgx connection string for the server.
func (s *Server) ConnString() string {
	return fmt.Sprintf("postgres://tester@%s/streamsql?sslmode=disable", s.Addr)
}

// Connect opens a pgx connection (extended protocol by default).
func (s *Server) Connect(t testing.TB, ctx context.Context) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, s.ConnString())
	if err != nil {
		t.Fatalf("connect: %v\nserver log:\n%s", err, s.Log())
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// ConnectSimple opens a pgx connection that uses the simple protocol.
func (s *Server) ConnectSimple(t testing.TB, ctx context.Context) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(s.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v\nserver log:\n%s", err, s.Log())
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}
