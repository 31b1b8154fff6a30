package wire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Config holds the wire's limits. Zero fields take their defaults.
type Config struct {
	// MaxConnections bounds the established sessions; beyond it a client
	// gets FATAL 53300. Default 100. CancelRequests are not counted.
	MaxConnections int
	// MaxMessageSize bounds one frontend message body in bytes; a larger
	// length is a protocol violation. Default 64 MiB.
	MaxMessageSize int
	// WriteTimeout bounds every write to a client; a client that stops
	// reading for this long is disconnected. Default 30s.
	WriteTimeout time.Duration
	// StartupTimeout bounds the time from accept to a complete startup
	// packet (PostgreSQL's authentication_timeout). Default 60s.
	StartupTimeout time.Duration
}

const (
	defaultMaxConnections = 100
	defaultMaxMessageSize = 64 << 20
	defaultWriteTimeout   = 30 * time.Second
	defaultStartupTimeout = 60 * time.Second
)

func (c Config) withDefaults() Config {
	if c.MaxConnections <= 0 {
		c.MaxConnections = defaultMaxConnections
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = defaultMaxMessageSize
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = defaultWriteTimeout
	}
	if c.StartupTimeout <= 0 {
		c.StartupTimeout = defaultStartupTimeout
	}
	return c
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("wire: server closed")

// Causes of context cancellation, told apart with context.Cause to pick the
// error the client sees.
var (
	errShutdown      = errors.New("server shutting down")
	errCancelRequest = errors.New("cancel request")
	errClientGone    = errors.New("client connection lost")
)

// Server accepts PostgreSQL connections and serves each on its own
// goroutines; see the package documentation for the lifecycle.
type Server struct {
	cfg    Config
	eng    Engine
	logger *slog.Logger

	// baseCtx parents every connection's context; Shutdown cancels it with
	// errShutdown so running statements stop.
	baseCtx    context.Context
	baseCancel context.CancelCauseFunc
	// shutdownCh is closed by Shutdown; idle sessions wait on it.
	shutdownCh chan struct{}

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]struct{}
	// conns holds every accepted connection, true once it is an admitted
	// session. Shutdown closes the others, which may sit in startup for
	// StartupTimeout, and all of them when its context ends.
	conns     map[net.Conn]bool
	sessions  map[uint32]*conn // established sessions by ProcessID, for cancel
	nSessions int              // counted against MaxConnections
	nextPID   uint32           // last ProcessID handed out
	wg        sync.WaitGroup   // one per connection goroutine
}

// NewServer returns a server that hands sessions to eng. A nil logger logs
// to slog.Default().
func NewServer(cfg Config, eng Engine, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Server{
		cfg:        cfg.withDefaults(),
		eng:        eng,
		logger:     logger,
		baseCtx:    ctx,
		baseCancel: cancel,
		shutdownCh: make(chan struct{}),
		listeners:  make(map[net.Listener]struct{}),
		conns:      make(map[net.Conn]bool),
		sessions:   make(map[uint32]*conn),
	}
}

// Serve accepts connections on ln until ln fails or Shutdown is called, in
// which case it returns ErrServerClosed. Serve closes ln.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		_ = ln.Close()
	}()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosing() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Transient failures (EMFILE, ECONNABORTED) must not end the
			// server; back off like net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logger.Warn("accept failed; retrying", "err", err, "delay", backoff)
			select {
			case <-time.After(backoff):
			case <-s.shutdownCh:
				return ErrServerClosed
			}
			continue
		}
		backoff = 0
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			_ = nc.Close()
			return ErrServerClosed
		}
		// Added under mu so that Shutdown, which sets closing under mu before
		// waiting, never races an Add with its Wait.
		s.conns[nc] = false
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serveConn(nc)
	}
}

// Shutdown stops accepting, cancels running statements, sends FATAL 57P01 to
// every session and waits for the connection goroutines to end. If ctx ends
// first, the remaining connections are closed forcibly and ctx's error is
// returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.shutdownCh)
		for ln := range s.listeners {
			_ = ln.Close()
		}
	}
	for nc, admitted := range s.conns {
		if !admitted {
			_ = nc.Close()
		}
	}
	s.mu.Unlock()
	s.baseCancel(errShutdown)

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for nc := range s.conns {
			_ = nc.Close()
		}
		s.mu.Unlock()
		return ctx.Err()
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// admit counts a new session against MaxConnections and assigns its key.
// closing reports that Shutdown has begun; Shutdown closes connections that
// are not admitted, so from here on the session loop must notice shutdown.
func (s *Server) admit(nc net.Conn) (key BackendKey, ok, closing bool) {
	var secret [4]byte
	_, _ = rand.Read(secret[:]) // crypto/rand.Read never fails on supported platforms
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return BackendKey{}, false, true
	}
	if s.nSessions >= s.cfg.MaxConnections {
		return BackendKey{}, false, false
	}
	s.conns[nc] = true
	s.nSessions++
	for {
		s.nextPID++
		if _, taken := s.sessions[s.nextPID]; s.nextPID != 0 && !taken {
			break
		}
	}
	return BackendKey{ProcessID: s.nextPID, SecretKey: binary.BigEndian.Uint32(secret[:])}, true, false
}

// register makes c reachable by CancelRequests.
func (s *Server) register(c *conn) {
	s.mu.Lock()
	s.sessions[c.key.ProcessID] = c
	s.mu.Unlock()
}

// release undoes admit and register.
func (s *Server) release(key BackendKey) {
	s.mu.Lock()
	if c, ok := s.sessions[key.ProcessID]; ok && c.key == key {
		delete(s.sessions, key.ProcessID)
	}
	s.nSessions--
	s.mu.Unlock()
}

func (s *Server) forget(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

// cancel handles a CancelRequest: the running statement of the matching
// session, if any, is cancelled. As in PostgreSQL a wrong key is ignored
// silently so that keys cannot be probed.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.sessions[pid]
	s.mu.Unlock()
	if c == nil || len(secret) != 4 {
		return
	}
	var want [4]byte
	binary.BigEndian.PutUint32(want[:], c.key.SecretKey)
	if subtle.ConstantTimeCompare(want[:], secret) != 1 {
		return
	}
	c.cancelRunning()
}
