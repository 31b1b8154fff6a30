package types

// This file declares the codec and comparison API that the rest of the code
// base builds against. Its bodies are being written; replace this file.

// OID returns t's PostgreSQL type OID (23 int4, 1043 varchar, 1009 text[] ...).
func (t T) OID() uint32 { panic("unimplemented") }

// FromOID returns the type for a PostgreSQL OID.
func FromOID(oid uint32) (T, bool) { panic("unimplemented") }

// TypLen is pg_type.typlen: the fixed wire size, or -1 for variable length.
func (t T) TypLen() int16 { panic("unimplemented") }

// String is the type's name as PostgreSQL's format_type prints it
// ("bigint", "character varying(20)", "timestamp without time zone", "text[]").
func (t T) String() string { panic("unimplemented") }

// AppendText appends PostgreSQL's text output of d as type t (NULL must be
// handled by the caller: d is never NULL here).
func AppendText(buf []byte, d Datum, t T) []byte { panic("unimplemented") }

// FormatText is AppendText into a new string.
func FormatText(d Datum, t T) string { return string(AppendText(nil, d, t)) }

// ParseText parses PostgreSQL's text input of type t; errors carry SQLSTATE
// 22P02/22007/22003.
func ParseText(s string, t T) (Datum, error) { panic("unimplemented") }

// AppendBinary appends PostgreSQL's binary send format of d as type t.
func AppendBinary(buf []byte, d Datum, t T) ([]byte, error) { panic("unimplemented") }

// ParseBinary decodes PostgreSQL's binary receive format of type t.
func ParseBinary(b []byte, t T) (Datum, error) { panic("unimplemented") }

// Compare orders two non-NULL datums of the same type: -1, 0 or 1.
func Compare(a, b Datum) int { panic("unimplemented") }

// Cast converts d from type from to type to with PostgreSQL's semantics.
func Cast(d Datum, from, to T) (Datum, error) { panic("unimplemented") }
