package exec

import (
	"context"
)

// materialize is the sink: it applies the changelog to its partition of
// the view and forwards the effective changes to the view's subscribers.
type materialize struct {
	Base
	view    *View
	part    *viewPart
	keyCols []int
	keyBuf  []byte
}

func (m *materialize) OnChunk(ctx context.Context, c *Chunk, _ Emitter) error {
	changes, subs, buf := m.part.apply(c, m.keyCols, m.keyBuf)
	m.keyBuf = buf
	for i, s := range subs {
		ch := changes
		if i < len(subs)-1 {
			ch = changes.Clone()
		}
		select {
		case s.ch <- ch:
		case <-s.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
