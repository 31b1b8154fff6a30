package wire

import (
	"context"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Engine creates sessions. Implemented by package server.
type Engine interface {
	// Connect validates the startup parameters (user, database, options...)
	// and returns a session. A wrong database returns a *pgerror.Error with
	// code 3D000 which the wire sends as FATAL.
	Connect(ctx context.Context, startup map[string]string, key BackendKey) (Session, error)
}

// BackendKey identifies a connection in a CancelRequest. The wire chooses it
// (ProcessID is unique among live connections, SecretKey is random) and hands
// it to the engine for display (pg_backend_pid()).
type BackendKey struct{ ProcessID, SecretKey uint32 }

// Session executes statements for one connection. Never called concurrently.
type Session interface {
	// ParameterStatus returns the parameters to announce after
	// authentication (server_version, server_encoding, client_encoding,
	// DateStyle, IntervalStyle, TimeZone, integer_datetimes,
	// standard_conforming_strings, application_name, is_superuser,
	// session_authorization).
	ParameterStatus() map[string]string
	// Prepare parses one query string into its statements. The simple
	// protocol calls it once per Query message and executes every returned
	// statement in order; the extended protocol's Parse requires exactly one
	// (zero = empty query). paramTypes are the client's declared parameter
	// types (TUnknown where the client sent 0).
	Prepare(ctx context.Context, query string, paramTypes []types.T) ([]*Statement, error)
	// Execute runs a prepared statement with bound parameters (already
	// decoded into Datums of Statement.ParamTypes). ctx is cancelled by a
	// CancelRequest, by Shutdown and when the client vanishes. It stays
	// valid until the returned RowIter is closed, also across the Execute
	// messages of a suspended portal.
	Execute(ctx context.Context, stmt *Statement, params []types.Datum) (*Result, error)
	// Close releases the session (client gone or Terminate). It is called
	// exactly once, after every RowIter of the session has been closed.
	Close()
}

// TextFormatter is implemented by sessions that print some values
// themselves: regclass and regproc print the names of catalog objects,
// which only the session's catalog knows. The wire asks only for the
// types NeedsSessionText reports.
type TextFormatter interface {
	// AppendText appends d's text form as type t; ok false means the
	// standard text form (types.AppendText).
	AppendText(buf []byte, d types.Datum, t types.T) (out []byte, ok bool)
}

// NeedsSessionText reports whether values of t are printed by the
// session's TextFormatter.
func NeedsSessionText(t types.T) bool {
	return t.Fam == types.RegClass || t.Fam == types.RegProc
}

// Statement is one prepared statement.
type Statement struct {
	SQL        string         // the statement's own text
	ParamTypes []types.T      // resolved types of $1..$n
	Columns    []types.Column // result columns; nil when the statement returns no rows (DDL, SET ...)
	Empty      bool           // an empty query (EmptyQueryResponse)
	Handle     any            // engine-private
	// Origins are the table columns the result columns come from, for
	// RowDescription (nil or zero entries: none).
	Origins []ColumnOrigin
}

// ColumnOrigin is the table column a result column is read from unchanged,
// as RowDescription reports it (pg_class OID and attribute number);
// drivers use it for ResultSetMetaData.getTableName and isNullable.
type ColumnOrigin struct {
	TableOID uint32
	Attnum   int16
}

// Result is the outcome of one Execute.
type Result struct {
	Columns []types.Column // nil: no RowDescription
	Rows    RowIter        // nil when the statement returns no rows
	// Tag is the CommandComplete tag; when Rows != nil the wire appends
	// " <rows sent>" (e.g. "SELECT" -> "SELECT 3", "FETCH" -> "FETCH 2"), except
	// to SHOW and EXPLAIN, as PostgreSQL.
	Tag string
	// ParameterChanges are sent as ParameterStatus (e.g. after SET
	// application_name / TimeZone).
	ParameterChanges map[string]string
	// Notices are sent as NoticeResponse before CommandComplete; Severity
	// defaults to NOTICE and Code to 00000.
	Notices []*pgerror.Error
	// Origins are the table columns of Columns (see Statement.Origins);
	// nil: the statement's.
	Origins []ColumnOrigin
	// Copy sends Rows as the data of COPY ... TO STDOUT in this format
	// instead of as DataRows; the tag is then "COPY <rows>".
	Copy *CopyFormat
}

// RowIter streams the rows of a Result.
type RowIter interface {
	// Next returns the next row, or (nil, nil) at the end. The row is only
	// valid until the next call. ctx is the one given to Session.Execute.
	Next(ctx context.Context) (types.Row, error)
	// Close releases the iterator; called exactly once, also when the rows
	// were not all read.
	Close()
}
