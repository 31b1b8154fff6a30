package genutil

import (
	"context"
	"time"
)

// Pacer limits a reader to a rate of rows per second against the wall
// clock. It is consulted once per Read, so the cost is per batch, not per
// row.
type Pacer struct {
	perSec float64
	start  time.Time
	done   float64 // rows emitted since start
	now    func() time.Time
}

// maxBurst bounds how far a stalled reader may catch up, so that a long
// backpressure pause is not followed by a flood.
const maxBurst = time.Second

// NewPacer returns a pacer for perSec rows per second; perSec <= 0 means
// unlimited.
func NewPacer(perSec float64) *Pacer {
	return &Pacer{perSec: perSec, start: time.Now(), now: time.Now}
}

// Budget returns how many rows (at most limit) may be emitted now, and when
// none may, how long until the next one is due.
func (p *Pacer) Budget(limit int) (int, time.Duration) {
	if p.perSec <= 0 {
		return limit, 0
	}
	elapsed := p.now().Sub(p.start)
	due := elapsed.Seconds()*p.perSec - p.done
	if burst := maxBurst.Seconds() * p.perSec; due > burst+1 {
		// Forget the backlog beyond one burst.
		p.done += due - burst
		due = burst
	}
	if due >= 1 {
		return int(min(due, float64(limit))), 0
	}
	wait := time.Duration((1 - due) / p.perSec * float64(time.Second))
	return 0, max(wait, time.Millisecond)
}

// Took records that n rows were emitted.
func (p *Pacer) Took(n int) { p.done += float64(n) }

// Wait returns up to rows rows' budget, sleeping (at most limit, and not
// past ctx) for the next row when none is due yet. It returns 0 when the
// row is not due within limit or ctx ended.
func (p *Pacer) Wait(ctx context.Context, rows int, limit time.Duration) int {
	n, wait := p.Budget(rows)
	if n > 0 || wait == 0 {
		return n
	}
	if !Sleep(ctx, min(wait, limit)) {
		return 0
	}
	n, _ = p.Budget(rows)
	return n
}

// Sleep waits d or until ctx is done; it reports whether d elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
