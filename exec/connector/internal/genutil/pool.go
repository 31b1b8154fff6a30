package genutil

import "strings"

// A TextPool is a long precomputed random string. Generators take random
// substrings of it instead of building a new string per row: zero
// allocations, and the substrings stay valid forever because strings are
// immutable (rows may be kept by the caller without copying them).
type TextPool struct {
	s    string
	span int // the longest substring served
}

// NewLetterPool returns a pool of size random lower-case letters, plus
// maxLen so that any offset below size has maxLen letters after it. With
// spaceEvery > 0, roughly one character in spaceEvery is sep instead.
func NewLetterPool(seed uint64, size, maxLen, spaceEvery int, sep byte) *TextPool {
	var r Rand
	r.Seed(seed, 0)
	var b strings.Builder
	b.Grow(size + maxLen)
	for i := 0; i < size+maxLen; i++ {
		if spaceEvery > 0 && r.Intn(spaceEvery) == 0 {
			b.WriteByte(sep)
			continue
		}
		b.WriteByte(byte('a' + r.Intn(26)))
	}
	return &TextPool{s: b.String(), span: maxLen}
}

// Get returns a substring of length n (n is clamped to the pool's span).
func (p *TextPool) Get(r *Rand, n int) string {
	n = max(0, min(n, p.span))
	off := r.Intn(len(p.s) - p.span)
	return p.s[off : off+n]
}
