package genutil

import (
	"encoding/binary"

	"streamsqld/sql/pgerror"
)

// A generator position is the split-local index of the next row, then the
// base event time (epoch millis) the split was started with. Carrying the
// base keeps event times identical on replay even when the base was taken
// from the wall clock ('now') when the source was first created.
const posLen = 16

// EncodePos returns the position bytes for (next index, base millis).
func EncodePos(next uint64, baseMillis int64) []byte {
	b := make([]byte, posLen)
	binary.BigEndian.PutUint64(b, next)
	binary.BigEndian.PutUint64(b[8:], uint64(baseMillis))
	return b
}

// DecodePos parses a position. nil means the start; an 8-byte position is
// an index alone, with the source's base (ok reports whether the base came
// from pos).
func DecodePos(pos []byte) (next uint64, baseMillis int64, hasBase bool, err error) {
	switch len(pos) {
	case 0:
		return 0, 0, false, nil
	case 8:
		return binary.BigEndian.Uint64(pos), 0, false, nil
	case posLen:
		return binary.BigEndian.Uint64(pos), int64(binary.BigEndian.Uint64(pos[8:])), true, nil
	}
	return 0, 0, false, pgerror.Newf(pgerror.InvalidParameterValue,
		"invalid generator position: %d bytes", len(pos))
}
