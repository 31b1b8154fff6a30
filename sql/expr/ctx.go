package expr

import (
	"time"

	"streamsqld/sql/types"
)

// Ctx is the evaluation context of one query execution (or one streaming
// job instance): statement time for now(), bound parameters, and scratch
// space that compiled expressions reuse between rows.
//
// A Ctx must not be shared by goroutines evaluating at the same time: the
// compiled evaluators keep the arguments of function calls on its stack.
// A compiled Eval itself holds no per-row state and may be shared.
type Ctx struct {
	Now    time.Time
	Params []types.Datum
	// Scratch is reused by functions to avoid per-row allocation.
	Scratch []byte
	// Session is the client session evaluating the expression; nil inside
	// streaming jobs, where session functions are not allowed.
	Session Session

	// stack holds the evaluated arguments of the function calls being
	// evaluated. Each call pushes its arguments and pops them on return, so
	// after the first rows no call allocates its argument slice.
	stack []types.Datum
}

// Eval is a compiled expression: it evaluates one row.
type Eval func(ctx *Ctx, row types.Row) (types.Datum, error)

// push appends d to the argument stack.
func (c *Ctx) push(d types.Datum) { c.stack = append(c.stack, d) }

// pop truncates the argument stack back to base, clearing the popped slots
// so that they do not keep large strings or arrays alive.
func (c *Ctx) pop(base int) {
	s := c.stack[base:]
	for i := range s {
		s[i] = types.Datum{}
	}
	c.stack = c.stack[:base]
}

// nowMicros is the statement timestamp in microseconds since the Unix
// epoch.
func (c *Ctx) nowMicros() int64 {
	if c == nil || c.Now.IsZero() {
		return time.Now().UnixMicro()
	}
	return c.Now.UnixMicro()
}

// Session is what session functions (current_setting, current_user,
// pg_backend_pid ...) read from the client session.
type Session interface {
	Setting(name string) (string, error)
	SetSetting(name, value string, local bool) error
	User() string
	BackendPID() int32
}
